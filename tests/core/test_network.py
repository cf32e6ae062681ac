"""Network: the unrolled parameter buffer, forward propagation, dtypes and input checks."""

from __future__ import annotations

import copy
import math
import pickle
import re

import numpy as np
import pytest

from mlplab.network import Network

from ._helpers import HIDDEN, OUTPUTS, make_problem, reference_forward


def sigmoid(z: float) -> float:
    """f(z) = 1/(1 + e^(−z)), straight from the slide."""
    return 1.0 / (1.0 + math.exp(-z))


# ---------------------------------------------------------------- the lecture's units
def test_not_unit_reproduces_the_lecture_table():
    # NOT x₁: h(x) = f(10 − 20x₁), so h(0) = f(10) ≈ 1 and h(1) = f(−10) ≈ 0.
    net = Network([1, 1])
    net.theta = [10.0, -20.0]
    h = net.forward([[0.0], [1.0]])[:, 0]
    assert h[0] == pytest.approx(sigmoid(10.0), rel=1e-15)
    assert h[1] == pytest.approx(sigmoid(-10.0), rel=1e-15)
    assert h[0] == pytest.approx(0.99995, abs=1e-5)  # f(10) = 0.9999546...
    assert h[1] == pytest.approx(4.54e-5, rel=1e-3)  # f(−10) = 4.5398e-05


