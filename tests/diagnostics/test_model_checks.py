"""Checks on the network at initialization: gradients, initial loss, penalty, symmetry, units."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlplab import activations
from mlplab.diagnostics import (
    check_gradient,
    check_initial_loss,
    check_regularization,
    check_saturation,
    check_symmetry,
    diagnose,
)
from mlplab.gradcheck import check_gradients, numerical_gradient, relative_error
from mlplab.network import Network

from ._helpers import HEALTHY


def _one_hot(y, k=10):
    return np.eye(k)[y]


def _skip_fprime(A, delta, scratch=None):
    """A planted bug: δ⁽ˡ⁾ = (θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾ without the .* f′(z⁽ˡ⁾)."""


# ---------------------------------------------------------------------- gradient check
def test_planted_backprop_bug_fails_the_gradient_check(digits, monkeypatch):
    X, y = digits
    net = Network([64, 16, 10], "sigmoid", "softmax", initializer="glorot", random_state=0)
    assert check_gradient(net, X, _one_hot(y)).status == "PASS"

    monkeypatch.setitem(activations.DERIVATIVES, "sigmoid", _skip_fprime)
    finding = check_gradient(net, X, _one_hot(y))

    assert finding.status == "FAIL"
    assert finding.measured > 1e-2
    assert "θ(1)" in finding.message  # only the hidden layer's gradient is wrong
    assert finding.details["layer_errors"][1] < 1e-7  # θ(2) comes from δ⁽ᴸ⁾ = a − y, intact


def test_planted_bug_makes_diagnose_fail(digits, monkeypatch):
    X, y = digits
    monkeypatch.setitem(activations.DERIVATIVES, "sigmoid", _skip_fprime)

    diagnosis = diagnose({"hidden_layer_sizes": (16,), "activation": "logistic"}, X, y, quick=True)

    assert diagnosis.status_of("gradient_check") == "FAIL"
    assert diagnosis.has_failures
    assert diagnosis.worst == "FAIL"


def test_large_networks_are_checked_on_a_sample_of_entries(digits, monkeypatch):
    X, y = digits
    net = Network([64, 100, 10], "tanh", "softmax", initializer="glorot", random_state=1)
    assert net.n_params > 5000

    healthy = check_gradient(net, X, _one_hot(y), lam=0.1)
    monkeypatch.setitem(activations.DERIVATIVES, "tanh", _skip_fprime)
    broken = check_gradient(net, X, _one_hot(y), lam=0.1)

    assert healthy.status == "PASS"
    assert healthy.details["sampled"]
    assert 2000 <= healthy.details["entries_checked"] < net.n_params
    assert broken.status == "FAIL"


def test_float32_network_is_checked_in_float64(digits):
    X, y = digits
    net = Network([64, 16, 10], "tanh", "softmax", random_state=0, dtype=np.float32)
    finding = check_gradient(net, X, _one_hot(y), lam=1.0)
    assert finding.status == "PASS"
    assert finding.measured < 1e-7


def test_relu_examples_are_picked_away_from_the_kinks(rng):
    # Unit 1 of the hidden layer has z = x₁ − x₂: exactly 0 on the first 20 rows.
    net = Network([2, 3, 2], "relu", "softmax", random_state=0)
    net.thetas[0][1] = [0.0, 1.0, -1.0]
    on_kink = np.repeat(rng.uniform(0.2, 1.0, size=(20, 1)), 2, axis=1)
    X = np.vstack([on_kink, rng.uniform(-1, 1, size=(40, 2))])
    Y = _one_hot(rng.integers(0, 2, size=60), 2)
    # Central differences straddle the kink there: compared on those rows, a plain
    # relative error blames a right backprop.
    cost = lambda _: net.cost(X[:20], Y[:20])  # noqa: E731
    numerical = numerical_gradient(cost, net.theta)
    assert relative_error(net.cost_and_grad(X[:20], Y[:20])[1], numerical) > 1e-4

    finding = check_gradient(net, X, Y, random_state=0)

    assert finding.status == "PASS"
    assert finding.details["kink_free"]
    assert not finding.details["nudged_off_kinks"]
    assert finding.details["examples"] >= 5


def test_relu_network_at_zero_is_nudged_off_its_kinks(digits):
    X, y = digits
    net = Network([64, 8, 10], "relu", "softmax", initializer="zeros")

    finding = check_gradient(net, X, _one_hot(y))

    assert finding.status == "PASS"
    assert finding.details["nudged_off_kinks"]
    assert np.all(net.theta == 0)  # the network itself is untouched


def test_vanishing_layer_gradient_is_not_blamed_on_backprop(digits):
    # Hidden sigmoids pinned at a = 1 − 9e-14 (z ≈ 30): f′ ≈ 9e-14, so θ(1)'s gradient is
    # ~1e-13, and a step of ε = 1e-4 moves a by ~1e-17, below float64's spacing near 1: the
    # central difference is rounding noise and the plain relative error is 1.
    X, y = digits
    net = Network([64, 8, 10], "sigmoid", "softmax", random_state=0)
    net.thetas[0][:, 0] = 30.0
    net.thetas[0][:, 1:] *= 0.01
    Y = _one_hot(y[:20])
    numerical = numerical_gradient(lambda _: net.cost(X[:20], Y), net.theta)
    first = slice(0, net.thetas[0].size)
    assert relative_error(net.cost_and_grad(X[:20], Y)[1][first], numerical[first]) > 0.5
    # The check measures against 1e5 × the rounding noise of a central difference; when
    # that noise (k·eps·|J|/ε per entry, k a few ulps) is all there is, the error is about
    # k/1e5: below the "acceptable" bound 1e-4 for k up to 10 (see below).
    assert check_gradients(net, X[:20], Y).layer_errors[0] < 1e-4

    finding = check_gradient(net, X, _one_hot(y))

    # θ(1)'s central differences are rounding alone: J(θ ± εeⱼ) share every rounding except
    # where a saturated a⁽²⁾ rounds to a neighbouring float, so they differ by a few ulps of
    # J, k·eps·|J|, and each entry of ĝ is k·eps·|J|/ε: k times the floor's rounding unit.
    # The floored error is then about k / NOISE_FLOOR_FACTOR = k·1e-5, and the check's own
    # PASS bound (1e-4, "acceptable") allows k up to 10. How small k is depends on the BLAS
    # kernel's rounding.
    assert finding.status == "PASS"
    assert finding.details["layer_errors"][0] < 1e-4


# ---------------------------------------------------------------------- initial loss
def test_initial_loss_is_near_ln_k_for_a_sane_initialization(digits):
    X, y = digits
    net = Network([64, 32, 10], "relu", "softmax", initializer="glorot", random_state=0)

    finding = check_initial_loss(net, X, _one_hot(y))

    assert finding.status == "PASS"
    assert finding.details["expected"] == pytest.approx(math.log(10))
    assert finding.measured == pytest.approx(math.log(10), rel=0.2)
    assert "ln 10" in finding.threshold


def test_huge_initial_weights_fail_the_initial_loss_check(digits):
    X, y = digits
    net = Network([64, 32, 10], "sigmoid", "softmax", init_epsilon=10.0, random_state=0)

    finding = check_initial_loss(net, X, _one_hot(y))

    assert finding.status == "FAIL"
    assert finding.details["ratio"] > 3
    assert "confidently wrong" in finding.message
    assert "init_epsilon" in finding.advice


def test_moderately_large_initial_loss_warns():
    # A single sigmoid output whose logit is z = ±2 and always wrong-ish: loss ln(1 + e²)
    # = 2.13 = 3.07 × ln 2 → FAIL; z = ±1: ln(1 + e) = 1.31 = 1.89 × ln 2 → WARN.
    X = np.array([[1.0], [-1.0]])
    Y = np.array([[0.0], [1.0]])
    net = Network([1, 1], output="sigmoid")
    net.thetas[0][:] = [[0.0, 1.0]]
    assert check_initial_loss(net, X, Y).status == "WARN"
    net.thetas[0][:] = [[0.0, 2.0]]
    assert check_initial_loss(net, X, Y).status == "FAIL"


def test_regression_initial_loss_is_compared_with_half_mean_squared_target(rng):
    X = rng.normal(size=(100, 3))
    net = Network([3, 4, 1], "tanh", "identity", initializer="glorot", random_state=0)
    small = check_initial_loss(net, X, rng.normal(size=(100, 1)))
    tiny = check_initial_loss(net, X, 1e-3 * rng.normal(size=(100, 1)))

    assert small.status == "PASS"
    assert "½·mean ‖y‖²" in small.threshold
    assert tiny.status == "WARN"  # outputs ≈ 1 against targets ≈ 0.001
    assert "standardize the targets" in tiny.advice


# ---------------------------------------------------------------------- regularization
def test_regularization_term_passes_and_matches_formula(digits):
    X, y = digits
    net = Network([64, 16, 10], "relu", "softmax", random_state=0)
    weights = sum(float(np.sum(t[:, 1:] ** 2)) for t in net.thetas)

    finding = check_regularization(net, X[:50], _one_hot(y[:50]))

    assert finding.status == "PASS"
    assert finding.measured == pytest.approx(weights / (2 * 50))
    assert finding.details["J(0)"] < finding.details["J(λ)"] < finding.details["J(2λ)"]


def test_penalty_that_includes_the_bias_fails(digits, monkeypatch):
    X, y = digits
    net = Network([64, 16, 10], "relu", "softmax", random_state=0)

    def penalty_with_bias(self, lam, m):
        return lam / (2.0 * m) * float(np.sum(self.theta**2))

    monkeypatch.setattr(Network, "penalty", penalty_with_bias)
    finding = check_regularization(net, X[:50], _one_hot(y[:50]))

    assert finding.status == "FAIL"
    assert "regularization term is wrong" in finding.message


def test_regularization_skips_all_zero_weights(digits):
    X, y = digits
    net = Network([64, 4, 10], initializer="zeros")
    assert check_regularization(net, X[:10], _one_hot(y[:10])).status == "SKIP"


# ---------------------------------------------------------------------- symmetry
def test_zero_initialization_trips_the_symmetry_check(digits):
    X, y = digits

    diagnosis = diagnose({**HEALTHY, "initializer": "zeros"}, X, y, quick=True)

    (finding,) = diagnosis.findings_for("symmetry")
    assert finding.status == "FAIL"
    assert finding.measured == 1.0
    assert "hidden layer 2" in finding.message
    assert "not to zero" in finding.advice


def test_some_duplicate_units_warn_and_deeper_layers_are_named():
    net = Network([3, 5, 4, 2], "tanh", random_state=0)
    net.thetas[0][3] = net.thetas[0][1]

    finding = check_symmetry(net)
    assert finding.status == "WARN"
    assert finding.details["duplicate_units"] == {"2": 2}
    assert finding.measured == pytest.approx(2 / 9)

    net.thetas[1][:] = 0.25
    finding = check_symmetry(net)
    assert finding.status == "FAIL"
    assert "hidden layer 3" in finding.message


def test_symmetry_passes_random_and_skips_no_hidden_layer():
    assert check_symmetry(Network([3, 5, 2], random_state=0)).status == "PASS"
    assert check_symmetry(Network([3, 2], random_state=0)).status == "SKIP"


# ---------------------------------------------------------------------- saturation
def test_sigmoid_net_with_huge_uniform_init_trips_the_saturation_check(digits):
    X, y = digits
    config = {
        "hidden_layer_sizes": (64,),
        "activation": "logistic",
        "initializer": "uniform",
        "init_epsilon": 10.0,
    }

    diagnosis = diagnose(config, X, y)

    (finding,) = diagnosis.findings_for("saturation")
    assert finding.status == "WARN"
    assert finding.layer == 2
    assert finding.measured > 0.5
    assert "f′ ≈ 0" in finding.message
    assert finding.title == "Saturated/dead units, layer 2"
    assert diagnosis.status_of("initial_loss") == "FAIL"


def test_saturation_is_quiet_for_a_sane_sigmoid_net(digits):
    X, _ = digits
    net = Network([64, 32, 10], "sigmoid", "softmax", initializer="glorot", random_state=0)
    (finding,) = check_saturation(net, X[:300])
    assert finding.status == "PASS"
    assert finding.measured == 0.0


def test_dead_relus_are_reported_per_layer(digits):
    X, _ = digits
    net = Network([64, 20, 10, 10], "relu", "softmax", initializer="he", random_state=0)
    net.thetas[1][:7, 0] = -100.0  # 7 of the 10 units of layer 3 can never switch on

    layer2, layer3 = check_saturation(net, X[:300])

    assert (layer2.layer, layer2.status) == (2, "PASS")
    assert (layer3.layer, layer3.status) == (3, "WARN")
    assert layer3.measured == pytest.approx(0.7)
    assert layer3.details["dead"] == 7
    assert "output 0 for every example" in layer3.message


def test_tanh_saturation_and_identity_skip(digits):
    X, _ = digits
    net = Network([64, 16, 10], "tanh", "softmax", init_epsilon=20.0, random_state=0)
    (finding,) = check_saturation(net, X[:200])
    assert finding.status == "WARN"
    assert "|a| > 0.99" in finding.message
    (skipped,) = check_saturation(Network([64, 4, 10], "identity", random_state=0), X[:10])
    assert skipped.status == "SKIP"
