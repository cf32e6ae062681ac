"""Backpropagation: the slides' per-example loop against the vectorized fast path."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab._kernels import NUMPY, TASK_CODES
from mlplab.backprop import backprop_loop
from mlplab.network import Network, Workspace

from ._helpers import ARCHITECTURES, HIDDEN, OUTPUTS, make_problem


def assert_close_1e10(actual, desired):
    """Agreement to 1e-10, relative to the size of the gradient."""
    scale = max(np.abs(desired).max(), 1e-300)
    np.testing.assert_allclose(actual, desired, rtol=1e-10, atol=1e-10 * scale)


@pytest.mark.parametrize("sizes", ARCHITECTURES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("lam", [0.0, 0.3])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_loop_and_vectorized_backprop_agree(activation, output, lam, sizes):
    net, X, Y = make_problem(sizes, activation, output, seed=11, m=7)

    cost_vec, grad_vec = net.cost_and_grad(X, Y, lam)
    cost_loop, grad_loop = backprop_loop(net, X, Y, lam)

    assert cost_loop == pytest.approx(cost_vec, rel=1e-10, abs=1e-12)
    assert cost_loop == pytest.approx(net.cost(X, Y, lam), rel=1e-10, abs=1e-12)
    assert grad_loop.shape == grad_vec.shape == net.theta.shape
    assert_close_1e10(grad_loop, grad_vec)


def test_gradient_of_one_example_by_hand():
    # 1-1 logistic unit θ = [b, w] = [0.5, −1], x = 2, y = 1:
    #   z = 0.5 − 2 = −1.5, a = σ(−1.5) = 0.18242552380635635, δ = a − y = −0.8175744761936437
    #   D = δ [1, x] = [−0.8175744761936437, −1.6351489523872873]
    # with λ = 3 and m = 1 the weight (not the bias) gains λθ/m = −3.
    net = Network([1, 1], random_state=0)
    net.theta = [0.5, -1.0]
    X, Y = np.array([[2.0]]), np.array([[1.0]])
    for gradient in (net.cost_and_grad(X, Y)[1], backprop_loop(net, X, Y)[1]):
        np.testing.assert_allclose(gradient, [-0.8175744761936437, -1.6351489523872873], rtol=1e-14)
    for gradient in (net.cost_and_grad(X, Y, 3.0)[1], backprop_loop(net, X, Y, 3.0)[1]):
        np.testing.assert_allclose(
            gradient, [-0.8175744761936437, -1.6351489523872873 - 3.0], rtol=1e-14
        )


def test_gradient_is_the_mean_of_per_example_gradients():
    # D = (1/m) Σₖ D⁽ᵏ⁾ when λ = 0: the accumulators Δ sum over examples.
    net, X, Y = make_problem((3, 4, 3), "tanh", "softmax", seed=2, m=6)
    per_example = [net.cost_and_grad(X[k : k + 1], Y[k : k + 1])[1].copy() for k in range(6)]
    assert_close_1e10(net.cost_and_grad(X, Y)[1], np.mean(per_example, axis=0))


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_float32_gradients_agree_with_float64(activation, output):
    net64, X, Y = make_problem((3, 5, 4, 3), activation, output, seed=21, m=16)
    net32 = net64.astype(np.float32)
    # Compare at the same θ: the float32 copy rounds θ, so take the float64 net from it.
    net64.theta = net32.theta.astype(np.float64)

    cost64, grad64 = net64.cost_and_grad(X, Y, 0.2)
    cost32, grad32 = net32.cost_and_grad(X, Y, 0.2)
    loop_cost32, loop_grad32 = backprop_loop(net32, X, Y, 0.2)

    assert grad32.dtype == np.float32
    assert loop_grad32.dtype == np.float32
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    scale = np.abs(grad64).max()
    np.testing.assert_allclose(grad32, grad64, rtol=1e-4, atol=1e-5 * scale)
    assert loop_cost32 == pytest.approx(cost64, rel=1e-5)
    np.testing.assert_allclose(loop_grad32, grad64, rtol=1e-4, atol=1e-5 * scale)


def test_out_receives_the_gradient_in_place():
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid", seed=3)
    expected = net.cost_and_grad(X, Y, 0.1)[1].copy()
    out = np.full(net.n_params, np.nan)
    cost, grad = net.cost_and_grad(X, Y, 0.1, out=out)
    assert grad is out
    np.testing.assert_array_equal(out, expected)
    assert cost == net.cost(X, Y, 0.1)


def test_out_must_match_shape_dtype_and_be_contiguous():
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid", seed=3)
    with pytest.raises(ValueError, match=r"out must have shape \(31,\) and dtype float64"):
        net.cost_and_grad(X, Y, out=np.empty(30))
    with pytest.raises(ValueError, match="got \\(31,\\) and float32"):
        net.cost_and_grad(X, Y, out=np.empty(31, dtype=np.float32))
    strided = np.empty(62)[::2]
    with pytest.raises(ValueError, match="out must be a writeable, contiguous array"):
        net.cost_and_grad(X, Y, out=strided)


def test_repeated_calls_reuse_buffers_and_agree(rng):
    # The workspaces are reused: a later call with another batch (of the same or another
    # size) must not be disturbed by what an earlier one left in the buffers.
    net, X, Y = make_problem((3, 4, 3, 3), "relu", "softmax", seed=4, m=8)
    first_cost, first_grad = net.cost_and_grad(X, Y, 0.1)
    first_grad = first_grad.copy()
    net.cost_and_grad(rng.normal(size=(8, 3)), np.eye(3)[rng.integers(0, 3, 8)], 0.1)
    net.cost_and_grad(X[:5], Y[:5], 0.1)
    net.forward(rng.normal(size=(8, 3)))
    again_cost, again_grad = net.cost_and_grad(X, Y, 0.1)
    assert again_cost == first_cost
    np.testing.assert_array_equal(again_grad, first_grad)


def test_workspace_layout_and_the_training_passes():
    # The training step drives workspace / train_forward / train_backward directly;
    # cost_and_grad is those passes with the numpy kernels and the L2 term added.
    net, X, Y = make_problem((3, 4, 5, 2), "tanh", "sigmoid", seed=5, m=6)
    ws = net.workspace(6)
    assert isinstance(ws, Workspace)
    assert net.workspace(6) is ws
    assert ws.m == 6
    # Every list is indexed by the lecture's layer number l = 1, ..., L = 4.
    assert ws.a_with_bias[0] is None
    assert ws.delta[:2] == [None, None]
    assert [layer.shape for layer in ws.a_with_bias[1:]] == [(6, 4), (6, 5), (6, 6)]
    assert [a.shape for a in ws.a[1:]] == [(6, 3), (6, 4), (6, 5), (6, 2)]
    assert ws.inputs is ws.a[1]
    assert ws.output is ws.a[4]
    assert all(np.shares_memory(ws.a[l], ws.a_with_bias[l]) for l in (1, 2, 3))
    assert ws.logits.shape == ws.output.shape == (6, 2)
    assert [delta.shape for delta in ws.delta[2:]] == [(6, 4), (6, 5), (6, 2)]

    np.copyto(ws.inputs, X)
    data_loss, right = net.train_forward(ws, Y, NUMPY, TASK_CODES[None], None)
    grad = np.empty_like(net.theta)
    net.train_backward(ws, grad, NUMPY)
    squared = net.layout.add_decay(net.theta, grad, 0.4 / 6)

    assert right == 0  # no task: nothing counted
    assert all((layer[:, 0] == 1.0).all() for layer in ws.a_with_bias[1:])  # bias units a₀ = 1
    # ws.a[l] holds a⁽ˡ⁾ of the lecture: what Network.activations returns, in order
    for a, expected_a in zip(ws.a[1:], net.activations(X)):
        np.testing.assert_allclose(a, expected_a, rtol=1e-14, atol=1e-300)
    # δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)/m for the matched sigmoid output
    np.testing.assert_allclose(ws.delta[4], (ws.a[4] - Y) / 6, rtol=1e-14, atol=1e-300)
    cost, expected = net.cost_and_grad(X, Y, 0.4)
    assert data_loss / 6 + 0.4 / 12 * squared == cost
    np.testing.assert_array_equal(grad, expected)
    np.testing.assert_allclose(ws.output, net.forward(X), rtol=1e-14)
    # ...and they agree with the slide's per-example loop (an independent oracle).
    _, looped = backprop_loop(net, X, Y, 0.4)
    assert_close_1e10(grad, looped)


def test_backprop_loop_validates_its_arguments():
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid")
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 3\), got \(5, 2\)"):
        backprop_loop(net, X, Y[:, :2])
    with pytest.raises(ValueError, match=r"lam .* must be a finite number >= 0, got -1"):
        backprop_loop(net, X, Y, lam=-1)
