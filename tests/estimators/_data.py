"""Small, seeded problems shared by the estimator tests (nothing is downloaded)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_iris, make_blobs, make_multilabel_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def iris():
    """Standardized iris: X of shape (150, 4), y in {0, 1, 2}."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def blobs(n_classes: int = 4, n_samples: int = 240, seed: int = 0):
    """Well-separated Gaussian blobs split 2:1 into train and test (stratified)."""
    X, y = make_blobs(
        n_samples=n_samples, centers=n_classes, n_features=2, cluster_std=1.0, random_state=seed
    )
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=1 / 3, stratify=y, random_state=seed)


def multilabel(seed: int = 0):
    """An indicator-matrix problem: X of shape (200, 8), Y of shape (200, 3) in {0, 1}."""
    X, Y = make_multilabel_classification(
        n_samples=200, n_features=8, n_classes=3, n_labels=2, random_state=seed
    )
    return StandardScaler().fit_transform(X), Y


def regression(n_outputs: int = 1, seed: int = 0):
    """y = sin(x₁) + x₂² (and a second linear target): X of shape (200, 2)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(200, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
    if n_outputs == 1:
        return X, y
    return X, np.column_stack([y, X[:, 0] - 2.0 * X[:, 1]])
