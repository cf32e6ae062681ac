"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import numpy as np
import pytest


def pytest_report_header(config) -> list[str]:
    """Which BLAS kernel runs the matrix products: rounding, and some tests' figures, differ."""
    from threadpoolctl import threadpool_info

    np.ones((2, 2)) @ np.ones((2, 2))  # loads the BLAS library, so threadpoolctl sees it
    return [f"threadpool_info: {threadpool_info()}"]


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded Generator for test data (never numpy's global state)."""
    return np.random.default_rng(12345)


@pytest.fixture
def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR examples: X of shape (4, 2) and Y of shape (4, 1)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, Y
