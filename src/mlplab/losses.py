"""Output layers paired with their losses, computed stably from the logits.

The output layer L turns logits ``Z`` = z⁽ᴸ⁾ of shape ``(m, K)`` into h_θ(x) = a⁽ᴸ⁾. Each
output is paired with the loss whose gradient with respect to the logits is simply
``a⁽ᴸ⁾ − y``, the lecture's δ⁽ᴸ⁾:

==========  =====================  ==========================================================
output      a⁽ᴸ⁾                    summed loss over the batch (the cost before dividing by m)
==========  =====================  ==========================================================
sigmoid     1 / (1 + e^(−z))       −Σᵢ Σₖ [yₖ log aₖ + (1 − yₖ) log(1 − aₖ)]   (the lecture's)
softmax     e^(zₖ) / Σⱼ e^(zⱼ)     −Σᵢ Σₖ yₖ log aₖ                           (categorical)
identity    z                      ½ Σᵢ Σₖ (aₖ − yₖ)²                          (squared error)
exp         e^z                    Σᵢ Σₖ [aₖ − yₖ log aₖ + yₖ log yₖ − yₖ]     (Poisson)
==========  =====================  ==========================================================

The exp output is the log link of a Poisson regression (scikit-learn's
``MLPRegressor(loss="poisson")``): a = e^z is the predicted rate, and the loss is half
the Poisson deviance, which is 0 for a perfect fit (y log y is 0 at y = 0). From the
logits it reads Σ [e^z − y·z + y log y − y], so log a is never taken; its gradient with
respect to z is again e^z − y = a − y.

Why from the logits: with a sigmoid output, log(1 − a) is log(0) = −inf as soon as
z > 37 in float64 (a rounds to 1). Written with z the same loss is
``max(z, 0) − z·y + log(1 + e^(−|z|))``, finite for any z. The softmax loss uses
``logsumexp(z) − Σₖ yₖ zₖ`` with the row maximum subtracted first. So log(0) is never
taken and no exp overflows.

Saturated units make e^(−|z|) and the tiny probabilities underflow to zero, which is the
right answer, so underflow is silenced here (``np.errstate(under="ignore")``); overflow,
division by zero and invalid operations are not.

Each function takes optional example weights ``weights`` of shape (m,): the summed loss
is then Σᵢ wᵢ·lossᵢ, the loss of example i summed over its outputs (sample weights).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import expit, xlogy

__all__ = ["OUTPUTS", "resolve_output"]


def sigmoid_output(Z: np.ndarray, A: np.ndarray, Y: np.ndarray, weights=None) -> float:
    """A ← sigmoid(Z); return the summed binary cross-entropy −Σ[y log a + (1−y) log(1−a)]."""
    with np.errstate(under="ignore"):
        # The loss of each entry is max(z, 0) − z·y + log1p(e^(−|z|)), built in A before A
        # receives the sigmoid. It is summed entry by entry: summing Σ max(z, 0) and Σ z·y
        # separately cancels catastrophically once the outputs are confident (in float32
        # the cost of a well-fitted batch could come out negative).
        scratch = np.abs(Z)
        scratch *= 0.5
        np.subtract(0.5, Y, out=A)
        A *= Z
        # |z|/2 + z(½ − y) is max(z, 0) − z·y, and exactly so for y ∈ {0, 1}.
        A += scratch
        np.negative(np.abs(Z, out=scratch), out=scratch)
        np.exp(scratch, out=scratch)
        np.log1p(scratch, out=scratch)
        A += scratch
        loss = float(A.sum()) if weights is None else _weighted_rows(weights, A)
        expit(Z, out=A)
    return loss


def softmax_output(Z: np.ndarray, A: np.ndarray, Y: np.ndarray, weights=None) -> float:
    """A ← softmax(Z) row by row; return the summed categorical cross-entropy −Σ y log a."""
    with np.errstate(under="ignore"):
        np.subtract(Z, Z.max(axis=1, keepdims=True), out=A)  # shifted logits s = z − max z
        if weights is None:
            shifted_dot_y = np.vdot(A, Y)
        else:
            shifted_dot_y = np.vdot(weights, np.einsum("ij,ij->i", A, Y))
            Y_rows = Y.sum(axis=1) * weights
        np.exp(A, out=A)
        row_sums = A.sum(axis=1, keepdims=True)
        A /= row_sums
        # −Σₖ yₖ log aₖ = Σₖ yₖ (log Σⱼ e^(sⱼ) − sₖ) = log Σⱼ e^(sⱼ) · Σₖ yₖ − Σₖ yₖ sₖ.
        # Both parts are ≥ 0 (Σⱼ e^(sⱼ) ≥ 1 and sₖ ≤ 0), so adding them cancels nothing.
        if weights is None:
            Y_rows = Y.sum(axis=1)
        return float(np.vdot(np.log(row_sums).ravel(), Y_rows) - shifted_dot_y)


def identity_output(Z: np.ndarray, A: np.ndarray, Y: np.ndarray, weights=None) -> float:
    """A ← Z; return the summed squared error ½ Σ (a − y)²."""
    if A is not Z:
        np.copyto(A, Z)
    residual = A - Y
    if weights is not None:
        return 0.5 * _weighted_rows(weights, residual * residual)
    return 0.5 * float(np.vdot(residual, residual))


def exp_output(Z: np.ndarray, A: np.ndarray, Y: np.ndarray, weights=None) -> float:
    """A ← e^Z; return half the Poisson deviance Σ [a − y·z + y log y − y] (y ≥ 0)."""
    with np.errstate(under="ignore"):
        np.exp(Z, out=A)
        # y log y − y, the part that makes the deviance 0 at a = y (xlogy: 0 at y = 0)
        if weights is not None:
            return _weighted_rows(weights, A - Y * Z + xlogy(Y, Y) - Y)
        constant = float(np.sum(xlogy(Y, Y) - Y))
        return float(A.sum()) - float(np.vdot(Y, Z)) + constant


def _weighted_rows(weights: np.ndarray, losses: np.ndarray) -> float:
    """Σᵢ wᵢ Σₖ lossᵢₖ: each example's loss (summed over its outputs) times its weight."""
    return float(np.vdot(weights, losses.sum(axis=1)))


OUTPUTS: dict[str, Callable[..., float]] = {
    "sigmoid": sigmoid_output,
    "softmax": softmax_output,
    "identity": identity_output,
    "exp": exp_output,
}

#: scikit-learn names its outputs ``out_activation_``: logistic, softmax, identity, exp.
ALIASES = {"logistic": "sigmoid"}

#: Each output's name in scikit-learn's ``out_activation_``.
SKLEARN_NAMES = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity", "exp": "exp"}


def resolve_output(name: str) -> str:
    """Return the canonical name of an output layer, or raise a ValueError listing them."""
    canonical = ALIASES.get(name, name)
    if canonical not in OUTPUTS:
        valid = ", ".join(repr(n) for n in OUTPUTS)
        raise ValueError(f"unknown output {name!r}; valid outputs are {valid}")
    return canonical


def apply_output(name: str, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return h = a⁽ᴸ⁾ for logits Z without computing a loss (the prediction pass)."""
    A = np.empty_like(Z) if out is None else out
    if name == "sigmoid":
        expit(Z, out=A)
    elif name == "softmax":
        with np.errstate(under="ignore"):
            np.subtract(Z, Z.max(axis=1, keepdims=True), out=A)
            np.exp(A, out=A)
            A /= A.sum(axis=1, keepdims=True)
    elif name == "exp":
        np.exp(Z, out=A)
    else:
        np.copyto(A, Z)
    return A
