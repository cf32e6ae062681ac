"""Gradient checking: backprop's D against central differences of J (float64)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mlplab import activations, gradcheck
from mlplab.gradcheck import GradientCheck, check_gradients, numerical_gradient, relative_error
from mlplab.network import Network

from ._helpers import ARCHITECTURES, HIDDEN, OUTPUTS, RELU_MARGIN, make_problem, reference_forward


@pytest.mark.parametrize("sizes", ARCHITECTURES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("lam", [0.0, 0.7])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_backprop_matches_central_differences(activation, output, lam, sizes):
    net, X, Y = make_problem(sizes, activation, output, seed=7)
    if activation == "relu":
        # The kink at z = 0 is not differentiable: the problem was drawn so that every
        # hidden |z| clears the margin, and both sides of the kink are exercised.
        hidden_z, _ = reference_forward(net.thetas, activation, output, X)
        all_z = np.concatenate([z.ravel() for z in hidden_z])
        assert np.abs(all_z).min() > RELU_MARGIN
        assert (all_z > 0).any()
        assert (all_z < 0).any()

    result = check_gradients(net, X, Y, lam=lam)

    assert result.relative_error < 1e-7
    assert result.max_error < 1e-7  # every θ⁽ˡ⁾ separately, not only the whole vector
    assert len(result.layer_errors) == len(sizes) - 1
    assert result.verdict() == "good"
    # The check is meaningful only if the gradient is not zero.
    assert np.linalg.norm(result.analytic) > 1e-3


def test_regularization_gradient_is_checked(rng):
    # With λ > 0 the analytic gradient must move by exactly λθ/m on the weights (j ≥ 1)
    # and not at all on the bias column, and the check must still pass.
    net, X, Y = make_problem((3, 4, 3), "tanh", "sigmoid", seed=3)
    m, lam = X.shape[0], 2.5
    plain = check_gradients(net, X, Y, lam=0.0)
    regularized = check_gradients(net, X, Y, lam=lam)
    assert regularized.relative_error < 1e-7
    expected_shift = np.concatenate(
        [np.hstack([np.zeros((t.shape[0], 1)), lam / m * t[:, 1:]]).ravel() for t in net.thetas]
    )
    np.testing.assert_allclose(
        regularized.analytic - plain.analytic, expected_shift, rtol=1e-12, atol=1e-15
    )


def test_broken_derivative_is_caught(monkeypatch):
    # Dropping the .* f′(z⁽ˡ⁾) factor of δ⁽ˡ⁾ is the classic backprop bug.
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid", seed=1)
    assert check_gradients(net, X, Y).verdict() == "good"

    monkeypatch.setitem(activations.DERIVATIVES, "sigmoid", lambda A, delta, scratch=None: None)
    broken = check_gradients(net, X, Y)

    assert broken.relative_error > 1e-1
    assert broken.verdict() == "wrong"
    # The output layer's gradient does not involve f′ of a hidden layer and stays right;
    # the first layer's is wrong.
    assert broken.layer_errors[-1] < 1e-7
    assert broken.layer_errors[0] > 1e-1


def test_broken_regularization_is_caught(monkeypatch):
    # A cost that forgets its λ/(2m) Σθ² term disagrees with the gradient (which keeps
    # λθ/m) only when λ > 0.
    net, X, Y = make_problem((3, 4, 3), "tanh", "softmax", seed=2)
    monkeypatch.setattr(Network, "penalty", lambda self, lam, m: 0.0)
    assert check_gradients(net, X, Y, lam=0.0).relative_error < 1e-7
    assert check_gradients(net, X, Y, lam=5.0).relative_error > 1e-2


def test_check_leaves_the_network_untouched_and_runs_in_float64():
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "softmax", seed=4)
    net32 = net.astype(np.float32)
    before = net32.theta.copy()
    result = check_gradients(net32, X, Y, lam=0.1)
    np.testing.assert_array_equal(net32.theta, before)
    assert net32.dtype == np.float32
    assert result.analytic.dtype == np.float64
    assert result.numerical.dtype == np.float64
    # θ of the float32 net is exactly representable in float64, so the check is as good.
    assert result.relative_error < 1e-7


def test_result_fields_and_float():
    net, X, Y = make_problem((3, 4, 3, 3), "sigmoid", "sigmoid", seed=5)
    result = check_gradients(net, X, Y)
    assert result.analytic.shape == result.numerical.shape == (net.n_params,)
    assert result.layer_shapes == tuple(t.shape for t in net.thetas)
    assert float(result) == result.max_error == max(result.relative_error, *result.layer_errors)
    np.testing.assert_allclose(result.analytic, net.cost_and_grad(X, Y)[1], rtol=0, atol=0)


def test_format_table_has_a_row_per_layer_and_an_all_row():
    net, X, Y = make_problem((3, 4, 3, 3), "tanh", "identity", seed=6)
    result = check_gradients(net, X, Y)
    lines = result.format_table().splitlines()

    assert lines[0].split() == ["layer", "shape", "params", "relative", "error", "verdict"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    body = lines[2:]
    assert len(body) == len(net.thetas) + 1
    for index, (line, theta) in enumerate(zip(body, net.thetas), start=1):
        cells = line.split()
        assert cells[0] == f"θ({index})"
        assert cells[1] == f"{theta.shape[0]}×{theta.shape[1]}"
        assert cells[2] == str(theta.size)
        assert float(cells[3]) == pytest.approx(result.layer_errors[index - 1], rel=1e-3)
        assert cells[4] == "good"
    last = body[-1].split()
    assert last[0] == "all"
    assert last[1] == str(net.n_params)
    assert float(last[2]) == pytest.approx(result.relative_error, rel=1e-3)
    assert last[3] == "good"


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (0.0, "good"),
        (9.9e-8, "good"),
        (1e-7, "acceptable"),
        (5e-5, "acceptable"),
        (1e-4, "suspect"),
        (9.9e-3, "suspect"),
        (1e-2, "wrong"),
        (0.9, "wrong"),
    ],
)
def test_verdict_thresholds(error, verdict):
    assert gradcheck.verdict(error) == verdict
    result = GradientCheck(
        relative_error=error,
        layer_errors=(error / 2,),
        analytic=np.zeros(1),
        numerical=np.zeros(1),
    )
    assert result.verdict() == verdict
    assert result.verdict(error) == verdict


def test_verdict_uses_the_worst_layer():
    result = GradientCheck(
        relative_error=1e-9, layer_errors=(1e-9, 3e-3), analytic=np.zeros(2), numerical=np.zeros(2)
    )
    assert result.max_error == 3e-3
    assert result.verdict() == "suspect"
    # Without layer shapes the table still has its rows, with "?" for what is unknown.
    lines = result.format_table().splitlines()
    assert len(lines) == 2 + 2 + 1
    assert re.match(r"θ\(2\)\s+\?×\?\s+\?\s+3\.000e-03\s+suspect", lines[3])


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) = ‖(0, 1)‖ / (‖(3, 4)‖ + ‖(3, 3)‖) = 1 / (5 + 3√2)
    g, g_hat = np.array([3.0, 4.0]), np.array([3.0, 3.0])
    assert relative_error(g, g_hat) == pytest.approx(1 / (5 + 3 * np.sqrt(2)), rel=1e-15)
    assert relative_error(g, -g) == pytest.approx(1.0)


def test_numerical_gradient_of_a_cubic_restores_theta():
    # J(θ) = Σ cⱼ θⱼ³ has ∂J/∂θⱼ = 3cⱼθⱼ²; the central difference errs by exactly cⱼε².
    c = np.array([1.0, -2.0, 0.5])
    theta = np.array([0.3, -1.2, 2.0])
    saved = theta.copy()
    seen = []

    def J(t):
        seen.append(t)
        return float(np.sum(c * t**3))

    estimate = numerical_gradient(J, theta, epsilon=1e-3)
    np.testing.assert_array_equal(theta, saved)
    assert all(t is theta for t in seen)  # J sees θ itself, perturbed in one entry
    # (θ ± ε)³ differ by 6θ²ε + 2ε³: the estimate is 3cθ² + cε², within rounding of J
    # (about 1e-16·|J| / ε ≈ 1e-12 here).
    np.testing.assert_allclose(estimate, 3 * c * theta**2 + c * 1e-6, rtol=1e-9)
    only = numerical_gradient(J, theta, epsilon=1e-3, entries=[2, 0])
    np.testing.assert_array_equal(only, estimate[[2, 0]])


def test_numerical_gradient_is_public_and_matches_backprop():
    import mlplab

    net, X, Y = make_problem((3, 4, 2), "tanh", "softmax", seed=8)
    theta = net.theta.copy()
    # J as a function of a free vector θ: load it into a float64 copy of the network.
    probe = net.astype(np.float64)

    def J(t):
        probe.theta[:] = t
        return probe.cost(X, Y, 0.3)

    estimate = mlplab.numerical_gradient(J, theta)
    _, grad = net.cost_and_grad(X, Y, 0.3)
    assert relative_error(grad, estimate) < 1e-7


def test_numerical_gradient_rejects_bad_input():
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        numerical_gradient(lambda t: 0.0, np.zeros(2), epsilon=0.0)
    with pytest.raises(ValueError, match="theta must be a 1-D vector"):
        numerical_gradient(lambda t: 0.0, np.zeros((2, 2)))


@pytest.mark.parametrize("epsilon", [0.0, -1e-4, float("nan")])
def test_epsilon_must_be_positive(epsilon):
    net, X, Y = make_problem((3, 4, 3), "sigmoid", "sigmoid")
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        check_gradients(net, X, Y, epsilon=epsilon)


def test_verdict_of_what_is_not_a_number_is_wrong():
    assert gradcheck.verdict(float("nan")) == "wrong"
    assert gradcheck.verdict(None) == "wrong"


def test_relu_examples_on_the_kink_are_left_out(rng):
    # Hidden unit 2 computes z = x₁ − x₂, exactly 0 on the first 6 rows: a central
    # difference straddles its kink there. The check must use only the other rows.
    net = Network([2, 3, 2], "relu", "softmax", random_state=0)
    net.thetas[0][1] = [0.0, 1.0, -1.0]
    on_kink = np.repeat(rng.uniform(0.2, 1.0, size=(6, 1)), 2, axis=1)
    X = np.vstack([on_kink, rng.uniform(-1, 1, size=(30, 2))])
    Y = np.eye(2)[rng.integers(0, 2, size=36)]

    result = check_gradients(net, X, Y)

    assert result.kink_free
    assert not result.nudged_off_kinks
    assert 5 <= result.examples <= 30
    assert result.verdict() == "good"
    limited = check_gradients(net, X, Y, max_examples=7)
    assert limited.examples == 7


def test_sampled_check_covers_every_layer():
    net, X, Y = make_problem((3, 40, 30, 3), "tanh", "softmax", seed=9)
    result = check_gradients(net, X, Y, sample=150, random_state=1)
    # about 150 entries in all, but at least 100 (or all) of each θ⁽ˡ⁾
    sizes = [t.size for t in net.thetas]
    assert result.analytic.size == sum(min(s, max(100, round(150 * s / sum(sizes)))) for s in sizes)
    assert result.entries is not None
    assert np.all(np.diff(result.entries) > 0)
    assert result.verdict() == "good"
