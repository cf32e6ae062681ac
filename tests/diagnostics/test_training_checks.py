"""Checks that train: tiny-subset memorization, the loss trend, update ratios, over/underfitting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlplab.diagnostics import (
    check_fit,
    check_loss_trend,
    check_overfit_small,
    check_update_ratios,
    diagnose,
)
from mlplab.network import Network
from mlplab.training.history import History

from ._helpers import HEALTHY


def _history(**columns) -> History:
    """A History whose rows hold the given columns epoch by epoch."""
    history = History()
    n = len(next(iter(columns.values())))
    for epoch in range(n):
        history.append({"epoch": epoch + 1, **{k: v[epoch] for k, v in columns.items()}})
    return history


# ---------------------------------------------------------------------- loss trend
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_learning_rate_10_fails_the_loss_trend(digits, solver):
    X, y = digits

    diagnosis = diagnose({**HEALTHY, "solver": solver, "learning_rate_init": 10.0}, X, y)

    (finding,) = diagnosis.findings_for("loss_trend")
    assert finding.status == "FAIL"
    assert "learning rate is too high" in finding.message
    assert "lower learning_rate_init" in finding.advice
    assert diagnosis.has_failures


def test_divergence_skips_the_fit_checks(digits):
    X, y = digits
    diagnosis = diagnose({**HEALTHY, "learning_rate_init": 10.0}, X, y)
    assert diagnosis.stop_reason == "diverged"
    assert diagnosis.status_of("overfitting") == "SKIP"
    assert diagnosis.status_of("underfitting") == "SKIP"


def test_tiny_learning_rate_warns_plateau_and_crawling_updates(digits):
    X, y = digits

    diagnosis = diagnose({**HEALTHY, "learning_rate_init": 1e-6}, X, y)

    (trend,) = diagnosis.findings_for("loss_trend")
    assert trend.status == "WARN"
    assert "plateau" in trend.message
    assert trend.measured < 0.01
    ratios = diagnosis.findings_for("update_ratio")
    assert [f.layer for f in ratios] == [1, 2]
    assert all(f.status == "WARN" and f.measured < 1e-5 for f in ratios)
    assert not diagnosis.has_failures


@pytest.mark.parametrize(
    ("losses", "stop_reason", "status", "words"),
    [
        ([2.0, 1.5, 1.0, 0.8], "max_iter", "PASS", "fell from 2.3 to 0.8"),
        ([2.5, 2.6, 2.8, 3.0], "max_iter", "FAIL", "rose from 2.3 to 3"),
        ([2.29, 2.29, 2.289, 2.289], "max_iter", "WARN", "plateau"),
        ([1.0, 0.4, 0.9, 1.2], "max_iter", "WARN", "unstable"),
        ([2.0, 1.5], "diverged", "FAIL", "diverged after 2 epoch(s)"),
        ([2.0, math.nan], "max_iter", "FAIL", "diverged"),
    ],
)
def test_loss_trend_rules(losses, stop_reason, status, words):
    finding = check_loss_trend(_history(train_loss=losses), 2.3, stop_reason)
    assert finding.status == status
    assert words in finding.message


def test_loss_trend_without_epochs():
    assert check_loss_trend(History(), 2.3, "diverged").status == "FAIL"
    assert check_loss_trend(History(), 2.3, "max_iter").status == "SKIP"


# ---------------------------------------------------------------------- update ratios
def test_update_ratio_rules_use_the_median_of_the_last_epochs():
    early = [0.9] * 5  # large first steps are normal and outside the last 10 epochs
    history = _history(
        update_ratio_1=early + [1e-3] * 10,
        update_ratio_2=early + [2e-6] * 10,
        update_ratio_3=early + [0.3] * 10,
        update_ratio_4=early + [0.0] * 10,
    )

    one, two, three, four = check_update_ratios(history, "adam")

    assert (one.status, one.measured, one.layer) == ("PASS", 1e-3, 1)
    assert (two.status, two.measured) == ("WARN", 2e-6)
    assert "raise learning_rate_init" in two.advice
    assert (three.status, three.measured) == ("WARN", 0.3)
    assert "too large" in three.message
    assert four.status == "WARN"
    assert "does not change at all" in four.message
    assert one.title == "Update/weight ratio θ(1)"


def test_update_ratios_skip_line_search_solvers_and_empty_histories():
    history = _history(update_ratio_1=[1e-3])
    assert [f.status for f in check_update_ratios(history, "lbfgs")] == ["SKIP"]
    assert [f.status for f in check_update_ratios(History(), "adam")] == ["SKIP"]


# ---------------------------------------------------------------------- over/underfitting
def test_large_net_without_regularization_on_100_digits_overfits(digits):
    X, y = digits
    config = {"hidden_layer_sizes": (200,), "activation": "relu", "alpha": 0.0}

    diagnosis = diagnose(config, X[:100], y[:100], validation_fraction=0.5)

    (finding,) = diagnosis.findings_for("overfitting")
    assert finding.status == "WARN"
    assert "overfitting" in finding.message
    assert finding.details["val_loss"] > 10 * finding.details["train_loss"]
    assert "raise alpha" in finding.advice
    assert diagnosis.status_of("underfitting") == "PASS"


def test_tiny_network_underfits(digits):
    X, y = digits

    diagnosis = diagnose({"hidden_layer_sizes": (2,)}, X, y)

    (finding,) = diagnosis.findings_for("underfitting")
    assert finding.status == "WARN"
    assert finding.measured < 0.5
    assert "bigger network" in finding.advice
    assert diagnosis.status_of("overfitting") == "PASS"


def test_validation_loss_rising_while_training_loss_falls_is_overfitting():
    # One sigmoid unit z = 3x: both sets are classified right (no accuracy gap), but the
    # validation points sit nearer the boundary: losses ln(1 + e^−0.9) = 0.341 against
    # ln(1 + e^−3) = 0.0486, 7 times (below the 10× rule), and rising.
    net = Network([1, 1], output="sigmoid")
    net.thetas[0][:] = [[0.0, 3.0]]
    train = (np.array([[1.0], [-1.0]]), np.array([[1.0], [0.0]]))
    validation = (np.array([[0.3], [-0.3]]), np.array([[1.0], [0.0]]))
    rising = _history(train_loss=[0.2, 0.1, 0.0486], val_loss=[0.3, 0.25, 0.341])
    falling = _history(train_loss=[0.2, 0.1, 0.0486], val_loss=[0.5, 0.4, 0.341])

    overfitting, _ = check_fit(net, "binary", train, validation, rising)
    assert overfitting.status == "WARN"
    assert "validation loss rose from 0.25 (epoch 2) to 0.341" in overfitting.message
    overfitting, underfitting = check_fit(net, "binary", train, validation, falling)
    assert overfitting.status == "PASS"
    assert underfitting.status == "PASS"
    assert overfitting.details["train_loss"] == pytest.approx(math.log1p(math.exp(-3)))


def test_a_gap_between_two_poor_scores_is_underfitting_not_overfitting():
    net = Network([1, 1], output="sigmoid")
    net.thetas[0][:] = [[0.0, 1.0]]
    train = (np.array([[1.0], [1.0]]), np.array([[1.0], [0.0]]))  # accuracy 0.5 = chance
    validation = (np.array([[1.0]]), np.array([[0.0]]))  # accuracy 0

    overfitting, underfitting = check_fit(net, "binary", train, validation)

    assert overfitting.status == "PASS"
    assert overfitting.measured == pytest.approx(0.5)
    assert "too low to speak of overfitting" in overfitting.message
    assert underfitting.status == "WARN"
    assert underfitting.details["chance"] == 0.5


# ---------------------------------------------------------------------- tiny subset
def test_healthy_network_memorizes_20_examples(digits):
    X, y = digits
    net = Network([64, 32, 10], "relu", "softmax", initializer="glorot", random_state=0)
    before = net.theta.copy()

    finding = check_overfit_small(net, X, np.eye(10)[y], "multiclass")

    assert finding.status == "PASS"
    assert finding.measured == 1.0
    assert finding.details["examples"] == 20
    np.testing.assert_array_equal(net.theta, before)  # a copy was trained


def test_zero_initialized_relu_network_cannot_memorize_20_examples(digits):
    X, y = digits
    net = Network([64, 32, 10], "relu", "softmax", initializer="zeros")

    finding = check_overfit_small(net, X, np.eye(10)[y], "multiclass")

    assert finding.status == "FAIL"
    assert finding.measured < 0.9
    assert "initialized at random" in finding.advice


def test_regression_tiny_subset_uses_unexplained_variance(rng):
    X = rng.normal(size=(100, 3))
    Y = np.sin(X[:, :1]) + X[:, 1:2] ** 2
    healthy = Network([3, 16, 1], "tanh", "identity", initializer="glorot", random_state=0)
    dead = Network([3, 16, 1], "relu", "identity", initializer="zeros")

    good = check_overfit_small(healthy, X, Y, "regression")
    bad = check_overfit_small(dead, X, Y, "regression")

    assert good.status == "PASS"
    assert good.measured < 0.05
    assert bad.status == "FAIL"  # only the output bias learns: the mean, R² = 0
    assert bad.measured == pytest.approx(1.0, abs=1e-3)


def test_a_stuck_start_on_xor_is_not_called_a_data_bug():
    """XOR from saturated starting weights cannot move (f′ ≈ 0), but the data are fine."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = Network([2, 2, 1], "sigmoid", "sigmoid")
    # z⁽²⁾ ≈ ±60 for every input: the hidden sigmoids are saturated, so their f′ is about
    # e^(−60) and backprop passes no gradient to θ⁽¹⁾; the output sees two constants.
    net.thetas[0][:] = [[60.0, 1.0, 1.0], [-60.0, 1.0, -1.0]]
    net.thetas[1][:] = [[0.0, 1.0, 1.0]]

    finding = check_overfit_small(net, X, Y, "binary", random_state=0)

    assert finding.status == "WARN"
    assert "the data are fine" in finding.message
    assert "X and y line up" not in finding.advice
    assert finding.details["restarts"] >= 1
