"""The scores the trainer records per epoch: accuracy for classification, R² for regression."""

from __future__ import annotations

import numpy as np

__all__ = ["class_indices", "count_correct", "r2", "r2_from_sums", "total_sum_of_squares"]


def class_indices(Y: np.ndarray) -> np.ndarray:
    """Row-wise arg-max of one-hot targets: the class index of each example."""
    return Y.argmax(axis=1)


def count_correct(task: str, output: np.ndarray, Y: np.ndarray, labels, index) -> int:
    """How many examples of a batch the outputs get right, for a classification task."""
    if task == "multiclass":
        return int(np.count_nonzero(output.argmax(axis=1) == labels[index]))
    predicted = output >= 0.5
    truth = Y >= 0.5
    if task == "binary":
        return int(np.count_nonzero(predicted[:, 0] == truth[:, 0]))
    return int(np.count_nonzero((predicted == truth).all(axis=1)))


def r2(output: np.ndarray, Y: np.ndarray) -> float:
    """Coefficient of determination, averaged uniformly over outputs (scikit-learn's r2_score)."""
    with np.errstate(over="ignore", invalid="ignore"):
        residual = ((Y - output) ** 2).sum(axis=0)
    return r2_from_sums(residual, total_sum_of_squares(Y))


def total_sum_of_squares(Y: np.ndarray) -> np.ndarray:
    """Σᵢ (yᵢ − ȳ)² per output, in float64: shape (n_out,)."""
    Y = np.asarray(Y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd targets give inf: R² → 1 − x/inf
        return ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)


def r2_from_sums(residual: np.ndarray, total: np.ndarray) -> float:
    """R² = 1 − SS_res/SS_tot per output, averaged; a constant target scores 1 if fitted exactly."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(
            total > 0,
            1.0 - residual / np.where(total > 0, total, 1.0),
            np.where(residual == 0, 1.0, 0.0),
        )
    return float(scores.mean())
