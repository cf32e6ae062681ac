"""Checks of arguments shared by the numerical modules."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_lam"]


def check_lam(lam) -> float:
    """λ as a float if it is a finite number >= 0, else a ValueError."""
    if isinstance(lam, np.ndarray) and lam.ndim == 0 and lam.dtype.kind in "iuf":
        lam = lam.item()  # a 0-d array, as numpy reductions return
    if not (isinstance(lam, numbers.Real) and 0 <= lam < math.inf):
        raise ValueError(
            f"lam (λ, the regularization strength) must be a finite number >= 0, got {lam!r}"
        )
    return float(lam)
