"""Hidden-unit activation functions f and their derivatives f′.

Every function here works **in place** on a batch of pre-activations ``Z`` of shape
``(m, u)`` (examples as rows), turning it into the activations ``A = f(Z)``. The
derivatives are written in terms of the activations, as on the lecture's slide
"f′(z⁽ˡ⁾) → a⁽ˡ⁾ .* (1 − a⁽ˡ⁾)", so the forward pass never has to keep ``Z``:

==========  =======================  ==============================
name        f(z)                     f′(z) written with a = f(z)
==========  =======================  ==============================
sigmoid     1 / (1 + e^(−z))         a (1 − a)
tanh        tanh(z)                  1 − a²
relu        max(z, 0)                1 if a > 0 else 0
identity    z                        1
==========  =======================  ==============================

``inplace_derivative(A, delta)`` multiplies ``delta`` by f′ element-wise, which is the
``.* f′(z⁽ˡ⁾)`` step of backpropagation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import expit

__all__ = ["ACTIVATIONS", "DERIVATIVES", "HIDDEN_ACTIVATIONS", "resolve_activation"]

#: Names accepted for the same function (scikit-learn calls the sigmoid "logistic").
ALIASES = {"logistic": "sigmoid"}


def inplace_sigmoid(Z: np.ndarray) -> None:
    """Z ← 1 / (1 + e^(−Z)); scipy's ``expit`` never overflows, even for |z| = 1e4."""
    expit(Z, out=Z)


def inplace_tanh(Z: np.ndarray) -> None:
    """Z ← tanh(Z)."""
    np.tanh(Z, out=Z)


def inplace_relu(Z: np.ndarray) -> None:
    """Z ← max(Z, 0)."""
    np.maximum(Z, 0, out=Z)


def inplace_identity(Z: np.ndarray) -> None:
    """Z is left as it is."""


def inplace_sigmoid_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    """delta ← delta .* a(1 − a)."""
    delta *= A
    delta *= 1 - A


def inplace_tanh_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    """delta ← delta .* (1 − a²)."""
    delta *= 1 - A**2


def inplace_relu_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    """delta ← 0 where the unit was off (a = 0); relu′(0) is taken as 0."""
    delta[A <= 0] = 0


def inplace_identity_derivative(A: np.ndarray, delta: np.ndarray) -> None:
    """delta is left as it is: f′ = 1."""


ACTIVATIONS: dict[str, Callable[[np.ndarray], None]] = {
    "sigmoid": inplace_sigmoid,
    "tanh": inplace_tanh,
    "relu": inplace_relu,
    "identity": inplace_identity,
}

DERIVATIVES: dict[str, Callable[[np.ndarray, np.ndarray], None]] = {
    "sigmoid": inplace_sigmoid_derivative,
    "tanh": inplace_tanh_derivative,
    "relu": inplace_relu_derivative,
    "identity": inplace_identity_derivative,
}

HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)


def resolve_activation(name: str) -> str:
    """Return the canonical name of a hidden activation, or raise a ValueError listing them."""
    canonical = ALIASES.get(name, name)
    if canonical not in ACTIVATIONS:
        valid = ", ".join(repr(n) for n in (*ACTIVATIONS, *ALIASES))
        raise ValueError(f"unknown activation {name!r}; valid activations are {valid}")
    return canonical


def derivative(name: str, A: np.ndarray) -> np.ndarray:
    """Return f′(z) as a new array, from the activations ``A = f(z)`` (for readable code)."""
    fprime = np.ones_like(A)
    DERIVATIVES[name](A, fprime)
    return fprime


#: The range of each bounded activation: a saturates near its limits.
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
#: A sigmoid or tanh unit closer than this to a limit is saturated: there f′ is below
#: 0.0099 (sigmoid, a(1 − a)) or 0.02 (tanh, 1 − a²), under 4% of its peak, so the unit
#: passes back almost no gradient. (At 0.05 it would still pass a fifth of its peak:
#: slow, but learning.)
SATURATION_MARGIN = 0.01


def saturated(name: str, A: np.ndarray) -> np.ndarray:
    """Which activations ``A = f(z)`` of a bounded f are within :data:`SATURATION_MARGIN`
    of a limit (all False for an unbounded f such as relu)."""
    if name not in RANGES:
        return np.zeros(np.shape(A), dtype=bool)
    low, high = RANGES[name]
    return (low + SATURATION_MARGIN > A) | (high - SATURATION_MARGIN < A)
