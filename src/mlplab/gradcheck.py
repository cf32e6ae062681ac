"""Gradient checking: backprop's D against central differences of J.

For every parameter θⱼ of the unrolled vector,

    ∂J/∂θⱼ ≈ (J(θ + ε eⱼ) − J(θ − ε eⱼ)) / 2ε,       ε = 1e-4 (the lecture's value),

and the two gradients are compared by the relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), overall
and per layer. Practitioners read it as: below 1e-7 the backprop is right, above 1e-4
something is suspect, above 1e-2 it is wrong. It costs two evaluations of J per
parameter, so it is a debugging and testing tool, never part of training. The check runs
in float64 whatever the network's dtype: in float32 the differences drown in rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._tables import markdown_table

__all__ = ["GradientCheck", "check_gradients", "relative_error"]


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """‖g − ĝ‖ / (‖g‖ + ‖ĝ‖); 0.0 when both gradients are exactly zero."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numerical) / denominator)


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of a gradient check.

    Attributes
    ----------
    relative_error : float
        Over the whole unrolled vector.
    layer_errors : tuple of float
        One relative error per θ⁽ˡ⁾, l = 1, ..., L − 1.
    analytic, numerical : ndarray of shape (n_params,)
        Backprop's gradient and the central-difference estimate.
    """

    relative_error: float
    layer_errors: tuple[float, ...]
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    layer_shapes: tuple[tuple[int, int], ...] = field(repr=False, default=())

    @property
    def max_error(self) -> float:
        """The largest of the overall and per-layer relative errors."""
        return max(self.relative_error, *self.layer_errors)

    def __float__(self) -> float:
        return self.max_error

    def verdict(self, error: float | None = None) -> str:
        """ "good" (< 1e-7), "acceptable" (< 1e-4), "suspect" (< 1e-2) or "wrong"."""
        error = self.max_error if error is None else error
        if error < 1e-7:
            return "good"
        if error < 1e-4:
            return "acceptable"
        if error < 1e-2:
            return "suspect"
        return "wrong"

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
        for index, error in enumerate(self.layer_errors, start=1):
            shape = self.layer_shapes[index - 1] if self.layer_shapes else ("?", "?")
            rows.append(
                (
                    f"θ({index})",
                    f"{shape[0]}×{shape[1]}",
                    str(shape[0] * shape[1]) if self.layer_shapes else "?",
                    f"{error:.3e}",
                    self.verdict(error),
                )
            )
        rows.append(
            (
                "all",
                "",
                str(self.analytic.size),
                f"{self.relative_error:.3e}",
                self.verdict(self.relative_error),
            )
        )
        return rows


def numerical_gradient(cost, theta: np.ndarray, epsilon: float = 1e-4) -> np.ndarray:
    """Central differences of ``cost()`` with respect to each entry of ``theta`` (in place).

    ``cost`` is called with no arguments and must read ``theta``; every entry is restored.
    """
    estimate = np.empty_like(theta)
    for j in range(theta.size):
        saved = theta[j]
        theta[j] = saved + epsilon
        plus = cost()
        theta[j] = saved - epsilon
        minus = cost()
        theta[j] = saved
        estimate[j] = (plus - minus) / (2.0 * epsilon)
    return estimate


def check_gradients(net, X, Y, lam: float = 0.0, *, epsilon: float = 1e-4) -> GradientCheck:
    """Compare ``net.cost_and_grad`` with central differences of ``net.cost``.

    Parameters
    ----------
    net : Network
        Checked on a float64 copy; ``net`` itself is not modified.
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
    lam : float, default=0.0
        λ, so the regularization gradient is checked too.
    epsilon : float, default=1e-4
        The step ε of the central difference.

    Returns
    -------
    GradientCheck
        ``float(result)`` is the largest relative error (overall or any layer).
    """
    if not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}")
    probe = net.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    _, analytic = probe.cost_and_grad(X, Y, lam)
    analytic = analytic.copy()
    numerical = numerical_gradient(lambda: probe.cost(X, Y, lam), probe.theta, epsilon)
    layer_errors = []
    start = 0
    for theta in probe.thetas:
        stop = start + theta.size
        layer_errors.append(relative_error(analytic[start:stop], numerical[start:stop]))
        start = stop
    return GradientCheck(
        relative_error=relative_error(analytic, numerical),
        layer_errors=tuple(layer_errors),
        analytic=analytic,
        numerical=numerical,
        layer_shapes=tuple(theta.shape for theta in probe.thetas),
    )
