"""The scores the trainer records per epoch: accuracy for classification, R² for regression."""

from __future__ import annotations

import numpy as np

__all__ = [
    "class_indices",
    "count_correct",
    "r2",
    "r2_from_sums",
    "right_rows",
    "total_sum_of_squares",
    "weighted_score",
]


def class_indices(Y: np.ndarray) -> np.ndarray:
    """Row-wise arg-max of one-hot targets: the class index of each example."""
    return Y.argmax(axis=1)


def count_correct(task: str, output: np.ndarray, Y: np.ndarray, labels, index) -> int:
    """How many examples of a batch the outputs get right, for a classification task."""
    return int(
        np.count_nonzero(right_rows(task, output, Y, None if labels is None else labels[index]))
    )


def right_rows(task: str, output: np.ndarray, Y: np.ndarray, labels) -> np.ndarray:
    """Per example, whether the outputs get it right (``labels``: class indices, multiclass)."""
    if task == "multiclass":
        return output.argmax(axis=1) == labels
    predicted = output >= 0.5
    truth = Y >= 0.5
    if task == "binary":
        return predicted[:, 0] == truth[:, 0]
    return (predicted == truth).all(axis=1)


def weighted_score(task: str, output: np.ndarray, Y: np.ndarray, labels, weights) -> float:
    """Accuracy or R² with example weights, as scikit-learn's ``score(..., sample_weight)``."""
    if task != "regression":
        return float(np.vdot(weights, right_rows(task, output, Y, labels)) / weights.sum())
    w = np.asarray(weights, dtype=np.float64)[:, np.newaxis]
    with np.errstate(over="ignore", invalid="ignore"):
        residual = (w * (Y - output) ** 2).sum(axis=0)
    return r2_from_sums(residual, total_sum_of_squares(Y, weights))


def r2(output: np.ndarray, Y: np.ndarray) -> float:
    """Coefficient of determination, averaged uniformly over outputs (scikit-learn's r2_score)."""
    with np.errstate(over="ignore", invalid="ignore"):
        residual = ((Y - output) ** 2).sum(axis=0)
    return r2_from_sums(residual, total_sum_of_squares(Y))


def total_sum_of_squares(Y: np.ndarray, weights=None) -> np.ndarray:
    """Σᵢ (yᵢ − ȳ)² per output, in float64: shape (n_out,); Σᵢ wᵢ (yᵢ − ȳ_w)² with weights."""
    Y = np.asarray(Y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd targets give inf: R² → 1 − x/inf
        if weights is None:
            return ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        w = np.asarray(weights, dtype=np.float64)[:, np.newaxis]
        return (w * (Y - (w * Y).sum(axis=0) / w.sum()) ** 2).sum(axis=0)


def r2_from_sums(residual: np.ndarray, total: np.ndarray) -> float:
    """R² = 1 − SS_res/SS_tot per output, averaged; a constant target scores 1 if fitted exactly."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(
            total > 0,
            1.0 - residual / np.where(total > 0, total, 1.0),
            np.where(residual == 0, 1.0, 0.0),
        )
    return float(scores.mean())
