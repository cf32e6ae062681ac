"""diagnose checks the network fit trains: same layers, output, dtype and initial θ, bit for bit."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from mlplab import Callback, MLPClassifier, MLPRegressor
from mlplab.diagnostics import diagnose


class _RecordInitialTheta(Callback):
    """Keeps a copy of θ as training begins (in a class list: fit deep-copies callbacks)."""

    seen: ClassVar[list] = []

    def on_train_begin(self, trainer) -> None:
        net = trainer.net
        self.seen.append((net.layer_sizes, net.activation, net.output, net.theta.copy()))


def _fitted_start(estimator, X, y):
    """(layer sizes, activation, output, θ₀) of the network ``fit`` trains."""
    _RecordInitialTheta.seen.clear()
    estimator.set_params(callbacks=[_RecordInitialTheta()], max_iter=1)
    with pytest.warns(ConvergenceWarning):  # one epoch is all the test needs
        estimator.fit(X, y)
    (start,) = _RecordInitialTheta.seen
    return start


def _targets(kind: str, X: np.ndarray, rng) -> np.ndarray:
    if kind == "binary":
        return np.where(X[:, 0] > 0, "cat", "dog")  # strings are class labels
    if kind == "multiclass":
        return np.digitize(X[:, 0], [-0.6, 0.0, 0.6])  # four classes
    if kind == "multilabel":
        return np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.5]).astype(int)
    return X @ np.array([1.0, -2.0, 0.5, 0.0, 0.3]) + 0.1 * rng.normal(size=X.shape[0])


@pytest.mark.parametrize(
    ("kind", "task", "n_outputs", "output"),
    [
        ("binary", "binary", 1, "sigmoid"),
        ("multiclass", "multiclass", 4, "softmax"),
        ("multilabel", "multilabel", 3, "sigmoid"),
        ("regression", "regression", 1, "identity"),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_diagnose_builds_the_network_fit_trains(rng, kind, task, n_outputs, output, dtype):
    X = rng.normal(size=(120, 5))
    y = _targets(kind, X, rng)
    make = MLPRegressor if kind == "regression" else MLPClassifier
    params = {"hidden_layer_sizes": (7, 6), "activation": "relu", "random_state": 0}

    sizes, activation, out, theta = _fitted_start(make(**params, dtype=dtype), X, y)
    diagnosis = diagnose(make(**params, dtype=dtype), X, y, quick=True)

    net = diagnosis.initial_net
    assert diagnosis.task == task
    assert sizes == net.layer_sizes == (5, 7, 6, n_outputs)
    assert (activation, out) == (net.activation, net.output) == ("relu", output)
    assert theta.dtype == net.theta.dtype == dtype
    np.testing.assert_array_equal(net.theta, theta)  # bit for bit


def test_a_binary_classifier_is_diagnosed_with_its_one_sigmoid_unit(rng):
    # The output layer and its initial scale come from the estimator: one sigmoid unit for
    # two classes, drawn with the hidden activation's Glorot gain, as fit draws it.
    X = rng.normal(size=(200, 10))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    params = {"hidden_layer_sizes": (50,), "activation": "relu", "random_state": 0}

    sizes, _, output, theta = _fitted_start(MLPClassifier(**params), X, y)
    for given in (MLPClassifier(**params), SklearnMLPClassifier(**params), params):
        net = diagnose(given, X, y, quick=True).initial_net
        assert (net.layer_sizes, net.output) == (sizes, output) == ((10, 50, 1), "sigmoid")
        np.testing.assert_array_equal(net.theta, theta)


def test_diagnose_leaves_the_estimator_unfitted(rng):
    X = rng.normal(size=(60, 3))
    estimator = MLPClassifier((4,), random_state=0)
    diagnose(estimator, X, X[:, 0] > 0, quick=True)
    assert not hasattr(estimator, "classes_")


def test_multilabel_targets_are_diagnosed(rng):
    X = rng.normal(size=(300, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)

    diagnosis = diagnose({"hidden_layer_sizes": (16,), "learning_rate_init": 0.01}, X, Y)

    assert diagnosis.task == "multilabel"
    assert diagnosis.net.layer_sizes == (4, 16, 2)
    assert diagnosis.status_of("class_balance") == "SKIP"
    assert diagnosis.findings_for("underfitting")[0].details["train_score"] > 0.8
