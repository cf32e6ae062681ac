"""Gradient checking: backprop's D against central differences of J.

For every parameter θⱼ of the unrolled vector,

    ∂J/∂θⱼ ≈ (J(θ + ε eⱼ) − J(θ − ε eⱼ)) / 2ε,       ε = 1e-4 (the lecture's value),

(:func:`numerical_gradient`), and the two gradients are compared by the relative error
‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), overall and per layer. :data:`VERDICTS` reads it: below 1e-7 the
backprop is right ("good"), below 1e-4 "acceptable", below 1e-2 "suspect", else "wrong";
the figures, the report and ``mlplab doctor`` all read it through :func:`verdict`. It
costs two evaluations of J per parameter, so it is a debugging and testing tool, never
part of training. The check runs in float64 whatever the network's dtype: in float32 the
differences drown in rounding.

:func:`check_gradients` is the one check behind ``mlplab gradcheck``, ``mlplab train
--gradcheck`` and ``mlplab doctor``. Two things keep it from blaming a right backprop:

- relu has a kink at z = 0. If a hidden unit's z lies within the step's reach of 0 for
  some example, J(θ + εeⱼ) and J(θ − εeⱼ) straddle the kink and the numerical
  "derivative" is wrong. The check therefore uses only the examples whose every hidden
  |z| clears 10·ε·max(1, max |a|), the largest change one step of ε can cause. If fewer
  than 5 examples clear it (say, all weights start at zero so every z is 0), it checks a
  copy whose θ is jittered with N(0, 0.1²) noise: backprop must be right at every θ, so
  this still tests it.
- when a layer's gradient is tiny (saturated units, deep sigmoid stacks), rounding in the
  central difference, about 2.2e-16·|J|/ε per entry, is no longer small beside it and the
  relative error says nothing. Each error is therefore measured against
  max(‖g‖ + ‖ĝ‖, 1e5 × that rounding noise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._rng import as_generator
from ._tables import markdown_table
from .names import explain_unknown_keywords

__all__ = [
    "VERDICTS",
    "GradientCheck",
    "check_gradients",
    "numerical_gradient",
    "relative_error",
    "verdict",
]

#: The lecture's step ε of the central difference.
EPSILON = 1e-4

#: Relative-error marks and the verdict of errors below each; at or above the last: "wrong".
VERDICTS = ((1e-7, "good"), (1e-4, "acceptable"), (1e-2, "suspect"))

#: Activations with a kink at z = 0, where central differences are wrong.
KINKED = frozenset({"relu"})
#: A relu check needs at least this many examples clear of the kinks (else θ is jittered).
MIN_KINK_FREE_EXAMPLES = 5
#: Errors are measured against at least this many times the central difference's rounding.
NOISE_FLOOR_FACTOR = 1e5
#: A sampled check takes at least this many entries of each θ⁽ˡ⁾.
MIN_ENTRIES_PER_LAYER = 100


def verdict(error) -> str:
    """The reading of a relative error: "good", "acceptable", "suspect" or "wrong".

    NaN, and anything that is not a number, is "wrong".
    """
    try:
        error = float(error)
    except (TypeError, ValueError):
        return "wrong"
    for mark, name in VERDICTS:
        if error < mark:
            return name
    return "wrong"


def relative_error(analytic: np.ndarray, numerical: np.ndarray, floor: float = 0.0) -> float:
    """‖g − ĝ‖ / max(‖g‖ + ‖ĝ‖, floor); 0.0 when the gradients are equal."""
    difference = float(np.linalg.norm(np.asarray(analytic) - np.asarray(numerical)))
    if difference == 0.0:
        return 0.0
    return difference / max(float(np.linalg.norm(analytic) + np.linalg.norm(numerical)), floor)


def numerical_gradient(J, theta, epsilon: float = EPSILON, *, entries=None) -> np.ndarray:
    """Central differences (J(θ + εeⱼ) − J(θ − εeⱼ)) / 2ε of J for each entry θⱼ.

    Parameters
    ----------
    J : callable
        ``J(theta)`` returns the cost (a float) at the 1-D parameter vector ``theta``.
    theta : ndarray of shape (n,)
        Where to differentiate. It is perturbed in place, one entry at a time, and passed
        to ``J`` itself, so ``J`` may equally read it through a view (a Network's
        ``theta``); every entry is restored afterwards.
    epsilon : float, default=1e-4
        The step ε (the lecture's value). Use float64: in float32 the differences drown
        in rounding.
    entries : array-like of int, optional
        Differentiate only these entries; default all.

    Returns
    -------
    ndarray of shape (n,) or (len(entries),)
        The estimate of ∂J/∂θⱼ, in float64.

    Examples
    --------
    >>> import numpy as np
    >>> numerical_gradient(lambda t: float(t @ t), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    if not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}")
    theta = np.asarray(theta)
    if theta.ndim != 1:
        raise ValueError(f"theta must be a 1-D vector, got shape {theta.shape}")
    indices = np.arange(theta.size) if entries is None else np.asarray(entries, dtype=np.intp)
    estimate = np.empty(indices.size, dtype=np.float64)
    for k, j in enumerate(indices):
        saved = theta[j]
        theta[j] = saved + epsilon
        plus = J(theta)
        theta[j] = saved - epsilon
        minus = J(theta)
        theta[j] = saved
        estimate[k] = (plus - minus) / (2.0 * epsilon)
    return estimate


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of a gradient check.

    Attributes
    ----------
    relative_error : float
        Over every entry checked.
    layer_errors : tuple of float
        One relative error per θ⁽ˡ⁾, l = 1, ..., L − 1.
    analytic, numerical : ndarray of shape (n_checked,)
        Backprop's gradient and the central-difference estimate at the entries checked.
    layer_shapes : tuple of (int, int)
        The shape of each θ⁽ˡ⁾.
    entries : ndarray of int or None
        The entries of θ checked when only a sample was; None when all were.
    examples : int
        How many examples the cost was evaluated on.
    nudged_off_kinks : bool
        Whether θ was jittered because too few examples cleared the relu kinks.
    kink_free : bool
        Whether every example used clears the kinks (always true without relu).
    """

    relative_error: float
    layer_errors: tuple[float, ...]
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    layer_shapes: tuple[tuple[int, int], ...] = field(repr=False, default=())
    entries: np.ndarray | None = field(repr=False, default=None)
    examples: int = 0
    nudged_off_kinks: bool = False
    kink_free: bool = True

    @classmethod
    def compare(
        cls, analytic, numerical, layer_shapes, *, entries=None, rounding: float = 0.0, **facts
    ) -> GradientCheck:
        """Relative errors of ``analytic`` against ``numerical``, overall and per θ⁽ˡ⁾.

        ``entries`` are the positions in θ of the values given (default: all of θ, in
        order). ``rounding`` is the rounding noise of one central difference: errors over
        n entries are measured against at least 1e5·rounding·√n. ``facts`` fill the
        remaining fields.
        """
        analytic = np.asarray(analytic, dtype=np.float64)
        numerical = np.asarray(numerical, dtype=np.float64)
        positions = np.arange(analytic.size) if entries is None else np.asarray(entries)
        ends = np.cumsum([rows * cols for rows, cols in layer_shapes])
        layer_of = np.searchsorted(ends, positions, side="right")

        def error(part) -> float:
            floor = NOISE_FLOOR_FACTOR * rounding * math.sqrt(np.count_nonzero(part))
            return relative_error(analytic[part], numerical[part], floor)

        return cls(
            relative_error=error(np.ones(analytic.size, dtype=bool)),
            layer_errors=tuple(error(layer_of == layer) for layer in range(len(layer_shapes))),
            analytic=analytic,
            numerical=numerical,
            layer_shapes=tuple(tuple(shape) for shape in layer_shapes),
            entries=entries,
            **facts,
        )

    @property
    def max_error(self) -> float:
        """The largest of the overall and per-layer relative errors."""
        return max(self.relative_error, *self.layer_errors)

    @property
    def worst_layer(self) -> int:
        """l of the θ⁽ˡ⁾ with the largest error (1-based)."""
        return int(np.argmax(self.layer_errors)) + 1

    def __float__(self) -> float:
        return self.max_error

    def verdict(self, error: float | None = None) -> str:
        """:func:`verdict` of ``error``, by default of :attr:`max_error`."""
        return verdict(self.max_error if error is None else error)

    def format_table(self) -> str:
        """A plain-text table: one row per θ⁽ˡ⁾ and one for all parameters."""
        rows = self._rows()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        """The same table, as a notebook shows it."""
        header, *rows = self._rows()
        return markdown_table(
            header, rows, caption="Gradient check: backprop against central differences"
        )

    def _rows(self) -> list[tuple[str, ...]]:
        """Header, one row per θ⁽ˡ⁾, and the row for all parameters."""
        rows = [("layer", "shape", "params", "relative error", "verdict")]
        shapes = self.layer_shapes or [("?", "?")] * len(self.layer_errors)
        for index, (error, (n_rows, n_cols)) in enumerate(zip(self.layer_errors, shapes), 1):
            params = str(n_rows * n_cols) if self.layer_shapes else "?"
            shape = f"{n_rows}×{n_cols}"
            rows.append((f"θ({index})", shape, params, f"{error:.3e}", self.verdict(error)))
        error = self.relative_error
        rows.append(("all", "", str(self.analytic.size), f"{error:.3e}", self.verdict(error)))
        return rows


@explain_unknown_keywords("network")
def check_gradients(
    net,
    X,
    Y,
    lam: float = 0.0,
    *,
    epsilon: float = EPSILON,
    max_examples: int | None = None,
    sample: int | None = None,
    random_state=0,
) -> GradientCheck:
    """Compare ``net.cost_and_grad`` with central differences of ``net.cost``.

    Parameters
    ----------
    net : Network
        Checked on a float64 copy; ``net`` itself is not modified.
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
        The network's targets (one-hot rows, a 0/1 column or regression targets).
    lam : float, default=0.0
        λ, so the regularization gradient is checked too.
    epsilon : float, default=1e-4
        The step ε of the central difference.
    max_examples : int, optional
        Use at most this many rows: the first ones, or for relu networks those farthest
        from the kinks. Default: every row (that clears the kinks).
    sample : int, optional
        Check about this many entries of θ, drawn at random (at least 100 of each θ⁽ˡ⁾),
        instead of all of them: for large networks.
    random_state : None, int or numpy.random.Generator, default=0
        Draws the sampled entries and the jitter of a relu network stuck on its kinks.

    Returns
    -------
    GradientCheck
        ``float(result)`` is the largest relative error (overall or any layer).
    """
    if not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}")
    rng = as_generator(random_state)
    probe = net.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(X.shape[0], -1)
    limit = X.shape[0] if max_examples is None else max_examples
    nudged = False
    kink_free = True
    rows = np.arange(min(limit, X.shape[0]))
    if probe.activation in KINKED and len(probe.thetas) > 1:
        needed = min(MIN_KINK_FREE_EXAMPLES, X.shape[0])
        rows = _kink_free_rows(probe, X, limit, epsilon)
        if rows.size < needed:
            probe.theta += rng.normal(0.0, 0.1, size=probe.theta.size)
            nudged = True
            rows = _kink_free_rows(probe, X, limit, epsilon)
        kink_free = rows.size >= needed
        if not kink_free:
            rows = np.arange(min(limit, X.shape[0]))
    X, Y = X[rows], Y[rows]
    entries = None if sample is None else _sample_entries(probe, sample, rng)
    _, grad = probe.cost_and_grad(X, Y, lam)
    analytic = grad.copy() if entries is None else grad[entries]
    cost = probe.cost(X, Y, lam)
    numerical = numerical_gradient(
        lambda _: probe.cost(X, Y, lam), probe.theta, epsilon, entries=entries
    )
    return GradientCheck.compare(
        analytic,
        numerical,
        [theta.shape for theta in probe.thetas],
        entries=entries,
        # J is rounded to about eps·|J|, and the difference divides that by ε.
        rounding=np.finfo(np.float64).eps * max(abs(cost), 1.0) / epsilon,
        examples=int(X.shape[0]),
        nudged_off_kinks=nudged,
        kink_free=kink_free,
    )


def _kink_free_rows(net, X: np.ndarray, k: int, epsilon: float) -> np.ndarray:
    """Up to k row indices of X whose hidden |z| all clear the kink margin, best first."""
    A = X
    clearance = np.full(X.shape[0], np.inf)
    for theta in net.thetas[:-1]:
        Z = A @ theta[:, 1:].T + theta[:, 0]
        scale = 10.0 * epsilon * np.maximum(1.0, np.abs(A).max(axis=1))
        clearance = np.minimum(clearance, np.abs(Z).min(axis=1) / scale)
        A = np.maximum(Z, 0.0)  # relu, the kinked activation
    best = np.argsort(-clearance, kind="stable")[:k]
    return best[clearance[best] > 1.0]


def _sample_entries(net, sample: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices into θ: about ``sample`` in all, at least 100 per θ⁽ˡ⁾."""
    chosen = []
    for theta, start in zip(net.thetas, net.layout.offsets):
        share = round(sample * theta.size / net.theta.size)
        count = min(theta.size, max(MIN_ENTRIES_PER_LAYER, share))
        chosen.append(start + rng.choice(theta.size, size=count, replace=False))
    return np.sort(np.concatenate(chosen))
