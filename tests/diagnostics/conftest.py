"""Shared data for the diagnostics tests: scikit-learn's bundled digits, scaled to [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 8×8 digits: X of shape (1797, 64) in [0, 1] (pixels / 16), y in 0..9."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y
