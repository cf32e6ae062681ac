"""``diagnose``: run every check on a configuration and data, and collect the findings."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers
import time
import warnings

import numpy as np

from .._rng import as_generator
from ..solvers import SCIPY_SOLVERS
from ..training import DivergenceWarning, Trainer, one_blas_thread
from ._result import CHECKS, FAIL, Diagnosis, Finding, reconcile_advice
from ._setup import Setup, check_inputs, prepare, resolve_params, subsample
from .data_checks import check_class_balance, check_feature_scale, check_finite, check_leakage
from .fit_checks import check_fit
from .model_checks import (
    check_gradient,
    check_initial_loss,
    check_regularization,
    check_saturation,
    check_symmetry,
)
from .training_checks import check_loss_trend, check_overfit_small, check_update_ratios

__all__ = ["diagnose", "diagnose_run", "run_findings"]

#: The short run trains on at most this many examples and validates on at most this many.
MAX_TRAIN_EXAMPLES = 2000
MAX_VAL_EXAMPLES = 1000
#: Inputs kept on the diagnosis for activation histograms, and fed to the saturation check.
SAMPLE_SIZE = 500
#: Length of the short run: enough epochs for about this many optimizer steps, within bounds.
SHORT_RUN_STEPS = 300
SHORT_RUN_MIN_EPOCHS = 30
SHORT_RUN_MAX_EPOCHS = 300


def diagnose(
    estimator_or_config,
    X,
    y,
    *,
    validation_data=None,
    validation_fraction: float = 0.2,
    quick: bool = False,
    random_state=0,
    epochs: int | None = None,
) -> Diagnosis:
    """Babysit a configuration on data: run the practical checks and explain what they find.

    The checks (see :mod:`mlplab.diagnostics` for every rule and threshold):

    - data: finite values, feature scaling, class balance, train/validation duplicates;
    - the network at initialization: gradient check, initial loss, regularization term,
      symmetry breaking (and, when ``quick``, saturated or dead units);
    - training (skipped when ``quick``): overfitting 20 examples, then a short run
      (a few hundred optimizer steps on at most 2,000 examples) that is watched like the
      lecture's learning curves: does the loss go down, are the update/weight ratios near
      1e-3, are units saturated or dead, is there a train/validation gap (overfitting) or
      are both scores low (underfitting).

    Parameters
    ----------
    estimator_or_config : estimator or dict
        An object with ``get_params()`` (``mlplab.MLPClassifier``, scikit-learn's
        ``MLPClassifier``, ...) or a dict with the same names: ``hidden_layer_sizes``,
        ``activation`` ("logistic" is the sigmoid), ``solver``, ``alpha``, ``batch_size``,
        ``learning_rate_init``, ``max_iter``, ``random_state``, ... and mlplab's extras
        ``output``, ``initializer``, ``init_epsilon``, ``dtype``. Its weights, if fitted,
        are not used: a fresh network of that configuration is diagnosed.
    X : array-like of shape (m, n_features)
    y : array-like of shape (m,) or (m, n_targets)
        Class labels (integers, strings, or floats with at most 20 integer values) or
        regression targets (other floats). An estimator whose class name contains
        "Regressor" always means regression, "Classifier" classification.
    validation_data : (X_val, y_val), optional
        Held-out data; by default ``validation_fraction`` of (X, y) is split off
        (stratified for classes).
    validation_fraction : float, default=0.2
    quick : bool, default=False
        Run only the checks that need no training (a fraction of a second).
    random_state : None, int or numpy.random.Generator, default=0
        Seeds the split, the subsets and the short run; the network is initialized from
        the configuration's ``random_state`` when it has one, else from this.
    epochs : int, optional
        Length of the short run. By default enough epochs for 300 optimizer steps, at
        least 30 and at most 300.

    Returns
    -------
    Diagnosis
        ``findings``, ``has_failures``, ``worst``, ``format_table()``, and the trained
        network, a sample batch and the history for plots.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> import mlplab
    >>> X, y = load_digits(return_X_y=True)
    >>> d = mlplab.diagnose({"hidden_layer_sizes": (32,)}, X / 16, y, quick=True)
    >>> d.status_of("symmetry"), d.status_of("gradient_check")
    ('PASS', 'PASS')
    """
    started = time.perf_counter()
    if epochs is not None and (
        isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1
    ):
        raise ValueError(f"epochs must be a positive integer or None, got {epochs!r}")
    rng = as_generator(random_state)
    params, hint = resolve_params(estimator_or_config)
    X, y, validation_data = check_inputs(X, y, validation_data, validation_fraction)
    finite = check_finite(*_all_data(X, y, validation_data))
    if finite.status == FAIL:
        return Diagnosis(
            [finite], "unknown", params, quick=quick, seconds=time.perf_counter() - started
        )
    setup = prepare(
        estimator_or_config,
        params,
        hint,
        X,
        y,
        validation_data=validation_data,
        validation_fraction=validation_fraction,
        rng=rng,
    )
    regression = setup.task == "regression"
    findings = [
        finite,
        check_feature_scale(setup.X_train, setup.Y_train if regression else None),
        check_class_balance(setup.labels_train, setup.classes),
        check_leakage(setup.X_train, setup.X_val, split_here=setup.split_here),
    ]
    rows = subsample(setup.X_train.shape[0], MAX_TRAIN_EXAMPLES, rng)
    X_tr, Y_tr = setup.X_train[rows], setup.Y_train[rows]
    rows = subsample(setup.X_val.shape[0], MAX_VAL_EXAMPLES, rng)
    X_va, Y_va = setup.X_val[rows], setup.Y_val[rows]
    sample = X_tr[subsample(X_tr.shape[0], SAMPLE_SIZE, rng)]
    initial = setup.network
    lam = setup.config.alpha
    with _calm():
        findings += _initial_checks(initial, X_tr, Y_tr, lam, rng)
        if quick:
            findings += check_saturation(initial, sample)
            return Diagnosis(
                findings,
                setup.task,
                params,
                net=initial,
                initial_net=initial,
                sample=sample,
                quick=True,
                seconds=time.perf_counter() - started,
            )
        findings.append(check_overfit_small(initial, X_tr, Y_tr, setup.task, random_state=rng))
        net = initial.copy()
        trainer = _short_run(setup, net, (X_tr, Y_tr), (X_va, Y_va), epochs, rng)
        findings += _run_checks(
            initial, net, trainer.history, task=setup.task, config=setup.config,
            train=(X_tr, Y_tr), validation=(X_va, Y_va), stop_reason=trainer.stop_reason,
            sample=sample,
        )  # fmt: skip
    return Diagnosis(
        reconcile_advice(findings),
        setup.task,
        params,
        net=net,
        initial_net=initial,
        sample=sample,
        history=trainer.history,
        stop_reason=trainer.stop_reason,
        quick=False,
        seconds=time.perf_counter() - started,
        source=f"a short run of {trainer.history.n_epochs} epochs on at most "
        f"{MAX_TRAIN_EXAMPLES} examples that the checks trained themselves, not a saved run",
    )


def diagnose_run(
    estimator, X, y, *, validation_data=None, random_state=0, feature_names=None
) -> Diagnosis:
    """The checks on a trained estimator: what a run's report says about that run.

    Unlike :func:`diagnose`, which trains its own short run of a configuration, every
    figure here comes from the run itself: the data checks from its data, the checks at
    initialization from the network its ``fit`` started from (the same ``random_state``
    draws the same θ₀), the loss trend and update ratios from its ``history_``,
    saturation and over-/underfitting from its final weights and its own training and
    validation data. One check needs an extra short run and says so in its finding:
    overfitting a tiny subset (20 examples) from θ₀.

    Parameters
    ----------
    estimator : fitted MLPClassifier or MLPRegressor
        With ``network_``, ``history_`` and ``stop_reason_`` (trained on X, y as given).
    X, y, validation_data
        The data it was trained and validated on, as ``fit`` saw it.
    random_state : None, int or numpy.random.Generator, default=0
        Seeds the subsets and the extra short run.
    feature_names : sequence of str, optional
        The columns' names, for the messages (else the estimator's ``feature_names_in_``).

    Returns
    -------
    Diagnosis
        ``net`` is the run's trained network and ``history`` its history.
    """
    started = time.perf_counter()
    network = getattr(estimator, "network_", None)
    history = getattr(estimator, "history_", None)
    if network is None or history is None:
        raise ValueError("diagnose_run needs a fitted estimator; call fit first (or diagnose)")
    rng = as_generator(random_state)
    params, hint = resolve_params(estimator)
    X, y, validation_data = check_inputs(X, y, validation_data, 0.2)
    finite = check_finite(*_all_data(X, y, validation_data))
    setup = prepare(
        estimator, params, hint, X, y, validation_data=validation_data,
        validation_fraction=0.2, rng=rng,
    )  # fmt: skip
    regression = setup.task == "regression"
    if feature_names is None:
        feature_names = getattr(estimator, "feature_names_in_", None)
    findings = [
        finite,
        check_feature_scale(
            setup.X_train, setup.Y_train if regression else None, feature_names=feature_names
        ),
        check_class_balance(setup.labels_train, setup.classes),
        check_leakage(setup.X_train, setup.X_val, split_here=False),
    ]
    X_tr, Y_tr = setup.X_train, setup.Y_train
    sample = X_tr[subsample(X_tr.shape[0], SAMPLE_SIZE, rng)]
    initial = setup.network
    stop_reason = getattr(estimator, "stop_reason_", None)
    validation = (setup.X_val, setup.Y_val) if setup.X_val.shape[0] else None
    findings += run_findings(
        initial, network, history, task=setup.task, config=setup.config, train=(X_tr, Y_tr),
        validation=validation, stop_reason=stop_reason, sample=sample, random_state=rng,
    )  # fmt: skip
    with _calm():
        rows = subsample(X_tr.shape[0], MAX_TRAIN_EXAMPLES, rng)
        small = check_overfit_small(initial, X_tr[rows], Y_tr[rows], setup.task, random_state=rng)
    note = " (an extra short run on a tiny subset, not this run)"
    findings.append(dataclasses.replace(small, message=small.message + note))
    order = list(CHECKS)
    findings.sort(key=lambda finding: order.index(finding.check))  # stable: layers stay in order
    return Diagnosis(
        reconcile_advice(findings),
        setup.task,
        params,
        net=network,
        initial_net=initial,
        sample=sample,
        history=history,
        stop_reason=stop_reason,
        quick=False,
        seconds=time.perf_counter() - started,
        source=f"this run: its data, its initial and final weights and its {history.n_epochs} "
        "epochs of history (overfitting a tiny subset is an extra short run)",
    )


def run_findings(
    initial,
    net,
    history=None,
    *,
    task: str,
    config,
    train: tuple,
    validation: tuple | None = None,
    stop_reason: str | None = None,
    sample=None,
    random_state=0,
) -> list[Finding]:
    """The doctor's findings that a run's own record supports, with no training at all.

    What the lecture's babysitting reads off a run, and what :func:`diagnose_run` reports
    about a trained estimator (which adds the data checks and one extra short run):

    - the network the run started from, θ₀: gradient check, J(θ₀) against chance,
      the λ term, symmetry (identical hidden units);
    - the run's history: the loss going down against J(θ₀), the update/weight ratios;
    - its network now, on its own data: saturated or dead units, over- and underfitting
      (train/validation gap, low scores).

    The history checks and over-/underfitting need a run: before its first epoch only
    θ₀'s checks and saturation are made (and "loss goes down" SKIPs).

    Parameters
    ----------
    initial : Network
        θ₀, as the run's ``fit`` drew it (e.g. ``build_training(...).network``).
    net : Network
        The run's network now (after the epochs of ``history``).
    history : History or mapping, optional
        One row per epoch: ``train_loss``, ``val_loss``, ``update_ratio_<l>``, ...
    task : {"binary", "multiclass", "multilabel", "regression"}
    config : TrainingConfig
        The run's hyperparameters (λ, solver, batch size).
    train : (X, Y)
        The run's training inputs and its network's targets (encoded as ``fit`` encodes
        them, e.g. ``build_training(...).X`` and ``.Y``).
    validation : (X_val, Y_val), optional
        Its validation data, encoded the same way; without it over-/underfitting are not
        judged.
    stop_reason : str, optional
        The trainer's ``stop_reason`` ("diverged" fails the loss trend).
    sample : ndarray, optional
        The inputs saturation is measured on; by default up to 500 training rows.
    random_state : None, int or numpy.random.Generator, default=0
        Chooses the sample and the gradient check's examples.

    Returns
    -------
    list of Finding
        In the order of :data:`~mlplab.diagnostics.CHECKS`; where one finding asks for a
        lower learning rate, advice elsewhere to raise it points back to that finding.
    """
    rng = as_generator(random_state)
    X, Y = train
    if sample is None:
        sample = X[subsample(X.shape[0], SAMPLE_SIZE, rng)]
    with _calm():
        findings = _initial_checks(initial, X, Y, config.alpha, rng)
        findings += _run_checks(
            initial, net, history, task=task, config=config, train=train,
            validation=validation, stop_reason=stop_reason, sample=sample,
        )  # fmt: skip
    return reconcile_advice(findings)


def _run_checks(
    initial, net, history, *, task, config, train, validation, stop_reason, sample
) -> list:
    """The checks of a run's history and of its network now (see :func:`run_findings`)."""
    if (history is None or len(history) == 0) and stop_reason is None:
        # nothing trained yet: "loss goes down" says so; θ₀ is all there is to see
        return [check_loss_trend({}, math.nan), *check_saturation(net, sample)]
    history = {} if history is None else history  # (a run that diverged in its first epoch)
    X, Y = train
    findings = [check_loss_trend(history, _initial_objective(initial, X, Y, config), stop_reason)]
    findings += check_update_ratios(history, config.solver)
    findings += check_saturation(net, sample)
    if validation is not None and validation[0].shape[0]:
        findings += check_fit(net, task, train, validation, history, stop_reason)
    return findings


