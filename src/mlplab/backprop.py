"""Backpropagation as the slides write it: one example at a time, with Δ accumulators.

This is the readable reference. It is slow (a Python loop over examples) and is used by
the tests to check the vectorized form in :class:`mlplab.Network`, which must agree with
it to rounding error. Read it next to the slide "Backpropagation":

    set Δ⁽ˡ⁾ᵢⱼ = 0 for all l, i, j
    for k = 1 to m:
        a⁽¹⁾ = x⁽ᵏ⁾
        forward propagation: a⁽ˡ⁾ for l = 2, ..., L
        δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y⁽ᵏ⁾
        δ⁽ˡ⁾ = ((θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾) .* f′(z⁽ˡ⁾) for l = L−1, ..., 2   (no δ⁽¹⁾)
        Δ⁽ˡ⁾ := Δ⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ (a⁽ˡ⁾)ᵀ
    D⁽ˡ⁾ᵢⱼ = (Δ⁽ˡ⁾ᵢⱼ + λθ⁽ˡ⁾ᵢⱼ)/m if j ≠ 0, Δ⁽ˡ⁾ᵢⱼ/m if j = 0
"""

from __future__ import annotations

import numpy as np

from ._validation import check_lam
from .activations import ACTIVATIONS, derivative
from .losses import OUTPUTS

__all__ = ["backprop_loop", "example_deltas"]


def backprop_loop(net, X, Y, lam: float = 0.0) -> tuple[float, np.ndarray]:
    """J(θ) and D = ∂J/∂θ for ``net`` by the per-example loop of the slides.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
    lam : float
        λ, the regularization strength.

    Returns
    -------
    cost : float
        J(θ), as :meth:`Network.cost` computes it.
    grad : ndarray of shape (n_params,)
        D⁽¹⁾, ..., D⁽ᴸ⁻¹⁾ unrolled in the layout of ``net.theta``.
    """
    lam = check_lam(lam)
    X, Y = net.check_XY(X, Y)
    with np.errstate(under="ignore"):  # saturated units underflow harmlessly to 0
        return _backprop_loop(net, X, Y, lam)


def example_deltas(net, x, y) -> dict[int, np.ndarray]:
    """δ⁽ˡ⁾ of every unit for one example: the "error" backprop blames on each unit.

    Parameters
    ----------
    net : Network
    x : array-like of shape (n_in,) or (1, n_in)
        One example.
    y : array-like of shape (n_out,) or (1, n_out)
        Its target (one-hot for classes).

    Returns
    -------
    dict of int to ndarray of shape (u_l,)
        Keyed by the lecture's layer number: ``deltas[L]`` is δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y, and
        ``deltas[l]`` = ((θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾) .* f′(z⁽ˡ⁾) for l = L − 1, ..., 2 (no δ⁽¹⁾: the
        inputs are not to blame).
    """
    x = np.asarray(x, dtype=net.dtype).reshape(1, -1)
    y = np.asarray(y, dtype=net.dtype).reshape(1, -1)
    x, y = net.check_XY(x, y)
    with np.errstate(under="ignore"):  # saturated units underflow harmlessly to 0
        _, _, deltas = _forward_backward(net, x[0], y)
    n_layers = len(net.layer_sizes)
    return {n_layers - index: delta for index, delta in enumerate(deltas)}


def _forward_backward(net, x: np.ndarray, y: np.ndarray):
    """One example through the slides' steps: ([1; a⁽ˡ⁾] for l < L, loss, [δ⁽ᴸ⁾, ..., δ⁽²⁾]).

    ``x`` has shape (n_in,), ``y`` shape (1, n_out), both of the network's dtype.
    """
    thetas = net.thetas
    f = ACTIVATIONS[net.activation]
    bias_unit = np.ones(1, dtype=x.dtype)  # a₀ = 1, in the network's dtype
    # Forward propagation; a[l] holds [1; a⁽ˡ⁺¹⁾] (bias unit first) for the hidden layers.
    a = [np.concatenate((bias_unit, x))]
    for theta in thetas[:-1]:
        z = theta @ a[-1]
        f(z)
        a.append(np.concatenate((bias_unit, z)))
    z_out = (thetas[-1] @ a[-1]).reshape(1, -1)
    h = np.empty_like(z_out)
    loss = OUTPUTS[net.output](z_out, h, y)
    delta = h[0] - y[0]  # δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y⁽ᵏ⁾
    deltas = [delta]
    for layer in range(len(thetas) - 1, 0, -1):
        hidden = a[layer][1:]
        # δ⁽ˡ⁾ = (θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾ with the bias row dropped, .* f′(z⁽ˡ⁾)
        delta = (thetas[layer].T @ delta)[1:] * derivative(net.activation, hidden)
        deltas.append(delta)
    return a, loss, deltas


def _backprop_loop(net, X: np.ndarray, Y: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """The loop itself, on validated arrays of the network's dtype."""
    m = X.shape[0]
    thetas = net.thetas
    Deltas = [np.zeros_like(theta) for theta in thetas]  # the accumulators Δ⁽ˡ⁾
    total_loss = 0.0
    for k in range(m):
        a, loss, deltas = _forward_backward(net, X[k], Y[k : k + 1])
        total_loss += loss
        for layer, delta in zip(range(len(thetas) - 1, -1, -1), deltas):
            Deltas[layer] += np.outer(delta, a[layer])  # Δ⁽ˡ⁾ += δ⁽ˡ⁺¹⁾ (a⁽ˡ⁾)ᵀ
    D = []
    penalty = 0.0
    for theta, Delta in zip(thetas, Deltas):
        D_layer = Delta / m
        D_layer[:, 1:] += lam / m * theta[:, 1:]  # j ≠ 0 is regularized, j = 0 is not
        D.append(D_layer.ravel())
        penalty += float(np.sum(theta[:, 1:] ** 2))
    cost = total_loss / m + lam / (2.0 * m) * penalty
    return cost, np.concatenate(D)
