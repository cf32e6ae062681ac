"""diagnose end to end: a healthy run is quiet, broken ones are caught, inputs are validated."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

import mlplab
from mlplab.diagnostics import CHECKS, Diagnosis, diagnose
from mlplab.network import Network
from mlplab.training.history import History

from ._helpers import HEALTHY, problems

QUICK_CHECKS = {
    "finite_data",
    "feature_scale",
    "class_balance",
    "leakage",
    "gradient_check",
    "initial_loss",
    "regularization",
    "symmetry",
    "saturation",
}


def test_healthy_digits_run_reports_no_warning_or_failure(digits):
    X, y = digits

    diagnosis = diagnose(HEALTHY, X, y)

    assert problems(diagnosis) == []
    assert not diagnosis.has_failures
    assert diagnosis.worst == "PASS"
    assert {f.check for f in diagnosis.findings} == set(CHECKS)  # every check ran
    assert diagnosis.task == "multiclass"
    assert diagnosis.stop_reason == "max_iter"
    # 1438 training rows in batches of 200: 8 steps per epoch, 38 epochs for 300 steps.
    assert diagnosis.history.n_epochs == 38
    assert diagnosis.seconds < 10


def test_findings_come_in_the_documented_order(digits):
    X, y = digits
    diagnosis = diagnose(HEALTHY, X, y)
    order = list(CHECKS)
    positions = [order.index(f.check) for f in diagnosis.findings]
    assert positions == sorted(positions)


def test_quick_runs_only_the_checks_that_need_no_training(digits):
    X, y = digits

    diagnosis = diagnose(HEALTHY, X, y, quick=True)

    assert {f.check for f in diagnosis.findings} == QUICK_CHECKS
    assert diagnosis.quick
    assert diagnosis.history is None
    assert diagnosis.stop_reason is None
    assert diagnosis.net is diagnosis.initial_net
    assert problems(diagnosis) == []


def test_diagnosis_exposes_what_the_report_plots(digits):
    X, y = digits

    diagnosis = diagnose(HEALTHY, X, y, epochs=3)

    assert isinstance(diagnosis.history, History)
    assert diagnosis.history.n_epochs == 3
    for column in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert column in diagnosis.history
    assert {"update_ratio_1", "update_ratio_2"} <= set(diagnosis.history)
    assert isinstance(diagnosis.net, Network)
    assert diagnosis.net.layer_sizes == (64, 64, 10)
    # The short run trained a copy: the initial network is still the initial one.
    assert not np.array_equal(diagnosis.net.theta, diagnosis.initial_net.theta)
    assert diagnosis.sample.shape == (500, 64)
    assert diagnosis.net.activations(diagnosis.sample)[1].shape == (500, 64)


@pytest.mark.slow
def test_plots_draw_from_a_diagnosis(digits):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from mlplab import plots

    X, y = digits
    diagnosis = diagnose(HEALTHY, X, y, epochs=3)
    try:
        ratios = plots.update_ratios(diagnosis.history)
        histograms = plots.activation_histograms(diagnosis.net, diagnosis.sample)
        assert len(ratios.axes) >= 1
        assert len(histograms.axes) >= 1
    finally:
        plt.close("all")


def test_same_random_state_gives_the_same_diagnosis(digits):
    X, y = digits
    first = diagnose(HEALTHY, X[:400], y[:400], random_state=3, epochs=5).to_dict()
    second = diagnose(HEALTHY, X[:400], y[:400], random_state=3, epochs=5).to_dict()
    first.pop("seconds")
    second.pop("seconds")
    assert first == second


def test_to_dict_is_json_serializable(digits):
    X, y = digits
    diagnosis = diagnose({**HEALTHY, "dtype": np.float32}, X[:300], y[:300], epochs=2)

    data = json.loads(json.dumps(diagnosis.to_dict()))

    assert data["params"]["dtype"] == "float32"
    with_generator = diagnose(
        {**HEALTHY, "random_state": np.random.default_rng(1)}, X, y, quick=True
    )
    assert json.loads(json.dumps(with_generator.to_dict()))["params"]["random_state"].startswith(
        "Generator"
    )
    assert data["params"]["hidden_layer_sizes"] == [64]
    assert data["task"] == "multiclass"
    assert len(data["findings"]) == len(diagnosis.findings)
    assert data["worst"] == diagnosis.worst


def test_scikit_learn_estimator_parameters_are_read(digits):
    X, y = digits
    estimator = MLPClassifier(
        hidden_layer_sizes=12, activation="logistic", alpha=0.5, learning_rate_init=0.01
    )

    diagnosis = diagnose(estimator, X[:300], y[:300], quick=True)

    assert diagnosis.params["hidden_layer_sizes"] == (12,)
    assert diagnosis.params["activation"] == "sigmoid"
    assert diagnosis.params["alpha"] == 0.5
    assert diagnosis.params["initializer"] == "glorot"
    assert diagnosis.net.layer_sizes == (64, 12, 10)
    assert diagnosis.net.activation == "sigmoid"
    assert diagnosis.net.output == "softmax"


def test_auto_output_and_initializer_mean_the_defaults(digits):
    X, y = digits
    config = {"hidden_layer_sizes": (4,), "output": "auto", "initializer": "auto"}
    diagnosis = diagnose(config, X[:100], y[:100], quick=True)
    assert diagnosis.net.output == "softmax"
    assert diagnosis.params["initializer"] == "glorot"
    with_epsilon = diagnose({**config, "init_epsilon": 0.05}, X[:100], y[:100], quick=True)
    assert with_epsilon.params["initializer"] == "uniform"
    assert np.abs(with_epsilon.initial_net.theta).max() <= 0.05


def test_binary_labels_give_one_sigmoid_output(digits):
    X, y = digits
    keep = y < 2
    labels = np.where(y[keep] == 0, "zero", "one")  # strings are class labels

    diagnosis = diagnose({"hidden_layer_sizes": (8,)}, X[keep], labels, quick=True)

    assert diagnosis.task == "binary"
    assert diagnosis.net.layer_sizes == (64, 8, 1)
    assert diagnosis.net.output == "sigmoid"
    initial = diagnosis.findings_for("initial_loss")[0]
    assert initial.details["expected"] == pytest.approx(np.log(2))


def test_lecture_cost_with_k_sigmoid_outputs_expects_k_ln_2(digits):
    X, y = digits
    diagnosis = diagnose({"hidden_layer_sizes": (16,), "output": "sigmoid"}, X, y, quick=True)
    initial = diagnosis.findings_for("initial_loss")[0]
    assert diagnosis.net.layer_sizes[-1] == 10
    assert initial.details["expected"] == pytest.approx(10 * np.log(2))
    assert initial.status == "PASS"


def test_float_targets_with_many_values_mean_regression(rng):
    X = rng.normal(size=(300, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=300)

    diagnosis = diagnose({"hidden_layer_sizes": (16,), "learning_rate_init": 0.01}, X, y)

    assert diagnosis.task == "regression"
    assert diagnosis.net.output == "identity"
    assert diagnosis.status_of("class_balance") == "SKIP"
    assert problems(diagnosis) == []
    assert diagnosis.findings_for("underfitting")[0].details["train_score"] > 0.9


def test_regressor_class_name_means_regression_even_for_integer_targets(rng):
    X = rng.normal(size=(200, 3))
    y = np.round(3 * X[:, 0]).astype(int)  # few integer values

    as_classifier = diagnose({"hidden_layer_sizes": (4,)}, X, y, quick=True)
    as_regressor = diagnose(MLPRegressor(hidden_layer_sizes=(4,)), X, y, quick=True)

    assert as_classifier.task == "multiclass"
    assert as_regressor.task == "regression"
    assert as_regressor.net.layer_sizes == (3, 4, 1)


def test_mlplab_exports_diagnose():
    assert mlplab.diagnose is diagnose
    assert mlplab.diagnostics.Diagnosis is Diagnosis


def test_non_finite_data_stops_the_diagnosis_with_a_failure(digits):
    X, y = digits
    X = X[:200].copy()
    X[5, 3] = np.nan

    diagnosis = diagnose(HEALTHY, X, y[:200])

    assert [f.check for f in diagnosis.findings] == ["finite_data"]
    assert diagnosis.has_failures
    assert diagnosis.findings[0].measured == 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"validation_fraction": 1.5}, r"validation_fraction must be in \(0, 1\), got 1.5"),
        ({"epochs": 0}, "epochs must be a positive integer or None, got 0"),
        ({"validation_data": (np.zeros((3, 5)), [0, 1, 2])}, "expecting 64 features"),
        ({"validation_data": "nope"}, r"validation_data must be a pair \(X_val, y_val\)"),
    ],
)
def test_bad_arguments_are_named(digits, kwargs, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        diagnose(HEALTHY, X[:100], y[:100], **kwargs)


def test_bad_configurations_are_named(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"unknown parameter.*hiden_layer_sizes.*valid names"):
        diagnose({"hiden_layer_sizes": (5,)}, X, y)
    with pytest.raises(ValueError, match="unknown solver 'newton'"):
        diagnose({"solver": "newton"}, X, y)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        diagnose({"alpha": -1.0}, X, y)
    with pytest.raises(TypeError, match="estimator_or_config must be an estimator"):
        diagnose([("alpha", 1.0)], X, y)


def test_bad_data_is_named(digits):
    X, y = digits
    with pytest.raises(ValueError, match="y has a single class"):
        diagnose(HEALTHY, X[:50], np.zeros(50, dtype=int))
    with pytest.raises(ValueError, match="same number of rows, got 100 and 99"):
        diagnose(HEALTHY, X[:100], y[:99])
    with pytest.raises(ValueError, match=r"validation_data has classes \[9\]"):
        diagnose(HEALTHY, X[:100], y[:100] % 9, validation_data=(X[:5], np.full(5, 9)))
