"""Fixtures of the training-layer tests: the digits split and single-threaded BLAS."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from ._problems import Digits, load_digits_split


@pytest.fixture(autouse=True, scope="package")
def _one_blas_thread():
    """Run every test of this folder, and its module fixtures, with one BLAS thread.

    Bit-for-bit comparisons across processes (checkpoint resume) need the same thread
    count on both sides, and on small matrices one thread is also the fastest and the
    least disturbed by whatever else runs on the machine.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="session")
def digits() -> Digits:
    """scikit-learn's digits, X/16, stratified 75/25 split with random_state=0."""
    return load_digits_split()


@pytest.fixture
def small_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded 3-class problem: X (240, 6), one-hot Y (240, 3), and a validation pair."""
    from ._problems import synthetic_classes

    return synthetic_classes()
