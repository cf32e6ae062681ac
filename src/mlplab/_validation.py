"""Checks of user arguments that several modules share, with messages naming the fix.

Each check returns the value in its plain Python type or raises a ValueError of the form
``"<name> must be ..., got <value>"``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_int", "check_lam", "check_number", "check_sample_weight"]


def check_int(name: str, value, *, minimum: int, extra: str = "") -> int:
    """``value`` as an int if it is an integer >= ``minimum`` (not a bool).

    ``extra`` is appended to the requirement in the message, e.g. "(one per class)".
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        suffix = f" {extra}" if extra else ""
        raise ValueError(f"{name} must be an integer >= {minimum}{suffix}, got {value!r}")
    return int(value)


def check_number(name: str, value, *, minimum=None, strict: bool = False) -> float:
    """``value`` as a float if it is a finite real number >= ``minimum`` (> when ``strict``).

    The message states the whole requirement: "noise must be a finite number >= 0".
    """
    bound = "" if minimum is None else f" {'>' if strict else '>='} {minimum:g}"
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or (minimum is not None and (value <= minimum if strict else value < minimum))
    ):
        raise ValueError(f"{name} must be a finite number{bound}, got {value!r}")
    return float(value)


def check_lam(lam) -> float:
    """λ as a float if it is a finite number >= 0, else a ValueError."""
    if isinstance(lam, np.ndarray) and lam.ndim == 0 and lam.dtype.kind in "iuf":
        lam = lam.item()  # a 0-d array, as numpy reductions return
    if not (isinstance(lam, numbers.Real) and 0 <= lam < math.inf):
        raise ValueError(
            f"lam (λ, the regularization strength) must be a finite number >= 0, got {lam!r}"
        )
    return float(lam)


def check_sample_weight(sample_weight, m: int, dtype) -> np.ndarray | None:
    """Example weights as a contiguous 1-D array of ``dtype`` and length m (None stays None).

    Each weight must be finite and >= 0, and at least one > 0: the weighted cost divides
    the data term and the L2 term by Σw.
    """
    if sample_weight is None:
        return None
    weights = np.ascontiguousarray(sample_weight, dtype=dtype)
    if weights.shape != (m,):
        raise ValueError(
            f"sample_weight must have shape ({m},) (one weight per example), got {weights.shape}"
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("sample_weight must be finite and >= 0")
    if not weights.sum() > 0:
        raise ValueError("sample_weight must not be all zero: the cost divides by their sum")
    return weights
