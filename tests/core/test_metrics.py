"""mlplab.metrics: accuracy, R² and log loss against hand-worked values and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import log_loss as sklearn_log_loss
from sklearn.metrics import r2_score

from mlplab import metrics


def test_count_correct_per_task():
    output = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.4, 0.5, 0.1]])
    Y = np.eye(3)[[1, 0, 1, 0]]
    # arg-max rows: 1, 0, 2, 1 against 1, 0, 1, 0: two right
    assert metrics.count_correct("multiclass", output, Y) == 2
    assert metrics.accuracy("multiclass", output, Y) == 0.5
    # binary reads column 0 at 0.5: 0.2<, 0.6≥, 0.1<, 0.4< against 1, 0, 0, 1 → rows 3 only
    binary_Y = np.array([[1.0], [0.0], [0.0], [1.0]])
    assert metrics.count_correct("binary", output[:, :1], binary_Y) == 1
    # multi-label: a row is right only if every label is
    labels = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 1, 0]], dtype=float)
    # rows 0, 1 and 3 agree in every label; row 2 predicts label 2 (0.8) that is not set
    assert metrics.count_correct("multilabel", output, labels) == 3
    with pytest.raises(ValueError, match="task must be one of"):
        metrics.count_correct("regression", output, Y)
    assert math.isnan(metrics.accuracy("binary", np.zeros((0, 1)), np.zeros((0, 1))))


@pytest.mark.parametrize("seed", range(3))
def test_r2_matches_scikit_learn_with_several_outputs(seed):
    rng = np.random.default_rng(seed)
    Y = rng.normal(size=(30, 3))
    output = Y + rng.normal(scale=0.5, size=Y.shape)
    # the same sums in a different order: a few ulps of R² apart at most
    assert metrics.r2(output, Y) == pytest.approx(r2_score(Y, output), rel=1e-12, abs=1e-14)


def test_r2_of_a_constant_target_follows_scikit_learn():
    Y = np.full((4, 1), 3.0)
    assert metrics.r2(Y.copy(), Y) == 1.0 == r2_score(Y, Y)
    assert metrics.r2(Y + 0.1, Y) == 0.0 == r2_score(Y, Y + 0.1)


def test_r2_from_sums_averages_the_outputs():
    # output 1: 1 − 2/8 = 0.75; output 2 constant and fitted exactly: 1
    assert metrics.r2_from_sums(np.array([2.0, 0.0]), np.array([8.0, 0.0])) == 0.875
    np.testing.assert_array_equal(
        metrics.total_sum_of_squares(np.array([[1.0, 5.0], [3.0, 5.0]])), [2.0, 0.0]
    )


def test_log_loss_matches_scikit_learn_and_clips():
    P = np.array([[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]])
    Y = np.eye(2)[[1, 0, 0, 1]]
    expected = sklearn_log_loss([1, 0, 0, 1], P)
    # −(ln .9 + ln .9 + ln .8 + ln .65)/4 in both; summation order only differs
    assert metrics.log_loss(Y, P) == pytest.approx(expected, rel=1e-14)
    # a confident mistake costs −ln eps, not infinity
    assert metrics.log_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == pytest.approx(
        -math.log(np.finfo(np.float64).eps)
    )


@pytest.mark.parametrize("seed", range(3))
def test_weighted_scores_match_scikit_learn(seed):
    from sklearn.metrics import accuracy_score

    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.1, 3.0, size=40)
    Y = rng.normal(size=(40, 2))
    output = Y + rng.normal(scale=0.5, size=Y.shape)
    expected = r2_score(Y, output, sample_weight=weights)
    assert metrics.r2(output, Y, weights) == pytest.approx(expected, rel=1e-12, abs=1e-14)
    labels = rng.integers(0, 3, size=40)
    scores = rng.normal(size=(40, 3))
    expected = accuracy_score(labels, scores.argmax(axis=1), sample_weight=weights)
    got = metrics.accuracy("multiclass", scores, np.eye(3)[labels], weights)
    assert got == pytest.approx(expected, rel=1e-14)
    # weights of 1 give the unweighted figures
    ones = np.ones(40)
    assert metrics.r2(output, Y, ones) == pytest.approx(metrics.r2(output, Y), rel=1e-12)
    assert metrics.accuracy("binary", scores[:, :1], Y[:, :1] > 0, ones) == metrics.accuracy(
        "binary", scores[:, :1], Y[:, :1] > 0
    )