def _initial_objective(initial, X, Y, config) -> float:
    """J(θ₀) on (X, Y) as an epoch's ``train_loss`` counts it (the λ term once per step)."""
    m = X.shape[0]
    penalty = initial.penalty(config.alpha, m)
    return float(initial.cost(X, Y, 0.0) + _steps_per_epoch(config, m) * penalty)


def _steps_per_epoch(config, m: int) -> int:
    """Optimizer steps per epoch: one for full-batch solvers, ⌈m / batch size⌉ otherwise."""
    if config.solver in SCIPY_SOLVERS:
        return 1
    return math.ceil(m / config.batch_size_for(m))


def _initial_checks(initial, X, Y, lam: float, rng) -> list:
    """The checks of the network as initialized: gradient, J(θ₀), the λ term, symmetry."""
    return [
        check_gradient(initial, X, Y, lam, random_state=rng),
        check_initial_loss(initial, X, Y),
        check_regularization(initial, X, Y, lam),
        check_symmetry(initial),
    ]


def _all_data(X, y, validation_data):
    """X with the validation inputs below it, and the numeric targets, for the finite check."""
    if validation_data is None:
        return X, y
    X_val, y_val = validation_data
    if X_val.shape[1] != X.shape[1]:
        return X, y  # the estimator names the mismatch
    targets = None
    if y.dtype.kind == "f" and y_val.dtype.kind == "f" and y.shape[1:] == y_val.shape[1:]:
        targets = np.concatenate([y, y_val])
    return np.vstack([X, X_val]), targets


def _short_run(setup: Setup, net, train, validation, epochs, rng) -> Trainer:
    """Train ``net`` in place for the short run; return the trainer (history, stop reason)."""
    if epochs is None:
        steps = _steps_per_epoch(setup.config, train[0].shape[0])
        epochs = math.ceil(SHORT_RUN_STEPS / steps)
        epochs = min(SHORT_RUN_MAX_EPOCHS, max(SHORT_RUN_MIN_EPOCHS, epochs))
    trainer = Trainer(net, setup.config, task=setup.task, random_state=rng, handle_signals=())
    with warnings.catch_warnings():
        # Divergence is reported as a finding; the warning would only repeat it.
        warnings.simplefilter("ignore", DivergenceWarning)
        trainer.fit(*train, validation_data=validation, epochs=epochs)
    return trainer


@contextlib.contextmanager
def _calm():
    """One BLAS thread and no floating-point warnings while the checks run.

    The checks' matrices are small; on them BLAS threads cost more in start-up and
    spin-waiting than they save (on a busy 2-core machine, ten times more). Overflow in a
    badly configured network is what some checks are looking for, so it is not warned
    about twice.
    """
    with (
        one_blas_thread,
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
    ):
        yield
