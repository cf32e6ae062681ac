"""Checks that train: a tiny subset learned by heart, then "babysitting" a short run.

Over- and underfitting after the run are judged in :mod:`.fit_checks`.

==============  ==============================================================================
check           rule
==============  ==============================================================================
overfit_small   a copy of the network trained by L-BFGS with λ = 0 on 20 examples (one of
                each class first) must learn them by heart: 100% training accuracy PASS,
                ≥ 90% WARN, less FAIL. Regression: the fraction of the targets' variance
                left unexplained, ≤ 0.05 PASS, ≤ 0.3 WARN, more FAIL. If a network cannot
                even memorize 20 examples, the model or the pipeline is broken. L-BFGS needs
                no learning rate, so a bad η cannot hide a broken model here (or the other
                way round).
loss_trend      over the short run, against the loss J(θ₀) before it: divergence (the
                trainer stopped on a non-finite or exploding loss) or a final loss above
                J(θ₀) FAIL (learning rate too high); a best loss less than 1% below J(θ₀)
                WARN (plateau: learning rate too low, or too much regularization); a final
                loss above 1.5× the best of the run WARN (unstable)
update_ratio    per θ⁽ˡ⁾, the median over the last 10 epochs of ‖Δθ⁽ˡ⁾‖/‖θ⁽ˡ⁾‖ per step
                (history column ``update_ratio_<l>``): about 1e-3 is healthy; below 1e-5
                WARN (η too small), above 1e-1 WARN (η too large). SKIP for L-BFGS and CG,
                whose line search picks the step.
==============  ==============================================================================
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np

from .. import metrics
from .._rng import as_generator
from ..solvers import SCIPY_SOLVERS
from ..training import DivergenceWarning, Trainer, TrainingConfig
from ._result import FAIL, PASS, SKIP, WARN, Finding, format_number
from .model_checks import check_symmetry

__all__ = [
    "check_loss_trend",
    "check_overfit_small",
    "check_update_ratios",
    "score",
]

#: The tiny subset and how long L-BFGS may take to memorize it.
TINY_EXAMPLES = 20
TINY_MAX_ITER = 200
#: Fresh random starts tried when the network does not learn the subset from its own θ.
TINY_RESTARTS = 3
#: Regression: unexplained variance fraction on the tiny subset (PASS ≤, WARN ≤).
TINY_UNEXPLAINED_PASS = 0.05
TINY_UNEXPLAINED_WARN = 0.3
#: Classification: accuracy on the tiny subset from which it only warns.
TINY_ACCURACY_WARN = 0.9

#: The best loss of the run must be at least this fraction below J(θ₀).
PLATEAU_DECREASE = 0.01
#: A final loss above this multiple of the run's best means the run became unstable.
REBOUND_FACTOR = 1.5

#: Epochs whose update ratios are summarized, and the healthy band.
RATIO_LAST_EPOCHS = 10
RATIO_LOW = 1e-5
RATIO_HIGH = 1e-1


def score(net, X, Y, task: str) -> float:
    """:func:`mlplab.metrics.accuracy` for classification tasks, :func:`~mlplab.metrics.r2` else.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
        The network's targets.
    task : {"multiclass", "binary", "multilabel", "regression"}
    """
    Y = np.asarray(Y, dtype=np.float64).reshape(np.shape(X)[0], -1)
    with np.errstate(over="ignore", invalid="ignore"):
        output = net.forward(X).astype(np.float64)
    if task != "regression":
        return metrics.accuracy(task, output, Y)
    r2 = metrics.r2(output, Y)
    return r2 if math.isfinite(r2) else -math.inf  # diverged outputs: the worst score


def chance_score(Y, task: str) -> float:
    """The score of always predicting the largest class (0 for regression's R²)."""
    if task == "regression":
        return 0.0
    Y = np.asarray(Y).reshape(np.shape(Y)[0], -1)
    labels = metrics.class_labels(task, Y)
    if labels is None:  # multi-label: the most frequent set of labels
        _, counts = np.unique(Y >= metrics.THRESHOLD, axis=0, return_counts=True)
        return float(counts.max() / Y.shape[0])
    return float(np.bincount(labels).max() / Y.shape[0])


# ---------------------------------------------------------------------- tiny subset
def check_overfit_small(
    net,
    X,
    Y,
    task: str,
    *,
    n_examples: int = TINY_EXAMPLES,
    max_iter: int = TINY_MAX_ITER,
    random_state=0,
) -> Finding:
    """Train a copy of ``net`` with λ = 0 on a few examples; it must learn them by heart.

    Parameters
    ----------
    net : Network
        As initialized; not modified.
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
    task : {"multiclass", "binary", "multilabel", "regression"}
    n_examples : int, default=20
    max_iter : int, default=200
        L-BFGS iterations.
    random_state : None, int or numpy.random.Generator
    """
    rng = as_generator(random_state)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(X.shape[0], -1)
    rows = _one_of_each_class_first(Y, task, n_examples, rng)
    Xs, Ys = X[rows], Y[rows]
    probe, trainer = _memorize(net.copy(), Xs, Ys, task, max_iter, rng)
    details = {"examples": int(rows.size), "iterations": trainer.epoch}
    finding = _tiny_finding(probe, Xs, Ys, task, rows.size, details)
    if finding.status == PASS:
        return finding
    # A network stuck from its starting θ (a plateau, a poor local minimum: the lecture's
    # XOR from small weights; or a zero start) is not a data bug. Fresh random starts
    # tell the two apart: the data are suspect only if none of them learns the examples.
    for restart in range(1, TINY_RESTARTS + 1):
        fresh = net.copy().initialize("glorot", random_state=rng)
        candidate, _ = _memorize(fresh, Xs, Ys, task, max_iter, rng)
        if _tiny_score(candidate, Xs, Ys, task)[1] == PASS:
            # identical units at the start are a bug of the setup (the symmetry check
            # fails too); any other start merely landed badly
            broken_start = check_symmetry(net).status == FAIL
            return replace(
                finding,
                status=FAIL if broken_start else WARN,
                message=finding.message + f"; from a fresh random start (try {restart}) it "
                "learns them all, so the data are fine and the starting weights are the "
                "problem",
                advice="initialized at random (not to zero), with a scale that suits the "
                "units; or another seed, more iterations or another solver"
                if broken_start
                else "another seed, more iterations or another solver; the starting weights "
                "sit on a plateau or in a poor local minimum",
                details={**details, "restarts": restart},
            )
    return replace(finding, details={**details, "restarts": TINY_RESTARTS})


def _tiny_score(probe, Xs, Ys, task: str) -> tuple[float, str]:
    """How well ``probe`` reproduces the tiny subset, and the status that earns.

    Classification: the accuracy (1 PASS, ≥ 0.9 WARN). Regression: the fraction of the
    targets' variance left unexplained, Σ (y − a)² / Σ (y − ȳ)² (≤ 0.05 PASS, ≤ 0.3 WARN).
    """
    if task != "regression":
        accuracy = score(probe, Xs, Ys, task)
        return accuracy, PASS if accuracy >= 1 else WARN if accuracy >= TINY_ACCURACY_WARN else FAIL
    with np.errstate(over="ignore", invalid="ignore"):
        output = probe.forward(Xs).astype(np.float64)
    total = float(np.sum((Ys - Ys.mean(axis=0)) ** 2))
    residual = float(np.sum((Ys - output) ** 2))
    left = residual / total if total > 0 else (0.0 if residual == 0 else math.inf)
    left = left if math.isfinite(left) else math.inf
    if left <= TINY_UNEXPLAINED_PASS:
        return left, PASS
    return left, WARN if left <= TINY_UNEXPLAINED_WARN else FAIL


def _tiny_finding(probe, Xs, Ys, task: str, n: int, details: dict) -> Finding:
    """The overfit_small finding of ``probe`` after training on the n examples (Xs, Ys)."""
    measured, status = _tiny_score(probe, Xs, Ys, task)
    if task == "regression":
        details["unexplained"] = measured
        threshold = f"unexplained variance ≤ {TINY_UNEXPLAINED_PASS:g}"
        found = f"leaves {measured:.1%} of their variance unexplained"
    else:
        details["accuracy"] = measured
        threshold = "accuracy = 1"
        found = f"gets {measured:.0%} of them right"
    advice = (
        "the network cannot memorize a handful of examples: check that X and y line up "
        "(same row order), that the labels are right, and that the network is big enough "
        "and initialized at random (not to zero)"
    )
    return Finding(
        "overfit_small",
        status,
        measured,
        threshold,
        f"trained with λ = 0 on {n} examples, the network {found}",
        "" if status == PASS else advice,
        details=details,
    )


def _memorize(probe, Xs, Ys, task: str, max_iter: int, rng):
    """Train ``probe`` in place with L-BFGS and λ = 0 on (Xs, Ys); return it and the trainer."""
    config = TrainingConfig(solver="lbfgs", alpha=0.0, max_iter=max_iter, tol=1e-8)
    trainer = Trainer(probe, config, task=task, random_state=rng, handle_signals=())
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", DivergenceWarning)
        trainer.fit(Xs, Ys)
    return probe, trainer


def _one_of_each_class_first(Y: np.ndarray, task: str, n: int, rng) -> np.ndarray:
    """n row indices, one per class first (classification) so every class is in the set."""
    order = rng.permutation(Y.shape[0])
    if task in ("regression", "multilabel"):
        return order[:n]
    _, first = np.unique(metrics.class_labels(task, Y)[order], return_index=True)
    firsts = order[np.sort(first)][:n]
    rest = order[~np.isin(order, firsts)][: n - firsts.size]
    return np.concatenate([firsts, rest])


# ---------------------------------------------------------------------- loss trend
def check_loss_trend(history, initial_loss: float, stop_reason: str | None = None) -> Finding:
    """Whether the training loss went down over a short run.

    Parameters
    ----------
    history : History or mapping
        With a ``train_loss`` column, one row per epoch.
    initial_loss : float
        J(θ₀) on the training data before the run (the same objective as ``train_loss``).
    stop_reason : str, optional
        The trainer's ``stop_reason``; "diverged" is a FAIL.
    """
    threshold = f"falls by ≥ {PLATEAU_DECREASE:.0%} of J(θ₀), never rises above it"
    losses = np.asarray(history["train_loss"], dtype=np.float64) if "train_loss" in history else []
    too_high = (
        "lower learning_rate_init (try 10× smaller); standardize the features; with sgd, "
        "lower the momentum"
    )
    details = {"initial_loss": float(initial_loss), "epochs": len(losses)}
    if stop_reason == "diverged" or not np.isfinite(losses).all():
        when = f"after {len(losses)} epoch(s)" if len(losses) else "in the first epoch"
        return Finding(
            "loss_trend",
            FAIL,
            float(losses[-1]) if len(losses) else None,
            threshold,
            f"training diverged {when}: the loss became non-finite or exploded, "
            "so the learning rate is too high",
            too_high,
            details=details,
        )
    if len(losses) == 0 or not (math.isfinite(initial_loss) and initial_loss > 0):
        return Finding(
            "loss_trend", SKIP, None, threshold, "no epochs or no finite starting loss to compare"
        )
    best, final = float(losses.min()), float(losses[-1])
    decrease = (initial_loss - best) / initial_loss
    details.update(best_loss=best, final_loss=final, relative_decrease=decrease)
    status, advice = WARN, ""
    if final > initial_loss:
        status, advice = FAIL, too_high
        message = (
            f"the loss rose from {format_number(initial_loss)} to {format_number(final)} "
            f"over {len(losses)} epochs: the learning rate is too high"
        )
    elif decrease < PLATEAU_DECREASE:
        message = (
            f"the loss barely moved in {len(losses)} epochs ({format_number(initial_loss)} → "
            f"{format_number(final)}, {decrease:.2%} lower): a plateau"
        )
        advice = (
            "raise learning_rate_init (try 10× larger), or lower alpha (λ) if the "
            "regularization dominates the loss"
        )
    elif final > REBOUND_FACTOR * best:
        message = (
            f"the loss fell to {format_number(best)} but ended at {format_number(final)}: "
            "training is unstable"
        )
        advice = "lower learning_rate_init, or use a learning-rate schedule (adaptive) or adam"
    else:
        status = PASS
        message = (
            f"the loss fell from {format_number(initial_loss)} to {format_number(final)} in "
            f"{len(losses)} epochs"
        )
    return Finding("loss_trend", status, decrease, threshold, message, advice, details=details)


# ---------------------------------------------------------------------- update ratios
def check_update_ratios(history, solver: str | None = None) -> list[Finding]:
    """‖Δθ⁽ˡ⁾‖/‖θ⁽ˡ⁾‖ per layer, the median over the last epochs, against [1e-5, 1e-1].

    Parameters
    ----------
    history : History or mapping
        Columns ``update_ratio_1``, ``update_ratio_2``, ...
    solver : str, optional
        ``"lbfgs"`` and ``"cg"`` give SKIP: their line search picks the step.
    """
    threshold = f"{RATIO_LOW:g} to {RATIO_HIGH:g} (≈ 1e-3)"
    if solver in SCIPY_SOLVERS:
        return [
            Finding(
                "update_ratio",
                SKIP,
                None,
                threshold,
                f"{solver} chooses each step by a line search; there is no learning rate to tune",
            )
        ]
    columns = sorted(
        (int(name.rsplit("_", 1)[1]), name)
        for name in history
        if name.startswith("update_ratio_") and name.rsplit("_", 1)[1].isdigit()
    )
    findings = []
    for layer, name in columns:
        values = np.asarray(history[name], dtype=np.float64)[-RATIO_LAST_EPOCHS:]
        values = values[np.isfinite(values)]
        if values.size == 0:
            continue
        ratio = float(np.median(values))
        status, advice = WARN, ""
        if ratio < RATIO_LOW:
            moved = "does not change at all" if ratio == 0 else "changes very little"
            message = (
                f"θ({layer}) {moved} per step (‖Δθ‖/‖θ‖ = {format_number(ratio)}): "
                "learning is crawling"
            )
            advice = (
                "raise learning_rate_init; if θ does not move at all, check the "
                "initialization (units stuck at zero pass no gradient)"
            )
        elif ratio > RATIO_HIGH:
            message = (
                f"each step changes θ({layer}) by {ratio:.0%} of its size: the steps are too large"
            )
            advice = "lower learning_rate_init"
        else:
            status = PASS
            message = f"each step changes θ({layer}) by {format_number(ratio)} of its size"
        details = {"epochs": int(values.size)}
        findings.append(
            Finding("update_ratio", status, ratio, threshold, message, advice, layer, details)
        )
    if not findings:
        return [Finding("update_ratio", SKIP, None, threshold, "no epoch recorded update ratios")]
    return findings