def test_nor_unit_reproduces_the_lecture_table():
    # (NOT x₁) AND (NOT x₂): h(x) = f(10 − 20x₁ − 20x₂)
    #   x₁ x₂ | z    | h
    #   0  0  | 10   | f(10)  ≈ 1
    #   0  1  | −10  | f(−10) ≈ 0
    #   1  0  | −10  | f(−10) ≈ 0
    #   1  1  | −30  | f(−30) ≈ 9.36e-14
    net = Network([2, 1])
    net.theta = [10.0, -20.0, -20.0]
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    h = net.forward(X)[:, 0]
    for value, z in zip(h, [10.0, -10.0, -10.0, -30.0]):
        assert value == pytest.approx(sigmoid(z), rel=1e-14)
    assert h[3] == pytest.approx(9.3576e-14, rel=1e-4)
    np.testing.assert_array_equal(np.round(h), [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(net.decision_function(X)[:, 0], [10.0, -10.0, -10.0, -30.0])


def test_hand_set_hidden_layer_computes_xnor_and_xor(xor_data):
    # XNOR = OR(AND, NOR): the hidden units are AND = f(−30 + 20x₁ + 20x₂) and
    # NOR = f(10 − 20x₁ − 20x₂); the output is OR = f(−10 + 20a₁ + 20a₂).
    # XOR = NOT XNOR: negate the output unit, f(10 − 20a₁ − 20a₂).
    X, xor = xor_data
    net = Network([2, 2, 1])
    net.thetas = [np.array([[-30.0, 20, 20], [10, -20, -20]]), np.array([[-10.0, 20, 20]])]
    hidden = net.activations(X)[1]
    np.testing.assert_array_equal(np.round(hidden), [[0, 1], [0, 0], [0, 0], [1, 0]])
    np.testing.assert_array_equal(np.round(net.forward(X)), 1 - xor)
    net.thetas[1][...] = [[10.0, -20, -20]]
    np.testing.assert_array_equal(np.round(net.forward(X)), xor)


# ---------------------------------------------------------------- forward propagation
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_forward_matches_reference_propagation(activation, output):
    net, X, _ = make_problem((3, 5, 4, 2), activation, output, seed=3, m=7)
    _, H = reference_forward(net.thetas, activation, output, X)
    # Two orders of summation (BLAS's and the reference's) of ≤ 6 terms per unit over 3
    # layers with 1-Lipschitz activations: they differ by ≲ 3·6·eps ≈ 4e-15 of the O(1)
    # outputs (plus ~1 ulp per exp/tanh); rtol 1e-13 leaves 25× for the kernel's order.
    np.testing.assert_allclose(net.forward(X), H, rtol=1e-13, atol=1e-15)
    layers = net.activations(X)
    assert [a.shape for a in layers] == [(7, 3), (7, 5), (7, 4), (7, 2)]
    np.testing.assert_array_equal(layers[0], X)
    np.testing.assert_array_equal(layers[-1], net.forward(X))
    # The output logits z⁽ᴸ⁾, before the output function.
    A = layers[-2]
    Z = A @ net.thetas[-1][:, 1:].T + net.thetas[-1][:, 0]
    np.testing.assert_allclose(net.decision_function(X), Z, rtol=1e-13, atol=1e-15)


def test_no_hidden_layer_is_logistic_regression(rng):
    net = Network([4, 1], random_state=0)
    X = rng.normal(size=(10, 4))
    theta = net.thetas[0][0]
    expected = 1 / (1 + np.exp(-(theta[0] + X @ theta[1:])))
    np.testing.assert_allclose(net.forward(X)[:, 0], expected, rtol=1e-14)


# ---------------------------------------------------------------- the parameter buffer
def test_parameters_live_in_one_contiguous_buffer():
    net = Network([3, 4, 2], random_state=0)
    theta = net.theta
    assert theta.ndim == 1
    assert theta.flags.c_contiguous
    assert theta.flags.writeable
    assert net.n_params == theta.size == 4 * (3 + 1) + 2 * (4 + 1) == 26
    assert [t.shape for t in net.thetas] == [(4, 4), (2, 5)]  # (u_{l+1}, u_l + 1)
    # Each θ⁽ˡ⁾ is the next slice of the buffer, row-major, and a view of it.
    start = 0
    for t in net.thetas:
        assert np.shares_memory(t, theta)
        np.testing.assert_array_equal(t.ravel(), theta[start : start + t.size])
        start += t.size
    assert start == theta.size
    assert net.theta is theta  # the property hands out the buffer itself, not a copy


def test_writing_a_view_changes_theta_and_the_output(rng):
    net = Network([2, 3, 1], random_state=0)
    X = rng.normal(size=(4, 2))
    before = net.forward(X)
    net.thetas[0][0, 0] += 1.0
    assert net.theta[0] == net.thetas[0][0, 0]
    assert not np.allclose(net.forward(X), before)
    net.theta[-1] = 7.0
    assert net.thetas[1][0, -1] == 7.0


def test_weights_and_biases_are_views():
    net = Network([3, 4, 2], random_state=0)
    for theta, W, b in zip(net.thetas, net.weights, net.biases):
        assert W.shape == (theta.shape[0], theta.shape[1] - 1)
        assert b.shape == (theta.shape[0],)
        np.testing.assert_array_equal(W, theta[:, 1:])
        np.testing.assert_array_equal(b, theta[:, 0])
        assert np.shares_memory(W, net.theta)
        assert np.shares_memory(b, net.theta)
    net.biases[1][:] = 5.0
    net.weights[0][2, 1] = -3.0
    assert (net.thetas[1][:, 0] == 5.0).all()
    assert net.thetas[0][2, 2] == -3.0


def test_theta_setter_copies_in_and_keeps_views_valid():
    net = Network([2, 3, 1], random_state=0)
    buffer, views = net.theta, net.thetas
    values = np.arange(net.n_params, dtype=float)
    net.theta = values
    assert net.theta is buffer
    np.testing.assert_array_equal(views[0], values[:9].reshape(3, 3))
    np.testing.assert_array_equal(views[1], values[9:].reshape(1, 4))
    values[0] = 100.0  # the caller's array is not adopted
    assert net.theta[0] == 0.0
    net.theta = [1] * net.n_params  # any array-like of the right length, cast to the dtype
    assert net.theta.dtype == np.float64
    assert (views[0] == 1.0).all()
    with pytest.raises(ValueError, match=r"theta must have shape \(13,\), got \(12,\)"):
        net.theta = np.zeros(12)


def test_thetas_setter_copies_each_layer_and_checks_shapes():
    net = Network([2, 3, 1], random_state=0)
    buffer = net.theta
    net.thetas = [np.ones((3, 3)), np.full((1, 4), 2.0)]
    assert net.theta is buffer
    np.testing.assert_array_equal(buffer, [1.0] * 9 + [2.0] * 4)
    with pytest.raises(ValueError, match="expected 2 matrices, got 1"):
        net.thetas = [np.ones((3, 3))]
    with pytest.raises(ValueError, match=r"θ\(2\) must have shape \(1, 4\), got \(4, 1\)"):
        net.thetas = [np.zeros((3, 3)), np.zeros((4, 1))]
    np.testing.assert_array_equal(buffer, [1.0] * 9 + [2.0] * 4)  # nothing half-written


def test_copy_is_independent(rng):
    net = Network([2, 3, 2], "tanh", "softmax", random_state=0)
    X = rng.normal(size=(5, 2))
    clone = net.copy()
    assert clone.layer_sizes == net.layer_sizes
    assert (clone.activation, clone.output, clone.dtype) == ("tanh", "softmax", np.float64)
    np.testing.assert_array_equal(clone.forward(X), net.forward(X))
    assert not np.shares_memory(clone.theta, net.theta)
    assert all(np.shares_memory(t, clone.theta) for t in clone.thetas)
    clone.thetas[0][0, 0] += 1.0
    assert clone.theta[0] != net.theta[0]
    assert not np.allclose(clone.forward(X), net.forward(X))


def test_astype_converts_parameters_and_computations(rng):
    net = Network([2, 3, 2], random_state=0)
    net32 = net.astype(np.float32)
    assert net32.dtype == np.float32
    assert net.dtype == np.float64
    assert net32.theta.dtype == np.float32
    assert net32.theta.flags.c_contiguous
    assert all(t.dtype == np.float32 and np.shares_memory(t, net32.theta) for t in net32.thetas)
    np.testing.assert_array_equal(net32.theta, net.theta.astype(np.float32))
    net32.thetas[0][0, 0] = 42.0
    assert net32.theta[0] == 42.0
    assert net.theta[0] != 42.0
    back = net32.astype("float64")
    assert back.theta.dtype == np.float64
    assert back.theta[0] == 42.0
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got 'int64'"):
        net.astype("int64")


ROUND_TRIPS = {
    "pickle": lambda net: pickle.loads(pickle.dumps(net)),
    "deepcopy": copy.deepcopy,
}


@pytest.mark.parametrize("roundtrip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_pickling_round_trip_keeps_views_working(roundtrip):
    net, X, Y = make_problem((3, 4, 2), "relu", "softmax", seed=1)
    net.cost_and_grad(X, Y)  # leave a workspace behind
    restored = roundtrip(net)
    assert not np.shares_memory(restored.theta, net.theta)
    np.testing.assert_array_equal(restored.theta, net.theta)
    np.testing.assert_array_equal(restored.forward(X), net.forward(X))
    assert restored.cost(X, Y, 0.1) == net.cost(X, Y, 0.1)
    for t in restored.thetas:
        assert np.shares_memory(t, restored.theta)
    restored.thetas[1][0, 0] += 1.0  # writes through to the restored buffer ...
    assert restored.theta[net.thetas[0].size] == net.theta[net.thetas[0].size] + 1.0
    assert not np.allclose(restored.forward(X), net.forward(X))  # ... and to its output
    # An optimizer updating the restored buffer in place is seen by the network.
    _, grad = restored.cost_and_grad(X, Y)
    theta = restored.theta
    before = restored.cost(X, Y)
    theta -= 0.1 * grad
    assert restored.cost(X, Y) < before


def test_repr_names_the_architecture():
    net = Network([2, 3, 1], "tanh", "identity", dtype="float32")
    assert repr(net) == (
        "Network(2-3-1, activation='tanh', output='identity', dtype=float32, n_params=13)"
    )
    assert net.n_layers == 3


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32", "float64"])
def test_dtype_is_preserved_end_to_end(dtype, rng):
    net = Network([3, 4, 2], "tanh", "softmax", random_state=0, dtype=dtype)
    expected = np.dtype(dtype)
    X = rng.normal(size=(5, 3))  # float64 in, converted to the network's dtype
    Y = np.eye(2)[rng.integers(0, 2, 5)]
    assert net.dtype == expected
    assert net.theta.dtype == expected
    assert all(t.dtype == expected for t in net.thetas)
    assert net.forward(X).dtype == expected
    assert net.forward(X.astype(np.float32)).dtype == expected
    assert net.decision_function(X).dtype == expected
    assert all(a.dtype == expected for a in net.activations(X))
    cost, grad = net.cost_and_grad(X, Y, 0.1)
    assert grad.dtype == expected
    assert isinstance(cost, float)
    assert isinstance(net.cost(X, Y), float)
    ws = net.workspace(5)
    buffers = [*ws.a_with_bias[1:], *ws.delta[2:], ws.output]
    assert all(buffer.dtype == expected for buffer in buffers)


def test_float32_forward_agrees_with_float64(rng):
    net64 = Network([3, 8, 8, 2], "sigmoid", "softmax", random_state=2)
    net32 = net64.astype(np.float32)
    X = rng.normal(size=(20, 3))
    np.testing.assert_allclose(net32.forward(X), net64.forward(X), rtol=1e-5, atol=1e-6)
    Y = np.eye(2)[rng.integers(0, 2, 20)]
    assert net32.cost(X, Y) == pytest.approx(net64.cost(X, Y), rel=1e-5)


# ---------------------------------------------------------------- clear errors
def test_unknown_names_list_the_valid_ones():
    with pytest.raises(
        ValueError,
        match=r"unknown activation 'softplus'; valid activations are "
        r"'sigmoid', 'tanh', 'relu', 'identity', 'logistic'",
    ):
        Network([2, 1], activation="softplus")
    with pytest.raises(
        ValueError, match=r"unknown output 'relu'; valid outputs are 'sigmoid', 'softmax'"
    ):
        Network([2, 1], output="relu")
    with pytest.raises(
        ValueError,
        match=r"unknown initializer 'normal'; valid initializers are "
        r"'uniform', 'glorot', 'he', 'zeros'",
    ):
        Network([2, 1], initializer="normal")


def test_logistic_is_an_alias_of_sigmoid():
    net = Network([2, 2, 1], activation="logistic", output="logistic")
    assert (net.activation, net.output) == ("sigmoid", "sigmoid")


@pytest.mark.parametrize(
    ("layer_sizes", "message"),
    [
        ([3], r"needs at least an input and an output size, got \(3,\)"),
        ([], r"needs at least an input and an output size, got \(\)"),
        ([2, 0, 1], r"layer sizes must be positive integers, got \(2, 0, 1\)"),
        ([2, -3, 1], r"layer sizes must be positive integers"),
        ([2, 2.5, 1], r"layer sizes must be positive integers, got \(2, 2.5, 1\)"),
        ([2, True], r"layer sizes must be positive integers"),
        (5, r"layer_sizes must be a sequence of positive ints, got 5"),
    ],
)
def test_bad_layer_sizes(layer_sizes, message):
    with pytest.raises(ValueError, match=message):
        Network(layer_sizes)


def test_layer_sizes_accept_numpy_integers():
    net = Network(np.array([2, 3, 1]))
    assert net.layer_sizes == (2, 3, 1)
    assert all(type(u) is int for u in net.layer_sizes)


@pytest.mark.parametrize(
    ("dtype", "shown"),
    [
        (np.float16, "<class 'numpy.float16'>"),
        (np.int32, "<class 'numpy.int32'>"),
        ("complex128", "'complex128'"),
        ("banana", "'banana'"),
        (object, "<class 'object'>"),
    ],
)
def test_bad_dtype(dtype, shown):
    with pytest.raises(
        ValueError, match=f"dtype must be float32 or float64, got {re.escape(shown)}"
    ):
        Network([2, 1], dtype=dtype)


def test_wrong_shapes_of_X_and_Y():
    net = Network([3, 4, 2], random_state=0)
    X, Y = np.zeros((5, 3)), np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\), got \(5, 4\)"):
        net.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\), got \(3,\)"):
        net.forward(np.zeros(3))
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\), got \(5, 2\)"):
        net.cost(np.zeros((5, 2)), Y)
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 2\), got \(4, 2\)"):
        net.cost(X, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 2\), got \(5,\)"):
        net.cost_and_grad(X, np.zeros(5))
    with pytest.raises(ValueError, match="at least one example"):
        net.cost(np.zeros((0, 3)), np.zeros((0, 2)))


@pytest.mark.parametrize("lam", [-1.0, float("nan"), float("inf"), "0.1", None, np.array([0.1])])
def test_lam_must_be_a_non_negative_number(lam):
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid")
    with pytest.raises(
        ValueError, match=r"lam \(λ, the regularization strength\) must be a finite number >= 0"
    ):
        net.cost(X, Y, lam)
    with pytest.raises(ValueError, match=r"must be a finite number >= 0, got"):
        net.cost_and_grad(X, Y, lam)


def test_lam_accepts_integers_and_numpy_scalars():
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid")
    expected = net.cost(X, Y, 1.0)
    for lam in (1, np.float32(1.0), np.int64(1), np.array(1.0)):
        assert net.cost(X, Y, lam) == expected
        assert net.cost_and_grad(X, Y, lam)[0] == expected
