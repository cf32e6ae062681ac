"""Random initialization of θ ("not to zero!"): ranges, statistics and reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlplab.initializers import INITIALIZERS, resolve_initializer
from mlplab.network import Network


def test_uniform_with_given_epsilon_fills_the_whole_interval():
    eps = 0.12
    net = Network([50, 40, 30], initializer="uniform", init_epsilon=eps, random_state=0)
    theta = net.theta
    assert np.abs(theta).max() <= eps
    # The draws cover [−ε, ε] evenly (3,270 values): extremes near ±ε, quartiles near ±ε/2.
    assert theta.max() > 0.99 * eps
    assert theta.min() < -0.99 * eps
    np.testing.assert_allclose(
        np.quantile(theta, [0.25, 0.5, 0.75]), [-eps / 2, 0, eps / 2], atol=0.01
    )
    # The lecture draws every θ⁽ˡ⁾ᵢⱼ, the bias column included.
    assert all((b != 0).all() for b in net.biases)


def test_uniform_default_epsilon_is_sqrt6_over_sqrt_fan_in_plus_fan_out():
    net = Network([50, 40, 30], random_state=1)  # "uniform" is the default
    for theta, (u_in, u_out) in zip(net.thetas, [(50, 40), (40, 30)]):
        bound = math.sqrt(6) / math.sqrt(u_in + u_out)
        assert np.abs(theta).max() <= bound
        assert np.abs(theta).max() > 0.98 * bound


@pytest.mark.parametrize(
    ("activation", "output", "gains"),
    [
        ("sigmoid", "softmax", (2.0, 6.0)),
        ("relu", "sigmoid", (6.0, 2.0)),
        ("tanh", "identity", (6.0, 6.0)),
        ("sigmoid", "sigmoid", (2.0, 2.0)),
    ],
)
def test_glorot_bound(activation, output, gains):
    # b = √(c / (u_in + u_out)), c = 2 for sigmoid units and 6 otherwise; the output layer's
    # gain follows the output function.
    net = Network([50, 40, 30], activation, output, initializer="glorot", random_state=2)
    for theta, gain, (u_in, u_out) in zip(net.thetas, gains, [(50, 40), (40, 30)]):
        bound = math.sqrt(gain / (u_in + u_out))
        assert np.abs(theta).max() <= bound
        assert np.abs(theta).max() > 0.98 * bound


def test_he_statistics():
    # W ~ N(0, 2 / u_in) with u_in = 400: 120,000 draws in the first layer, so the sample
    # standard deviation is within 1 % of √(2/400) = 0.0707 with overwhelming probability.
    net = Network([400, 300, 10], "relu", initializer="he", random_state=3)
    for W, b, u_in in zip(net.weights, net.biases, [400, 300]):
        assert (b == 0).all()
        expected_std = math.sqrt(2.0 / u_in)
        assert W.std() == pytest.approx(expected_std, rel=0.02 if W.size > 10_000 else 0.1)
        assert abs(W.mean()) < 5 * expected_std / math.sqrt(W.size)


def test_zeros_only_when_asked():
    default = Network([5, 4, 3], random_state=4)
    assert np.count_nonzero(default.theta) == default.n_params
    for name in ("uniform", "glorot", "he"):
        net = Network([5, 4, 3], "relu", initializer=name, random_state=4)
        assert np.count_nonzero(np.concatenate([W.ravel() for W in net.weights])) == 4 * 5 + 3 * 4
    zeros = Network([5, 4, 3], initializer="zeros", random_state=4)
    assert not zeros.theta.any()


@pytest.mark.parametrize("initializer", sorted(INITIALIZERS))
def test_same_seed_same_theta_different_seed_different_theta(initializer):
    def draw(seed):
        return Network([4, 6, 3], "relu", initializer=initializer, random_state=seed).theta

    np.testing.assert_array_equal(draw(7), draw(7))
    if initializer != "zeros":
        assert not np.array_equal(draw(7), draw(8))
        assert not np.array_equal(draw(None), draw(None))


def test_random_state_may_be_a_generator_or_a_random_state():
    # A Generator is used as it is: two networks drawn from one stream differ, and the
    # stream is the one a fresh Generator with the same seed produces.
    stream = np.random.default_rng(5)
    first = Network([3, 2], random_state=stream).theta.copy()
    second = Network([3, 2], random_state=stream).theta.copy()
    assert not np.array_equal(first, second)
    replay = np.random.default_rng(5)
    np.testing.assert_array_equal(Network([3, 2], random_state=replay).theta, first)
    # scikit-learn's RandomState is accepted, and reproducible.
    legacy_a = Network([3, 2], random_state=np.random.RandomState(0)).theta
    legacy_b = Network([3, 2], random_state=np.random.RandomState(0)).theta
    np.testing.assert_array_equal(legacy_a, legacy_b)
    seq = Network([3, 2], random_state=np.random.SeedSequence(9)).theta
    np.testing.assert_array_equal(
        seq, Network([3, 2], random_state=np.random.SeedSequence(9)).theta
    )


def test_bad_random_state():
    with pytest.raises(ValueError, match="random_state must be a non-negative integer, got -1"):
        Network([3, 2], random_state=-1)
    with pytest.raises(ValueError, match=r"random_state must be None, an int, .* got str"):
        Network([3, 2], random_state="0")


def test_initialize_redraws_in_place():
    net = Network([3, 4, 2], random_state=0)
    buffer, views = net.theta, net.thetas
    assert net.initialize("zeros") is net
    assert net.theta is buffer
    assert not any(v.any() for v in views)
    net.initialize("uniform", init_epsilon=0.5, random_state=1)
    assert np.abs(views[0]).max() <= 0.5
    assert views[0].any()
    np.testing.assert_array_equal(
        buffer, Network([3, 4, 2], init_epsilon=0.5, random_state=1).theta
    )


@pytest.mark.parametrize("epsilon", [0, 0.0, -0.1, float("nan"), float("inf"), "0.1"])
def test_epsilon_must_be_positive(epsilon):
    with pytest.raises(ValueError, match="epsilon must be a positive finite number, got"):
        Network([3, 2], init_epsilon=epsilon)
    with pytest.raises(ValueError, match="epsilon must be a positive finite number, got"):
        Network([3, 2]).initialize(init_epsilon=epsilon)


def test_resolve_initializer():
    assert [resolve_initializer(name) for name in INITIALIZERS] == list(INITIALIZERS)
    with pytest.raises(
        ValueError,
        match=r"unknown initializer 'xavier'; valid initializers are 'uniform', 'glorot', "
        r"'he', 'zeros'",
    ):
        resolve_initializer("xavier")


def test_the_old_epsilon_keyword_works_for_one_release_with_a_warning():
    # the initializer's ε is init_epsilon everywhere; epsilon is Adam's ε and the gradient
    # check's step, so the old name in Network is deprecated, not silently reinterpreted
    new = Network([3, 4, 2], init_epsilon=0.05, random_state=1)
    with pytest.warns(DeprecationWarning, match="init_epsilon"):
        old = Network([3, 4, 2], epsilon=0.05, random_state=1)
    np.testing.assert_array_equal(old.theta, new.theta)
    with pytest.warns(DeprecationWarning, match="init_epsilon"):
        old.initialize("uniform", epsilon=0.05, random_state=1)
    np.testing.assert_array_equal(old.theta, new.theta)
    theta = np.empty((2, 3))
    with pytest.warns(DeprecationWarning, match="init_epsilon"):
        INITIALIZERS["uniform"](theta, np.random.default_rng(0), epsilon=0.01, activation="relu")
    assert np.abs(theta).max() <= 0.01
    with pytest.raises(TypeError, match="give init_epsilon only"):
        Network([3, 2], epsilon=0.1, init_epsilon=0.1)
