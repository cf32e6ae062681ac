"""Scores of a network's outputs: accuracy, R² and log loss, each defined once.

Training's history, the diagnostics, the report and the command line all score through
these functions (the fused training kernels count correct rows inside their element-wise
pass, and a test holds them to :func:`count_correct`).

Outputs and targets are in the network's layout, one row per example: ``output`` is
h_θ(X) of shape (m, K) and ``Y`` the targets the network was trained on (one-hot rows for
multiclass, a 0/1 column for binary, 0/1 columns for multi-label, values for regression).

===========  ==========================================================================
task         a row is right when
===========  ==========================================================================
multiclass   arg-max of the outputs = arg-max of the one-hot target (the first maximum
             of a row, as ``numpy.argmax``)
binary       output ≥ 0.5 agrees with target ≥ 0.5 (column 0)
multilabel   every output ≥ 0.5 agrees with its target ≥ 0.5
===========  ==========================================================================

The 0.5 is :data:`THRESHOLD`; the compiled kernels read it from here.
"""

from __future__ import annotations

import numpy as np

from .tasks import CLASSIFICATION_TASKS

__all__ = [
    "CLASSIFICATION_TASKS",
    "THRESHOLD",
    "accuracy",
    "class_labels",
    "correct_rows",
    "count_correct",
    "log_loss",
    "r2",
    "r2_from_sums",
    "total_sum_of_squares",
]


#: A sigmoid output (binary, multi-label) says "yes" from here on, and so does a target.
THRESHOLD = 0.5


def correct_rows(task: str, output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Whether each row of ``output`` (m, K) is right for the targets ``Y`` (m, K): (m,) bool.

    ``task`` is one of :data:`CLASSIFICATION_TASKS`; see the module's table.
    """
    if task not in CLASSIFICATION_TASKS:
        raise ValueError(f"task must be one of {CLASSIFICATION_TASKS}, got {task!r}")
    if task == "multilabel":
        return ((output >= THRESHOLD) == (Y >= THRESHOLD)).all(axis=1)
    return class_labels(task, output) == class_labels(task, Y)


def count_correct(task: str, output: np.ndarray, Y: np.ndarray) -> int:
    """How many rows of ``output`` (m, K) are right for the targets ``Y``: :func:`correct_rows`."""
    return int(np.count_nonzero(correct_rows(task, output, Y)))


def class_labels(task: str, Y: np.ndarray) -> np.ndarray | None:
    """The class index of each row of targets or outputs ``Y`` (m, K), by the module's rules.

    multiclass: the arg-max of the row; binary: 1 where column 0 is ≥ :data:`THRESHOLD`,
    else 0. None for the other tasks, whose rows have no single class.
    """
    if task == "multiclass":
        return Y.argmax(axis=1)
    if task == "binary":
        return (Y[:, 0] >= THRESHOLD).astype(np.intp)
    return None


def accuracy(task: str, output: np.ndarray, Y: np.ndarray, weights=None) -> float:
    """The fraction of rows right, :func:`count_correct` / m (NaN for no rows).

    With example ``weights`` (m,): Σ wᵢ [row i right] / Σ wᵢ, as scikit-learn's
    ``accuracy_score(..., sample_weight=...)``.
    """
    if weights is not None:
        return float(np.vdot(weights, correct_rows(task, output, Y)) / np.sum(weights))
    m = np.shape(output)[0]
    return count_correct(task, output, Y) / m if m else float("nan")


def total_sum_of_squares(Y: np.ndarray, weights=None) -> np.ndarray:
    """Σᵢ (yᵢ − ȳ)² per output column, in float64: shape (K,), R²'s denominator.

    With example ``weights``: Σᵢ wᵢ (yᵢ − ȳ_w)², ȳ_w the weighted mean.
    """
    Y = np.asarray(Y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd targets give inf: R² → 1 − x/inf
        if weights is None:
            return ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        w = np.asarray(weights, dtype=np.float64)[:, np.newaxis]
        return (w * (Y - (w * Y).sum(axis=0) / w.sum()) ** 2).sum(axis=0)


def r2_from_sums(residual: np.ndarray, total: np.ndarray) -> float:
    """R² = 1 − SS_res / SS_tot per output column, averaged over the columns.

    A constant target column (SS_tot = 0) scores 1 when it is fitted exactly and 0
    otherwise: scikit-learn's ``r2_score`` rule, so estimators' ``score`` agrees.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(
            total > 0,
            1.0 - residual / np.where(total > 0, total, 1.0),
            np.where(residual == 0, 1.0, 0.0),
        )
    return float(scores.mean())


def r2(output: np.ndarray, Y: np.ndarray, weights=None) -> float:
    """Coefficient of determination of ``output`` for ``Y``, both (m, K): :func:`r2_from_sums`.

    With example ``weights`` (m,) both sums are weighted, as scikit-learn's
    ``r2_score(..., sample_weight=...)``.
    """
    output = np.asarray(output, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(output.shape)
    w = 1.0 if weights is None else np.asarray(weights, dtype=np.float64)[:, np.newaxis]
    with np.errstate(over="ignore", invalid="ignore"):
        residual = (w * (Y - output) ** 2).sum(axis=0)
    return r2_from_sums(residual, total_sum_of_squares(Y, weights))


def log_loss(Y: np.ndarray, P: np.ndarray) -> float:
    """Cross-entropy of class probabilities: −1/m Σᵢ Σₖ yᵢₖ log pᵢₖ.

    Parameters
    ----------
    Y : ndarray of shape (m, K)
        One-hot targets.
    P : ndarray of shape (m, K)
        Predicted probabilities (``predict_proba``), clipped to [eps, 1 − eps] of their
        dtype so that a confident mistake costs a large but finite loss (as scikit-learn's
        ``log_loss``).
    """
    P = np.asarray(P)
    eps = np.finfo(P.dtype if np.issubdtype(P.dtype, np.floating) else np.float64).eps
    P = np.clip(np.asarray(P, dtype=np.float64), eps, 1.0 - eps)
    Y = np.asarray(Y, dtype=np.float64).reshape(P.shape)
    return float(-np.sum(Y * np.log(P)) / P.shape[0])
