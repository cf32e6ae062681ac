"""Fixtures of the reliability battery: single-threaded BLAS, small data, a model file."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="package")
def _one_blas_thread():
    """Run the battery with one BLAS thread, as its child processes do.

    A run resumed in this process after being killed in another must give the same bits
    as an uninterrupted run here; that holds only with the same BLAS thread count on both
    sides (threaded reductions may sum in another order).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield
