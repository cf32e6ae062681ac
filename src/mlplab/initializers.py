"""Random initialization of θ⁽ˡ⁾ ("not to zero!").

If every weight starts equal, every hidden unit of a layer computes the same function,
receives the same δ and the same update, and stays a copy of its neighbours for ever: the
layer behaves like a single unit. Drawing θ at random breaks that symmetry. The lecture's
rule draws every θ⁽ˡ⁾ᵢⱼ, bias column included, uniformly in [−ε, ε].

Each initializer fills one layer's θ⁽ˡ⁾ of shape ``(u_out, u_in + 1)`` (bias in column 0)
in place, from an explicit ``numpy.random.Generator``:

=========  ==============================================================================
name       rule
=========  ==============================================================================
uniform    θ ~ U[−ε, ε]; ε = ``init_epsilon`` given, or ε = √6 / √(u_in + u_out)
glorot     θ ~ U[−b, b], b = √(c / (u_in + u_out)), c = 2 for sigmoid units, 6 otherwise
           (Glorot & Bengio 2010, with the gain scikit-learn's MLP uses)
he         W ~ N(0, 2 / u_in), bias 0 (He et al. 2015; suits relu)
zeros      θ = 0 — breaks nothing and learns nothing; only to show the symmetry problem
=========  ==============================================================================

The initializer's ε is called ``init_epsilon`` everywhere (here, in :class:`mlplab.Network`
and in the estimators), apart from Adam's ε and gradient checking's step, both ``epsilon``.
The old keyword ``epsilon`` still works here for one release, with a DeprecationWarning.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable

import numpy as np

__all__ = ["INITIALIZERS", "renamed_epsilon", "resolve_initializer"]


def init_uniform(
    theta: np.ndarray, rng: np.random.Generator, *, init_epsilon: float | None, activation: str
) -> None:
    """θ ← U[−ε, ε] with ε = ``init_epsilon``; with None, ε = √6/√(u_in + u_out)."""
    n_out, n_in_plus_bias = theta.shape
    epsilon = init_epsilon
    if epsilon is None:
        epsilon = math.sqrt(6.0) / math.sqrt(n_in_plus_bias - 1 + n_out)
    theta[...] = rng.uniform(-epsilon, epsilon, size=theta.shape)


def init_glorot(
    theta: np.ndarray, rng: np.random.Generator, *, init_epsilon: float | None, activation: str
) -> None:
    """θ ← U[−b, b], b = √(c/(u_in + u_out)); c = 2 for sigmoid, 6 otherwise."""
    n_out, n_in_plus_bias = theta.shape
    gain = 2.0 if activation == "sigmoid" else 6.0
    bound = math.sqrt(gain / (n_in_plus_bias - 1 + n_out))
    theta[...] = rng.uniform(-bound, bound, size=theta.shape)


def init_he(
    theta: np.ndarray, rng: np.random.Generator, *, init_epsilon: float | None, activation: str
) -> None:
    """W ← N(0, 2/u_in), bias ← 0."""
    n_out, n_in_plus_bias = theta.shape
    theta[:, 0] = 0.0
    theta[:, 1:] = rng.normal(
        0.0, math.sqrt(2.0 / (n_in_plus_bias - 1)), size=(n_out, n_in_plus_bias - 1)
    )


def init_zeros(
    theta: np.ndarray, rng: np.random.Generator, *, init_epsilon: float | None, activation: str
) -> None:
    """θ ← 0 (the failure the lecture warns about)."""
    theta[...] = 0.0


def renamed_epsilon(owner: str, epsilon, init_epsilon):
    """``init_epsilon``, or the deprecated ``epsilon`` given in its place (with a warning).

    ``owner`` names the function or class in the warning.
    """
    if epsilon is None:
        return init_epsilon
    if init_epsilon is not None:
        raise TypeError(f"{owner}: give init_epsilon only (epsilon is its deprecated name)")
    warnings.warn(
        f"{owner}(epsilon=...) is deprecated: the initializer's ε is now init_epsilon "
        "(epsilon is Adam's ε in the estimators and the difference step of gradient "
        "checking); the old name goes in the next release",
        DeprecationWarning,
        stacklevel=3,
    )
    return epsilon


def _accepting_old_epsilon(fill: Callable[..., None]) -> Callable[..., None]:
    """``fill`` that also takes the deprecated keyword ``epsilon`` for ``init_epsilon``."""

    @functools.wraps(fill)
    def wrapper(theta, rng, *, init_epsilon=None, activation, epsilon=None):
        init_epsilon = renamed_epsilon(fill.__name__, epsilon, init_epsilon)
        fill(theta, rng, init_epsilon=init_epsilon, activation=activation)

    return wrapper


INITIALIZERS: dict[str, Callable[..., None]] = {
    name: _accepting_old_epsilon(fill)
    for name, fill in {
        "uniform": init_uniform,
        "glorot": init_glorot,
        "he": init_he,
        "zeros": init_zeros,
    }.items()
}


def resolve_initializer(name: str) -> str:
    """Return ``name`` if it is a known initializer, or raise a ValueError listing them."""
    if name not in INITIALIZERS:
        valid = ", ".join(repr(n) for n in INITIALIZERS)
        raise ValueError(f"unknown initializer {name!r}; valid initializers are {valid}")
    return name
