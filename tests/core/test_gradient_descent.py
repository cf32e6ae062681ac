"""Batch gradient descent as the slides write it, and why θ must not start equal.

Initialize all θ⁽ˡ⁾ randomly (not to zero!)
each epoch: J, D = backprop over all m examples;  θ := θ − η D
"""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.network import Network

ETA = 2.0
EPOCHS = 2000


def gradient_descent(net: Network, X, Y, eta: float = ETA, epochs: int = EPOCHS) -> np.ndarray:
    """The slides' loop: one full-batch step θ := θ − ηD per epoch; return J per epoch."""
    theta = net.theta  # updated in place, so the per-layer views θ⁽ˡ⁾ follow
    grad = np.empty_like(theta)
    losses = np.empty(epochs)
    for epoch in range(epochs):
        losses[epoch], _ = net.cost_and_grad(X, Y, out=grad)
        theta -= eta * grad
    return losses


def test_gradient_descent_learns_xor_from_random_init(xor_data):
    X, Y = xor_data
    net = Network([2, 2, 1], "sigmoid", "sigmoid", random_state=0)
    views = net.thetas
    before = net.theta.copy()

    losses = gradient_descent(net, X, Y)

    np.testing.assert_array_equal(np.round(net.forward(X)), Y)
    assert losses[0] > 0.6  # about 4·log 2 / 4 at the start ...
    assert losses[-1] < 0.01  # ... and near zero at the end
    assert losses[-1] < losses[len(losses) // 2] < losses[0]
    # Full-batch steps with this η go downhill at every epoch but a handful.
    assert np.count_nonzero(np.diff(losses) > 0) < EPOCHS // 100
    # The update went through the buffer the per-layer views share.
    assert not np.array_equal(net.theta, before)
    assert all(np.shares_memory(view, net.theta) for view in views)
    np.testing.assert_array_equal(np.concatenate([v.ravel() for v in views]), net.theta)


def test_random_init_breaks_symmetry(xor_data):
    X, Y = xor_data
    net = Network([2, 2, 1], random_state=0)
    gradient_descent(net, X, Y)
    theta1 = net.thetas[0]
    hidden = net.activations(X)[1]
    # The two hidden units learned different features (each row of θ⁽¹⁾ is one unit).
    assert np.abs(theta1[0] - theta1[1]).max() > 1.0
    assert np.abs(hidden[:, 0] - hidden[:, 1]).max() > 0.5


OR_TARGETS = np.array([[0.0], [1.0], [1.0], [1.0]])


@pytest.mark.parametrize(
    ("value", "target"),
    [(0.0, "or"), (0.5, "or"), (0.5, "xor"), (-0.3, "xor")],
    ids=["zeros-or", "constant-or", "constant-xor", "negative-constant-xor"],
)
def test_equal_init_keeps_hidden_units_identical(xor_data, value, target):
    X, xor = xor_data
    Y = xor if target == "xor" else OR_TARGETS
    net = Network([2, 2, 1], initializer="zeros")
    net.theta[:] = value
    start = net.theta.copy()
    losses = gradient_descent(net, X, Y, epochs=500)

    theta1, theta2 = net.thetas
    # The steps moved θ and lowered J ...
    assert np.abs(net.theta - start).max() > 0.1
    assert losses[-1] < losses[0]
    # ... but every hidden unit got the same δ and the same update at every step, so the
    # units are still copies of each other: a one-unit network in disguise.
    np.testing.assert_array_equal(theta1[0], theta1[1])
    assert theta2[0, 1] == theta2[0, 2]
    hidden = net.activations(X)[1]
    np.testing.assert_array_equal(hidden[:, 0], hidden[:, 1])
    if target == "xor":  # and one hidden unit cannot represent XOR
        assert not (np.round(net.forward(X)) == Y).all()


def test_zero_init_is_stuck_on_xor(xor_data):
    # With θ = 0 every unit outputs f(0) = ½. Then δ⁽²⁾ = (θ⁽²⁾)ᵀ δ⁽³⁾ .* f′ = 0, so θ⁽¹⁾
    # gets no gradient, and XOR's balanced targets make the output layer's gradient
    # D = Σₖ (½ − yₖ) [1, ½, ½] / 4 vanish as well: J stays at log 2 for ever.
    X, Y = xor_data
    net = Network([2, 2, 1], initializer="zeros")
    _, grad = net.cost_and_grad(X, Y)
    np.testing.assert_array_equal(grad, 0.0)
    losses = gradient_descent(net, X, Y, epochs=50)
    np.testing.assert_allclose(losses, np.log(2), rtol=1e-15)
    assert not net.theta.any()
