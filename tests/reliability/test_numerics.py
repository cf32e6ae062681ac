"""Numerics: outputs and losses that stay finite at any logit, and divergence that is caught.

Every computation runs under ``np.errstate(all="raise")``: an overflow, a division by zero
or an invalid operation anywhere would raise FloatingPointError. (Underflow of e^(−|z|)
to 0 is the right answer for a saturated unit; the loss functions silence it themselves.)

A learning rate of 1e6 makes training explode. scikit-learn returns silently with a
huge loss; mlplab stops, puts back the last good weights and says so.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import mlplab
from mlplab import MLPClassifier, MLPRegressor, Network
from mlplab.training import DivergenceWarning
from mlplab.training.callbacks import Callback

from ._helpers import blobs, quiet_fit

DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_confident_outputs_give_exact_probabilities_and_exact_losses(output, dtype):
    """Logits of ±1000 saturate the outputs to exactly 0 and 1; the loss stays exact.

    A 1-input, 2-output network with zero weights and biases ±1000: right answers cost 0,
    wrong ones cost exactly the margin. Sigmoid: each of the two wrong units of an example
    costs max(z, 0) − z·y + log(1 + e^−|z|) = 1000 + 0; softmax: log Σ e^z − z_y = 1000 −
    (−1000). Either way J = 2000 per example, and the mean over the 2 examples is 2000.
    """
    net = Network([1, 2], output=output, initializer="zeros", dtype=dtype)
    net.thetas[0][:, 0] = [1000.0, -1000.0]  # bias column: z = (1000, −1000) for any x
    X = np.zeros((2, 1), dtype=dtype)
    right = np.array([[1, 0], [1, 0]], dtype=dtype)
    wrong = np.array([[0, 1], [0, 1]], dtype=dtype)
    with np.errstate(all="raise"):
        h = net.forward(X)
        cost_right, grad_right = net.cost_and_grad(X, right)
        cost_wrong, grad_wrong = net.cost_and_grad(X, wrong)
    assert h.tolist() == [[1.0, 0.0], [1.0, 0.0]]  # exactly 1 and 0
    assert cost_right == 0.0
    assert cost_wrong == 2000.0
    assert np.isfinite(grad_right).all()
    assert np.isfinite(grad_wrong).all()
    # δ⁽ᴸ⁾ = a − y: 0 for right answers, ±1 for wrong ones, averaged over the 2 examples
    assert np.abs(grad_right).max() == 0.0
    assert np.abs(grad_wrong[[0, 2]]).tolist() == [1.0, 1.0]  # the two bias entries


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_extreme_logits_never_overflow_or_produce_nan(activation, output, dtype):
    net = Network([3, 5, 4], activation=activation, output=output, random_state=0, dtype=dtype)
    net.theta[...] = net.theta * 1e4  # logits in the ±1e6..1e8 range
    X = (np.random.default_rng(0).normal(size=(50, 3)) * 1e3).astype(dtype)
    Y = np.eye(4, dtype=dtype)[np.arange(50) % 4]
    with np.errstate(all="raise"):
        h = net.forward(X)
        cost, grad = net.cost_and_grad(X, Y, lam=0.1)
    assert np.isfinite(h).all()
    assert ((h >= 0) & (h <= 1)).all()
    assert math.isfinite(cost)
    assert cost > 0
    assert np.isfinite(grad).all()
    if output == "softmax":
        assert np.allclose(h.sum(axis=1), 1.0, atol=1e-6)


def test_predicting_with_huge_weights_gives_finite_probabilities():
    X, y = blobs(40, 3, 3, seed=1)
    clf = quiet_fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), X, y)
    clf.network_.theta[...] *= 1e30
    X_far = X * 1e3
    with np.errstate(all="raise"):
        probabilities = clf.predict_proba(X_far)
        log_probabilities = clf.predict_log_proba(X_far)
        labels = clf.predict(X_far)
    assert np.isfinite(probabilities).all()
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert set(labels) <= set(y)
    # log of a probability that underflowed to 0 is −inf, never NaN
    assert not np.isnan(log_probabilities).any()
    assert np.isfinite(log_probabilities[probabilities > 0]).all()


# ---------------------------------------------------------------------- divergence
class _Start(Callback):
    """θ at the start of each fit, to compare with the restored weights."""

    def __init__(self) -> None:
        self.thetas: list[np.ndarray] = []

    def on_train_begin(self, trainer) -> None:
        self.thetas.append(trainer.net.theta.copy())


def _targets(model, X, y) -> np.ndarray:
    """The network's targets for y, encoded as the model's fit encodes them."""
    return clone(model).build_training(X, y).Y.astype(float)


def _cost(model, X, y) -> float:
    """J(θ) of a classifier's network on (X, y), λ included."""
    Y = _targets(model, X, y)
    return model.network_.cost(X, Y, lam=model.alpha)


