"""Saving and loading: a loaded model predicts exactly what the saved one did."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier

import mlplab
from mlplab import MLPClassifier, MLPRegressor, Network
from mlplab.estimators import NotFittedError
from mlplab.persistence import dumps, loads, read_metadata
from mlplab.training.callbacks import EarlyStopping

from ._models import classifier, data, fit, regressor

DTYPES = [np.float32, np.float64]


def roundtrip(model, tmp_path):
    """Save ``model`` to a file and load it back."""
    path = tmp_path / "model.safetensors"
    mlplab.save(model, path)
    return mlplab.load(path)


def assert_same_predictions(original, loaded, X):
    """predict (and predict_proba where it exists) agree exactly, dtype included."""
    expected, got = original.predict(X), loaded.predict(X)
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected)
    if hasattr(original, "predict_proba"):
        expected, got = original.predict_proba(X), loaded.predict_proba(X)
        assert got.dtype == expected.dtype
        assert np.array_equal(got, expected)


# ---------------------------------------------------------------------- networks
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("activation", "output"),
    [("sigmoid", "sigmoid"), ("tanh", "softmax"), ("relu", "identity"), ("identity", "sigmoid")],
)
def test_network_round_trip_keeps_architecture_and_forward(tmp_path, dtype, activation, output):
    net = Network([3, 5, 4, 2], activation, output, random_state=1, dtype=dtype)
    loaded = roundtrip(net, tmp_path)
    assert type(loaded) is Network
    assert loaded.layer_sizes == (3, 5, 4, 2)
    assert (loaded.activation, loaded.output, loaded.dtype) == (activation, output, dtype)
    assert loaded.theta.dtype == dtype
    assert np.array_equal(loaded.theta, net.theta)
    X = data(10).astype(dtype)
    assert np.array_equal(loaded.forward(X), net.forward(X))
    # The per-layer views still share the loaded buffer.
    loaded.thetas[0][0, 0] = 42.0
    assert loaded.theta[0] == 42.0


def test_network_without_hidden_layer(tmp_path):
    net = Network([4, 1], random_state=0)
    loaded = roundtrip(net, tmp_path)
    assert loaded.layer_sizes == (4, 1)
    assert np.array_equal(loaded.theta, net.theta)


def test_dumps_and_loads_work_on_bytes_and_match_the_file(tmp_path):
    net = Network([2, 3, 1], random_state=0)
    path = tmp_path / "net.safetensors"
    mlplab.save(net, path)
    assert path.read_bytes() == dumps(net)
    assert np.array_equal(loads(dumps(net)).theta, net.theta)


def test_read_metadata_describes_the_model_without_building_it(tmp_path):
    net = Network([2, 3, 1], activation="tanh", random_state=0, dtype=np.float32)
    path = tmp_path / "net.safetensors"
    mlplab.save(net, path)
    metadata = read_metadata(path)
    assert metadata["model_type"] == "Network"
    assert metadata["format_version"] == 2
    assert metadata["dtype"] == "float32"
    assert metadata["networks"] == [
        {"layer_sizes": [2, 3, 1], "activation": "tanh", "output": "sigmoid"}
    ]


# ---------------------------------------------------------------------- classifiers
LABELS = {
    "strings": np.array(["cat", "dog"]),
    "ints": np.array([3, 7]),
    "minus_one_one": np.array([-1, 1]),
    "bools": np.array([False, True]),
    "floats": np.array([0.0, 2.0]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("labels", list(LABELS))
def test_binary_classifier_keeps_labels_and_predictions(tmp_path, dtype, labels):
    X = data(60).astype(dtype)
    y = LABELS[labels][(X[:, 0] > 0).astype(int)]
    clf = classifier(y, X, dtype=dtype)
    loaded = roundtrip(clf, tmp_path)
    assert type(loaded) is MLPClassifier
    assert loaded.classes_.dtype == clf.classes_.dtype
    assert np.array_equal(loaded.classes_, clf.classes_)
    assert loaded.network_.dtype == dtype
    assert_same_predictions(clf, loaded, X)
    assert set(loaded.predict(X)) <= set(LABELS[labels].tolist())


def test_minus_one_one_labels_stay_minus_one_one(tmp_path):
    X = data(40)
    clf = classifier(np.where(X[:, 0] > 0, 1, -1), X)
    loaded = roundtrip(clf, tmp_path)
    assert loaded.classes_.tolist() == [-1, 1]
    assert all(type(label) is int for label in loaded.classes_.tolist())
    assert set(loaded.predict(X).tolist()) <= {-1, 1}


def test_single_class_classifier_round_trips(tmp_path):
    clf = classifier(np.array(["only"] * 20))
    loaded = roundtrip(clf, tmp_path)
    assert loaded.classes_.tolist() == ["only"]
    assert_same_predictions(clf, loaded, data(20))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_multiclass_classifier_round_trips(tmp_path, dtype, output):
    X = data(90).astype(dtype)
    y = np.array(["bird", "cat", "dog"])[np.arange(90) % 3]
    clf = classifier(y, X, dtype=dtype, output=output)
    loaded = roundtrip(clf, tmp_path)
    assert loaded.out_activation_ == clf.out_activation_
    assert loaded.n_outputs_ == 3
    assert_same_predictions(clf, loaded, X)


@pytest.mark.parametrize("dtype", DTYPES)
def test_multilabel_classifier_round_trips(tmp_path, dtype):
    X = data(60).astype(dtype)
    Y = (data(60, 3, seed=1) > 0).astype(int)
    clf = classifier(Y, X, dtype=dtype)
    loaded = roundtrip(clf, tmp_path)
    assert loaded.classes_.tolist() == [0, 1, 2]
    assert loaded.get_state()["target_type"] == "multilabel-indicator"
    assert_same_predictions(clf, loaded, X)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("strategy", "wrapper"), [("ovr", OneVsRestClassifier), ("ovo", OneVsOneClassifier)]
)
def test_one_vs_rest_and_one_vs_one_keep_every_network(tmp_path, dtype, strategy, wrapper):
    X = data(80).astype(dtype)
    y = np.array([10, 20, 30, 40])[np.arange(80) % 4]
    clf = classifier(y, X, dtype=dtype, multiclass=strategy)
    path = tmp_path / "model.safetensors"
    mlplab.save(clf, path)
    n_networks = 4 if strategy == "ovr" else 6
    assert len(read_metadata(path)["networks"]) == n_networks
    loaded = mlplab.load(path)
    assert isinstance(loaded.multiclass_estimator_, wrapper)
    assert loaded.n_networks_ == len(loaded.estimators_) == n_networks
    for original, copy in zip(clf.estimators_, loaded.estimators_):
        assert np.array_equal(copy.network_.theta, original.network_.theta)
    assert_same_predictions(clf, loaded, X)
    if strategy == "ovo":
        assert not hasattr(loaded, "predict_proba")
        assert np.array_equal(
            loaded.multiclass_estimator_.decision_function(X),
            clf.multiclass_estimator_.decision_function(X),
        )


def test_one_vs_rest_multilabel_round_trips(tmp_path):
    X = data(60)
    Y = (data(60, 3, seed=2) > 0).astype(int)
    clf = classifier(Y, X, multiclass="ovr")
    loaded = roundtrip(clf, tmp_path)
    assert loaded.multiclass_estimator_.multilabel_
    assert_same_predictions(clf, loaded, X)


def test_one_vs_rest_with_a_constant_label_is_refused_clearly(tmp_path):
    X = data(30)
    Y = np.column_stack([(X[:, 0] > 0), (X[:, 1] > 0), np.ones(30)]).astype(int)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # convergence, and scikit-learn's note on label 2
        clf = MLPClassifier((3,), max_iter=3, multiclass="ovr", random_state=0).fit(X, Y)
    assert any("Label 2 is present in all training examples" in str(w.message) for w in caught)
    with pytest.raises(ValueError, match="label 2 has the same value in every training"):
        mlplab.save(clf, tmp_path / "model.safetensors")
    assert not (tmp_path / "model.safetensors").exists()


def test_feature_names_from_a_dataframe_are_kept(tmp_path):
    X = pd.DataFrame(data(40), columns=["weight", "length", "age"])
    clf = classifier(np.where(X["weight"] > 0, "cat", "dog"), X)
    loaded = roundtrip(clf, tmp_path)
    assert loaded.feature_names_in_.tolist() == ["weight", "length", "age"]
    assert loaded.feature_names_in_.dtype == object
    assert_same_predictions(clf, loaded, X)
    # Like the original, the loaded model checks the columns it is given.
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(X[["length", "weight", "age"]])


def test_feature_names_of_one_vs_rest_are_kept(tmp_path):
    X = pd.DataFrame(data(60), columns=["a", "b", "c"])
    clf = classifier(np.arange(60) % 3, X, multiclass="ovr")
    loaded = roundtrip(clf, tmp_path)
    assert loaded.feature_names_in_.tolist() == ["a", "b", "c"]
    assert_same_predictions(clf, loaded, X)


# ---------------------------------------------------------------------- regressors
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regressor_round_trips(tmp_path, dtype, n_outputs):
    X = data(50).astype(dtype)
    y = X[:, 0] if n_outputs == 1 else X[:, :2]
    reg = regressor(y, X, dtype=dtype, activation="tanh")
    loaded = roundtrip(reg, tmp_path)
    assert type(loaded) is MLPRegressor
    assert loaded.out_activation_ == "identity"
    prediction = loaded.predict(X)
    assert prediction.dtype == reg.predict(X).dtype
    assert np.array_equal(prediction, reg.predict(X))
    assert loaded.score(X, y) == reg.score(X, y)


# ---------------------------------------------------------------------- what else is kept
def test_parameters_and_training_summary_are_kept(tmp_path):
    X = data(60)
    y = np.arange(60) % 3
    clf = MLPClassifier(
        hidden_layer_sizes=[6, 5],
        activation="tanh",
        solver="sgd",
        alpha=0.01,
        learning_rate="adaptive",
        max_iter=4,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=np.inf,
        random_state=3,
    )
    fit(clf, X, y)
    loaded = roundtrip(clf, tmp_path)
    params = loaded.get_params()
    assert params["hidden_layer_sizes"] == (6, 5)
    assert params["n_iter_no_change"] == math.inf
    expected = clf.get_params()
    expected["hidden_layer_sizes"] = (6, 5)
    assert params == expected
    for name in ("n_iter_", "t_", "loss_", "loss_curve_", "best_loss_", "stop_reason_"):
        assert getattr(loaded, name) == getattr(clf, name), name
    assert loaded.validation_scores_ == clf.validation_scores_
    assert loaded.best_validation_score_ == clf.best_validation_score_
    assert loaded.history_.columns == clf.history_.columns
    for column in clf.history_.columns:
        assert np.array_equal(loaded.history_[column], clf.history_[column], equal_nan=True)
    assert loaded.n_layers_ == 4
    assert [c.shape for c in loaded.coefs_] == [c.shape for c in clf.coefs_]


def test_callbacks_and_generators_are_dropped_with_a_note(tmp_path):
    X = data(40)
    clf = MLPClassifier(
        hidden_layer_sizes=(3,),
        max_iter=3,
        callbacks=[EarlyStopping("train_loss", patience=5)],
        random_state=np.random.default_rng(0),
    )
    fit(clf, X, np.arange(40) % 2)
    path = tmp_path / "model.safetensors"
    mlplab.save(clf, path)
    dropped = read_metadata(path)["estimator"]["dropped_params"]
    assert set(dropped) == {"callbacks", "random_state"}
    assert "not JSON data" in dropped["callbacks"]
    loaded = mlplab.load(path)
    assert loaded.callbacks is None
    assert loaded.random_state is None
    assert_same_predictions(clf, loaded, X)


def test_the_file_holds_no_pickle_only_json_and_weights(tmp_path):
    clf = classifier(np.array(["a", "b"])[np.arange(30) % 2])
    path = tmp_path / "model.safetensors"
    mlplab.save(clf, path)
    raw = path.read_bytes()
    header_size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_size])
    assert set(header) == {"__metadata__", "theta_0"}
    assert header["theta_0"]["dtype"] == "F64"
    assert header["theta_0"]["shape"] == [clf.network_.n_params]
    assert b"\x80\x04\x95" not in raw  # no pickle frames (protocol 4 or 5)
    assert b"\x80\x05\x95" not in raw


def test_a_loaded_model_can_be_trained_further(tmp_path):
    X = data(60)
    y = (X[:, 0] > 0).astype(int)
    clf = classifier(y, X, solver="sgd")
    loaded = roundtrip(clf, tmp_path)
    before = loaded.network_.theta.copy()
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == 1
    assert len(loaded.loss_curve_) == len(clf.loss_curve_) + 1
    assert not np.array_equal(loaded.network_.theta, before)
    # The saved model itself is untouched.
    assert np.array_equal(clf.network_.theta, before)
    loaded.set_params(warm_start=True, max_iter=2)
    fit(loaded, X, y)
    assert loaded.n_iter_ == 2


# ---------------------------------------------------------------------- refusals when saving
def test_unfitted_estimators_are_refused(tmp_path):
    for model in (MLPClassifier(), MLPRegressor()):
        with pytest.raises(NotFittedError, match=r"not fitted yet.*call 'fit' first"):
            mlplab.save(model, tmp_path / "model.safetensors")
    assert not list(tmp_path.iterdir())


def test_other_objects_are_refused(tmp_path):
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    for model in (SklearnMLP(), {"theta": [1.0]}, None):
        with pytest.raises(TypeError, match=r"save\(\) takes an mlplab\.Network"):
            mlplab.save(model, tmp_path / "model.safetensors")


def test_non_finite_weights_are_refused_when_saving(tmp_path):
    net = Network([2, 2, 1], random_state=0)
    net.theta[3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        mlplab.save(net, tmp_path / "net.safetensors")
    assert not list(tmp_path.iterdir())


def test_labels_json_cannot_keep_are_refused(tmp_path):
    clf = classifier(np.array([1, 2])[np.arange(20) % 2])
    clf.classes_ = np.array([b"a", b"b"])
    with pytest.raises(ValueError, match="cannot save class labels of dtype"):
        mlplab.save(clf, tmp_path / "model.safetensors")


def test_parameters_made_invalid_after_fit_are_refused_when_saving(tmp_path):
    clf = classifier(np.arange(20) % 2)
    clf.set_params(alpha=-1.0)
    with pytest.raises(ValueError, match=r"cannot save this MLPClassifier: .*alpha"):
        mlplab.save(clf, tmp_path / "model.safetensors")
    clf.set_params(alpha=1e-4, dtype=np.float16)
    with pytest.raises(ValueError, match=r"dtype must be one of \['float32', 'float64'\]"):
        mlplab.save(clf, tmp_path / "model.safetensors")
    assert not list(tmp_path.iterdir())


def test_hidden_layer_sizes_given_as_an_array_are_kept(tmp_path):
    clf = classifier(np.arange(20) % 2, hidden_layer_sizes=np.array([3, 2]))
    assert roundtrip(clf, tmp_path).hidden_layer_sizes == (3, 2)


def test_state_round_trips_through_the_public_hooks():
    X = data(40)
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = classifier(y, X)
    state = clf.get_state()
    assert state["target_type"] == "binary"
    assert state["network"] is clf.network_  # the estimator's own network, not a copy
    rebuilt = MLPClassifier.from_state(state)
    assert_same_predictions(clf, rebuilt, X)
    assert rebuilt.n_iter_ == clf.n_iter_
    assert rebuilt.loss_curve_ == clf.loss_curve_


def test_persistence_does_not_import_the_estimators():
    # The estimators register with the model files; the files do not know them.
    import subprocess
    import sys

    code = "import sys, mlplab.persistence; print('mlplab.estimators' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
