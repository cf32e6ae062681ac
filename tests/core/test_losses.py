"""The cost J(θ): hand-worked cases, independent formulas, stability and accuracy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import xlogy

from mlplab.backprop import backprop_loop
from mlplab.losses import OUTPUTS as OUTPUT_FUNCTIONS
from mlplab.losses import apply_output, resolve_output
from mlplab.network import Network

from ._helpers import HIDDEN, OUTPUTS, make_problem, reference_forward


# ---------------------------------------------------------------- worked by hand
def test_sigmoid_cost_of_a_logistic_unit_by_hand():
    # 2-1 network, θ = [b, w₁, w₂] = [0.5, −1, 2]; two examples:
    #   x = (1, 0), y = 1: z = 0.5 − 1 = −0.5, h = σ(−0.5) = 0.3775406687981454
    #   x = (0, 1), y = 0: z = 0.5 + 2 =  2.5, h = σ(2.5)  = 0.9241418199787566
    # J = −½ [log h₁ + log(1 − h₂)] = ½ [0.9740769841801067 + 2.5788897342925496]
    #   = 1.776483359236328
    # λ = 1: + λ/(2m) (w₁² + w₂²) = ¼ (1 + 4) = 1.25, the bias 0.5 is not counted.
    net = Network([2, 1])
    net.theta = [0.5, -1.0, 2.0]
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[1.0], [0.0]])
    np.testing.assert_allclose(
        net.forward(X), [[0.3775406687981454], [0.9241418199787566]], rtol=1e-15
    )
    assert net.cost(X, Y) == pytest.approx(1.776483359236328, rel=1e-14)
    assert net.cost(X, Y, lam=1.0) == pytest.approx(1.776483359236328 + 1.25, rel=1e-14)
    assert net.cost(X, Y[:, 0]) == net.cost(X, Y)  # 1-D targets for a single output


def test_multi_output_sigmoid_cost_sums_over_outputs():
    # The lecture's K-output cost, Σₖ over outputs: 2-2 network,
    #   θ = [[0, 1, −1], [1, 0, 2]], x = (1, 1), y = (1, 0)
    #   z = (0 + 1 − 1, 1 + 0 + 2) = (0, 3), h = (0.5, σ(3))
    #   J = −[log 0.5 + log(1 − σ(3))] = log 2 + (3 + log(1 + e⁻³))
    #     = 0.6931471805599453 + 3.048587351573742 = 3.7417345321336875
    net = Network([2, 2])
    net.theta = [0.0, 1.0, -1.0, 1.0, 0.0, 2.0]
    assert net.cost([[1.0, 1.0]], [[1.0, 0.0]]) == pytest.approx(3.7417345321336875, rel=1e-14)


def test_softmax_cost_by_hand():
    # 2-3 softmax network, θ = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]:
    #   x = (1, 2), class 2: z = (1, 2, 1), a₂ = e²/(e + e² + e) = e/(2 + e)
    #       −log a₂ = log(2 + e) − 1 = 0.5514447139320509
    #   x = (0, 0), class 1: z = (0, 0, 1), a₁ = 1/(2 + e)
    #       −log a₁ = log(2 + e) = 1.5514447139320509
    #   J = ½ (0.5514447139320509 + 1.5514447139320509) = 1.0514447139320509
    # λ = 2: + λ/(2m) Σ w² = ½ (1 + 1) = 1.0 (the bias 1 of unit 3 is not counted).
    net = Network([2, 3], output="softmax")
    net.thetas = [np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])]
    X = np.array([[1.0, 2.0], [0.0, 0.0]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    e = math.e
    np.testing.assert_allclose(net.forward(X)[0], [1 / (2 + e), e / (2 + e), 1 / (2 + e)])
    assert net.cost(X, Y) == pytest.approx(1.0514447139320509, rel=1e-14)
    assert net.cost(X, Y, lam=2.0) == pytest.approx(2.0514447139320509, rel=1e-14)


def test_identity_cost_is_half_squared_error_summed_over_outputs():
    # 2-2 identity network, θ = [[1, 2, 0], [0, −1, 1]]:
    #   x = (1, 1), y = (2, 0): z = (1 + 2, −1 + 1) = (3, 0), residual (1, 0), ½ · 1 = 0.5
    #   x = (0, 2), y = (0, 0): z = (1, 2),                  residual (1, 2), ½ · 5 = 2.5
    #   J = (0.5 + 2.5) / 2 = 1.5
    # λ = 2: + λ/(2m) (2² + 0² + (−1)² + 1²) = ½ · 6 = 3.0, so J = 4.5.
    net = Network([2, 2], output="identity")
    net.theta = [1.0, 2.0, 0.0, 0.0, -1.0, 1.0]
    X = np.array([[1.0, 1.0], [0.0, 2.0]])
    Y = np.array([[2.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(net.forward(X), [[3.0, 0.0], [1.0, 2.0]])
    assert net.cost(X, Y) == 1.5
    assert net.cost(X, Y, lam=2.0) == 4.5


def test_penalty_of_the_xnor_network_excludes_the_bias_column(xor_data):
    # XNOR = OR(AND, NOR): θ⁽¹⁾ = [[−30, 20, 20], [10, −20, −20]], θ⁽²⁾ = [[−10, 20, 20]].
    # Σ over j ≥ 1 of θ² = 6 · 20² = 2400; with λ = 1, m = 4: λ/(2m) · 2400 = 300.
    # The biases (−30, 10, −10) would add 1100 if they were counted.
    net = Network([2, 2, 1])
    net.thetas = [np.array([[-30.0, 20, 20], [10, -20, -20]]), np.array([[-10.0, 20, 20]])]
    X, _ = xor_data
    xnor = 1.0 - xor_data[1]
    assert net.penalty(1.0, 4) == 300.0
    assert net.cost(X, xnor, lam=1.0) - net.cost(X, xnor) == pytest.approx(300.0, rel=1e-15)
    # Huge biases change nothing, and zero weights give exactly zero.
    for bias in net.biases:
        bias[:] = 1e12
    assert net.penalty(1.0, 4) == 300.0
    for weights in net.weights:
        weights[:] = 0.0
    assert net.penalty(5.0, 4) == 0.0


# ---------------------------------------------------------------- independent formulas
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_cost_matches_the_lecture_formula(activation, output):
    net, X, Y = make_problem((3, 5, 4, 3), activation, output, seed=8, m=9)
    _, H = reference_forward(net.thetas, activation, output, X)
    m, lam = X.shape[0], 0.6
    if output == "sigmoid":  # −1/m Σᵢ Σₖ [yₖ log hₖ + (1 − yₖ) log(1 − hₖ)]
        data = -np.sum(Y * np.log(H) + (1 - Y) * np.log(1 - H)) / m
    elif output == "softmax":  # −1/m Σᵢ Σₖ yₖ log hₖ
        data = -np.sum(Y * np.log(H)) / m
    elif output == "exp":  # half the Poisson deviance: 1/m Σᵢ Σₖ [yₖ log(yₖ/hₖ) − yₖ + hₖ]
        data = np.sum(xlogy(Y, Y / H) - Y + H) / m
    else:  # 1/m Σᵢ ½ Σₖ (hₖ − yₖ)²
        data = 0.5 * np.sum((H - Y) ** 2) / m
    penalty = lam / (2 * m) * sum(np.sum(t[:, 1:] ** 2) for t in net.thetas)

    np.testing.assert_allclose(net.forward(X), H, rtol=1e-12, atol=1e-15)
    assert net.cost(X, Y) == pytest.approx(data, rel=1e-12)
    assert net.cost(X, Y, lam) == pytest.approx(data + penalty, rel=1e-12)
    assert net.cost_and_grad(X, Y, lam)[0] == pytest.approx(data + penalty, rel=1e-12)


# ---------------------------------------------------------------- stability
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [10.0, 100.0, 1e3, 1e4])
# Not "exp": its output e^z is the predicted rate itself, unbounded, and overflows for
# z > 709 (float64) / 88 (float32) whatever the formula; the trainer stops on it.
@pytest.mark.parametrize("output", [o for o in OUTPUTS if o != "exp"])
def test_huge_output_logits_raise_no_floating_point_error(output, scale, dtype):
    # Logits z⁽ᴸ⁾ = ±scale, ±scale/2 and 0, both right and wrong, under np.errstate(all="raise").
    net = Network([2, 3], output=output, dtype=dtype)
    net.thetas = [scale * np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 0.5], [0.0, 0.0, 0.0]])]
    X = np.array([[1.0, 0.0], [-1.0, -1.0], [0.0, -1.0], [1.0, 1.0]])
    Y = np.eye(3)[[0, 0, 1, 2]]
    with np.errstate(all="raise"):
        Z = net.decision_function(X)
        H = net.forward(X)
        cost = net.cost(X, Y, lam=0.1)
        cost2, grad = net.cost_and_grad(X, Y, lam=0.1)
        loop_cost, loop_grad = backprop_loop(net, X, Y, lam=0.1)
    assert np.abs(Z).max() == pytest.approx(scale, rel=1e-6)
    assert H.dtype == grad.dtype == loop_grad.dtype == dtype
    assert np.isfinite(H).all()
    assert np.isfinite(grad).all()
    assert np.isfinite(loop_grad).all()
    assert math.isfinite(cost)
    assert cost == cost2
    assert loop_cost == pytest.approx(cost, rel=1e-5)
    if output != "identity":
        assert ((H >= 0) & (H <= 1)).all()
    if output == "softmax":
        np.testing.assert_allclose(H.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", HIDDEN)
def test_huge_hidden_pre_activations_raise_no_floating_point_error(activation, dtype):
    net = Network([2, 3, 2], activation, "softmax", random_state=0, dtype=dtype)
    net.thetas[0][...] = 1e4 * np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 1.0], [0.5, 0.0, 0.0]])
    net.thetas[1][...] = [[0.0, 0.3, -0.2, 0.1], [0.1, -0.3, 0.2, 0.0]]
    X = np.array([[1.0, 0.0], [-1.0, 1.0], [0.5, -0.5]])
    Y = np.eye(2)[[0, 1, 1]]
    with np.errstate(all="raise"):
        H = net.forward(X)
        cost, grad = net.cost_and_grad(X, Y, lam=0.1)
        backprop_loop(net, X, Y, lam=0.1)
    assert np.isfinite(H).all()
    assert math.isfinite(cost)
    assert np.isfinite(grad).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cost_is_finite_when_sigmoid_outputs_saturate_to_exactly_0_and_1(dtype):
    # θ = [0, 10⁴]: x = 1 gives z = 10⁴ and h = 1.0 exactly, x = −1 gives h = 0.0 exactly.
    # Both targets are 0, so the naive −log(1 − h) of the first example is −log 0 = inf.
    # From the logits the loss is softplus(10⁴) = 10⁴ and softplus(−10⁴) = 0 (to 1e-4343),
    # so J = (10⁴ + 0)/2 = 5000, and D = δ [1, x] / m = ½ [(1, 1) + (0, 0)] = (0.5, 0.5).
    net = Network([1, 1], dtype=dtype)
    net.theta = [0.0, 1e4]
    X, Y = np.array([[1.0], [-1.0]]), np.array([[0.0], [0.0]])
    with np.errstate(all="raise"):
        H = net.forward(X)
        cost, grad = net.cost_and_grad(X, Y)
    np.testing.assert_array_equal(H, [[1.0], [0.0]])
    assert cost == 5000.0
    np.testing.assert_array_equal(grad, [0.5, 0.5])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cost_is_finite_when_softmax_outputs_saturate(dtype):
    # z = (10⁴, −10⁴) for class 2: a = (1, 0) exactly, −log a₂ = logsumexp(z) − z₂ = 2·10⁴.
    # δ = a − y = (1, −1), so D = [[1, 1], [−1, −1]] for the one example x = 1.
    net = Network([1, 2], output="softmax", dtype=dtype)
    net.theta = [0.0, 1e4, 0.0, -1e4]
    with np.errstate(all="raise"):
        H = net.forward([[1.0]])
        cost, grad = net.cost_and_grad([[1.0]], [[0.0, 1.0]])
    np.testing.assert_array_equal(H, [[1.0, 0.0]])
    assert cost == 2e4
    np.testing.assert_array_equal(grad, [1.0, 1.0, -1.0, -1.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_confident_sigmoid_cost_keeps_its_relative_accuracy(rng, dtype):
    # A well-fitted batch of 3 outputs: every logit is right by a margin of 25 to 35, so
    # each entry costs log(1 + e^(−|z|)) ≈ 1e-11..1e-15. Summing Σ max(z, 0) and Σ z·y
    # separately (≈ 5·10⁵ each) would cancel to rounding noise, even negative in float32.
    m, k = 10_000, 3
    x = rng.uniform(25.0, 35.0, size=(m, k)) * rng.choice([-1.0, 1.0], size=(m, k))
    Y = (x > 0).astype(np.float64)
    net = Network([k, k], dtype=dtype)
    net.thetas = [np.hstack([np.zeros((k, 1)), np.eye(k)])]  # z = x
    z = x.astype(dtype).astype(np.float64)  # the logits the network sees
    exact = float(np.sum(np.log1p(np.exp(-np.abs(z)))) / m)
    cost = net.cost(x, Y)
    assert cost > 0
    assert cost == pytest.approx(exact, rel=1e-6 if dtype == np.float32 else 1e-12)


# ---------------------------------------------------------------- the registry
def test_output_functions_write_activations_in_place(rng):
    Z = rng.normal(size=(6, 3)) * 5
    Y = np.eye(3)[rng.integers(0, 3, 6)]
    for name, function in OUTPUT_FUNCTIONS.items():
        A = np.full_like(Z, np.nan)
        Z_before = Z.copy()
        loss = function(Z, A, Y)
        np.testing.assert_array_equal(Z, Z_before)  # logits are left intact
        np.testing.assert_allclose(A, apply_output(name, Z), rtol=1e-15)
        assert isinstance(loss, float)
    np.testing.assert_allclose(apply_output("sigmoid", Z), 1 / (1 + np.exp(-Z)), rtol=1e-14)
    np.testing.assert_array_equal(apply_output("identity", Z), Z)
    np.testing.assert_allclose(apply_output("softmax", Z).sum(axis=1), 1.0, rtol=1e-15)
    # Softmax does not change when a constant is added to a row of logits.
    np.testing.assert_allclose(
        apply_output("softmax", Z + 1000.0), apply_output("softmax", Z), rtol=1e-12
    )


def test_sigmoid_loss_matches_the_direct_formula_for_soft_targets(rng):
    # Targets in [0, 1] that are not 0/1 (label smoothing, multi-label probabilities).
    Z = rng.normal(size=(50, 4)) * 3  # moderate, so that the naive log(1 − h) is accurate
    Y = rng.uniform(size=(50, 4))
    H = 1 / (1 + np.exp(-Z))
    direct = -np.sum(Y * np.log(H) + (1 - Y) * np.log(1 - H))
    A = np.empty_like(Z)
    assert OUTPUT_FUNCTIONS["sigmoid"](Z, A, Y) == pytest.approx(direct, rel=1e-12)
    np.testing.assert_allclose(A, H, rtol=1e-15)


def test_resolve_output_names():
    assert resolve_output("logistic") == "sigmoid"
    assert [resolve_output(name) for name in OUTPUTS] == list(OUTPUTS)
    with pytest.raises(
        ValueError,
        match=r"unknown output 'tanh'; valid outputs are 'sigmoid', 'softmax', 'identity'",
    ):
        resolve_output("tanh")