@pytest.mark.parametrize(
    ("solver", "m", "batch_size"),
    [("adam", 400, 50), ("sgd", 400, 50), ("adam", 150, "auto"), ("gd", 150, "auto")],
    ids=["adam-8-batches", "sgd-8-batches", "adam-1-batch", "gd"],
)
def test_divergence_is_detected_stopped_and_the_last_good_weights_restored(solver, m, batch_size):
    """learning_rate_init=1e6: stopped with a warning, back at weights no worse than the start.

    With one batch per epoch (gd, or m ≤ 200 with batch_size="auto") the step that explodes
    is an epoch's last; the weights it produced are the ones that must not be kept.
    """
    X, y = blobs(m, 8, 4, seed=2)
    start = _Start()
    clf = MLPClassifier(
        hidden_layer_sizes=(20,),
        solver=solver,
        batch_size=batch_size,
        learning_rate_init=1e6,
        max_iter=20,
        random_state=0,
        callbacks=[start],
    )
    with pytest.warns(
        DivergenceWarning,
        match=r"training diverged in epoch \d+: loss [0-9.e+]+ with learning rate 1e\+06, "
        r"against [0-9.]+ at the start of training; stopped and restored the weights of "
        r"epoch \d+\. Try a smaller learning_rate_init\.",
    ):
        clf.fit(X, y)
    assert clf.stop_reason_ == "diverged"
    assert np.isfinite(clf.network_.theta).all()
    initial = clf.network_.copy()
    initial.theta = clf.callbacks_[0].thetas[0]
    Y = _targets(clf, X, y)
    cost_at_start = initial.cost(X, Y, lam=clf.alpha)
    assert _cost(clf, X, y) <= cost_at_start  # nothing this rate produced is better
    assert set(clf.predict(X)) <= set(y)


def test_divergence_in_a_later_fit_restores_the_last_good_epoch(tmp_path):
    X, y = blobs(150, 8, 4, seed=2)  # one batch per epoch
    clf = MLPClassifier(
        hidden_layer_sizes=(20,),
        learning_rate_init=1e-3,
        max_iter=5,
        warm_start=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    good = clf.network_.theta.copy()
    clf.set_params(learning_rate_init=1e6)
    with pytest.warns(
        DivergenceWarning, match=r"training diverged in epoch \d+: .*learning rate 1e\+06"
    ):
        clf.fit(X, y)
    assert clf.stop_reason_ == "diverged"
    assert np.array_equal(clf.network_.theta, good)  # the weights of epoch 5
    assert len(clf.loss_curve_) == 5
    assert all(np.isfinite(clf.loss_curve_))
    mlplab.save(clf, tmp_path / "model.safetensors")  # a diverged fit still saves
    assert np.array_equal(mlplab.load(tmp_path / "model.safetensors").network_.theta, good)


def test_a_regressor_on_absurd_targets_diverges_with_a_warning_not_numpys():
    X, _ = blobs(100, 4, 2, seed=3)
    y = X @ np.array([1.0, -2.0, 3.0, 0.5]) * 1e200
    reg = MLPRegressor(hidden_layer_sizes=(8,), learning_rate_init=1e3, max_iter=10, random_state=0)
    with pytest.warns(DivergenceWarning, match=r"training diverged in epoch 1: loss (inf|nan)"):
        reg.fit(X, y)
    assert reg.stop_reason_ == "diverged"
    assert np.isfinite(reg.network_.theta).all()
