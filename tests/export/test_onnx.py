"""ONNX export: the exported graph, run by onnxruntime, predicts what the model predicts."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

import mlplab
from mlplab import MLPClassifier, MLPRegressor, Network, export_onnx
from mlplab.estimators import NotFittedError
from mlplab.export import DEFAULT_OPSET, MIN_OPSET

DIGIT_NAMES = np.array(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
)


def run(proto: onnx.ModelProto, X: np.ndarray) -> dict[str, np.ndarray]:
    """Outputs of the exported model on X, by name, from onnxruntime's CPU provider."""
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X})))


def train(model, X, y):
    """Fit for a few epochs; the ConvergenceWarning that max_iter gives is expected.

    Any other warning still fails the test (pytest re-emits warnings that do not match).
    """
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        model.fit(X, y)
    return model


@pytest.fixture(scope="module")
def digits():
    """The 8×8 digits scaled to [0, 1]: a 1,000-example training part and the rest."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return X[:1000], y[:1000], X[1000:], y[1000:]


@pytest.fixture(scope="module", params=[np.float32, np.float64], ids=["float32", "float64"])
def digits_classifier(request, digits):
    """An MLPClassifier with one hidden layer of 32 units after 30 epochs, per dtype."""
    X, y, _, _ = digits
    dtype = request.param
    return train(MLPClassifier((32,), max_iter=30, random_state=0, dtype=dtype), X.astype(dtype), y)


# ---------------------------------------------------------------------- classifiers
def test_digits_probabilities_and_labels_match(digits, digits_classifier):
    _, _, X_test, _ = digits
    clf = digits_classifier
    dtype = clf.network_.dtype
    X = X_test.astype(dtype)
    outputs = run(export_onnx(clf, input_dtype=X.dtype), X)
    assert outputs["probabilities"].dtype == dtype
    assert outputs["probabilities"].shape == (len(X), 10)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X), atol=tolerance)
    assert outputs["label"].dtype == np.int64
    assert np.array_equal(outputs["label"], clf.predict(X))
    assert clf.score(X, digits[3]) > 0.8  # a real model, not a degenerate one


def test_digits_with_string_labels(digits):
    X, y, X_test, _ = digits
    clf = train(MLPClassifier((32,), max_iter=30, random_state=0), X, DIGIT_NAMES[y])
    outputs = run(export_onnx(clf, input_dtype=X_test.dtype), X_test)
    assert outputs["label"].dtype == object
    assert np.array_equal(outputs["label"].astype(str), clf.predict(X_test))
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X_test), atol=1e-12)


def test_the_graph_is_gemm_per_layer_with_the_lecture_layout(digits_classifier):
    clf = digits_classifier
    proto = export_onnx(clf)
    onnx.checker.check_model(proto, full_check=True)
    gemms = [node for node in proto.graph.node if node.op_type == "Gemm"]
    assert len(gemms) == 2
    for node in gemms:
        assert {a.name: a.i for a in node.attribute} == {"transB": 1}
    constants = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    for layer, theta in enumerate(clf.network_.thetas, start=1):
        assert np.array_equal(constants[f"net_W{layer}"], theta[:, 1:])  # W = θ[:, 1:]
        assert np.array_equal(constants[f"net_b{layer}"], theta[:, 0])  # b = θ[:, 0]
    ops = [node.op_type for node in proto.graph.node]
    assert "Relu" in ops
    assert "Softmax" in ops
    # float32 in, as ONNX consumers send it; a float64 model casts it first
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    casts = [node for node in proto.graph.node if node.op_type == "Cast"]
    if clf.network_.dtype == np.float64:
        first = proto.graph.node[0]
        assert first.op_type == "Cast"
        assert first.input == ["X"]
        assert {a.name: a.i for a in first.attribute} == {"to": onnx.TensorProto.DOUBLE}
    else:
        assert not casts
    assert [o.name for o in proto.graph.output] == ["probabilities", "label"]
    assert proto.opset_import[0].version == DEFAULT_OPSET


LABELS = {
    "ints": np.array([3, 7]),
    "minus_one_one": np.array([-1, 1]),
    "strings": np.array(["cat", "dog"]),
    "bools": np.array([False, True]),
    "floats": np.array([0.5, 2.0]) * 2,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("labels", list(LABELS))
def test_binary_classifiers_give_both_columns_and_their_labels(dtype, labels):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)).astype(dtype)
    y = LABELS[labels][(X[:, 0] + X[:, 1] > 0).astype(int)]
    clf = train(MLPClassifier((5,), max_iter=20, random_state=0, dtype=dtype), X, y)
    outputs = run(export_onnx(clf, input_dtype=X.dtype), X)
    probabilities = outputs["probabilities"]
    assert probabilities.shape == (200, 2)
    np.testing.assert_allclose(probabilities, clf.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    expected = clf.predict(X)
    got = outputs["label"].astype(str) if labels == "strings" else outputs["label"]
    assert np.array_equal(got, expected)
    assert len(set(expected.tolist())) == 2  # both labels occur


def test_a_one_class_classifier_exports():
    X = np.random.default_rng(0).normal(size=(20, 2))
    clf = train(MLPClassifier((3,), max_iter=5, random_state=0), X, ["only"] * 20)
    outputs = run(export_onnx(clf, input_dtype=X.dtype), X)
    assert outputs["label"].tolist() == ["only"] * 20
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X), atol=1e-12)


def test_multiclass_with_sigmoid_outputs_is_normalized_like_predict_proba(digits):
    X, y, X_test, _ = digits
    clf = train(
        MLPClassifier((16,), "logistic", max_iter=10, output="sigmoid", random_state=0), X, y
    )
    outputs = run(export_onnx(clf, input_dtype=X_test.dtype), X_test)
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X_test), atol=1e-12)
    assert np.array_equal(outputs["label"], clf.predict(X_test))


@pytest.mark.parametrize("strategy", ["native", "ovr"])
def test_multilabel_gives_probabilities_and_the_indicator(strategy):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(int)
    clf = train(MLPClassifier((8,), max_iter=30, multiclass=strategy, random_state=0), X, Y)
    outputs = run(export_onnx(clf, input_dtype=X.dtype), X)
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X), atol=1e-12)
    assert outputs["label"].dtype == np.int64
    assert np.array_equal(outputs["label"], clf.predict(X))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_vs_rest_matches(digits, dtype):
    X, y, X_test, _ = digits
    X, X_test = X[:500].astype(dtype), X_test.astype(dtype)
    clf = MLPClassifier((8,), max_iter=10, multiclass="ovr", random_state=0, dtype=dtype)
    train(clf, X, DIGIT_NAMES[y[:500]])  # a ConvergenceWarning per network
    proto = export_onnx(clf, input_dtype=dtype)
    assert sum(node.op_type == "Gemm" for node in proto.graph.node) == 2 * 10
    outputs = run(proto, X_test)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X_test), atol=tolerance)
    assert np.array_equal(outputs["label"].astype(str), clf.predict(X_test))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_vs_one_votes_match(dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(240, 3)).astype(dtype)
    y = np.array([10, 20, 30, 40])[2 * (X[:, 0] > 0) + (X[:, 1] > 0)]  # the four quadrants
    clf = MLPClassifier((6,), max_iter=15, multiclass="ovo", random_state=0, dtype=dtype)
    train(clf, X, y)  # a ConvergenceWarning per network
    proto = export_onnx(clf, input_dtype=dtype)
    assert sum(node.op_type == "Gemm" for node in proto.graph.node) == 2 * 6
    outputs = run(proto, X)
    assert set(outputs) == {"decision", "label"}
    expected = clf.multiclass_estimator_.decision_function(X)
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(outputs["decision"], expected, atol=tolerance)
    assert np.array_equal(outputs["label"], clf.predict(X))


# ---------------------------------------------------------------------- regressors, networks
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regressor_predictions_match(dtype, n_outputs):
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(200, 2)).astype(dtype)
    y = np.column_stack([np.sin(X[:, 0]), X[:, 0] * X[:, 1]])[:, :n_outputs]
    reg = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", max_iter=20, random_state=0)
    reg.set_params(dtype=dtype)
    train(reg, X, y.ravel() if n_outputs == 1 else y)
    predictions = run(export_onnx(reg, input_dtype=X.dtype), X)["predictions"]
    assert predictions.shape == (200, n_outputs)
    assert predictions.dtype == dtype
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(
        predictions.reshape(reg.predict(X).shape), reg.predict(X), atol=tolerance
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("activation", "output"),
    [("sigmoid", "sigmoid"), ("tanh", "softmax"), ("relu", "identity"), ("identity", "softmax")],
)
def test_network_forward_matches(dtype, activation, output):
    net = Network([4, 6, 5, 3], activation, output, random_state=2, dtype=dtype)
    X = np.random.default_rng(3).normal(size=(50, 4)).astype(dtype)
    result = run(export_onnx(net, input_dtype=X.dtype), X)["output"]
    assert result.dtype == dtype
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(result, net.forward(X), atol=tolerance)


def test_a_network_without_hidden_layer_exports():
    net = Network([3, 1], random_state=0)
    X = np.random.default_rng(0).normal(size=(7, 3))
    output = run(export_onnx(net, input_dtype=X.dtype), X)["output"]
    np.testing.assert_allclose(output, net.forward(X), atol=1e-12)


# ---------------------------------------------------------------------- files and options
def test_path_writes_the_model_atomically(tmp_path, monkeypatch):
    net = Network([2, 3, 1], random_state=0)
    path = tmp_path / "net.onnx"
    proto = export_onnx(net, path)
    assert onnx.load(str(path)) == proto
    before = path.read_bytes()

    import mlplab.fileformat as fileformat

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileformat.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        export_onnx(Network([2, 5, 1], random_state=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.onnx"]


def test_feature_names_and_classes_are_recorded_in_the_model_properties():
    import pandas as pd

    X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 2)), columns=["weight", "length"])
    clf = train(MLPClassifier((3,), max_iter=5, random_state=0), X, ["cat", "dog"] * 20)
    properties = {p.key: p.value for p in export_onnx(clf).metadata_props}
    assert properties["model_type"] == "MLPClassifier"
    assert properties["feature_names"] == '["weight", "length"]'
    assert properties["classes"] == '["cat", "dog"]'


@pytest.mark.parametrize("opset", [MIN_OPSET, 21])
def test_other_opsets(opset):
    net = Network([2, 3, 2], "tanh", "softmax", random_state=0)
    proto = export_onnx(net, opset=opset, input_dtype="float64")
    assert proto.opset_import[0].version == opset
    X = np.ones((2, 2))
    np.testing.assert_allclose(run(proto, X)["output"], net.forward(X), atol=1e-12)


@pytest.mark.parametrize("opset", [12, 10_000, 17.0, "17", True])
def test_bad_opsets_are_refused(opset):
    with pytest.raises(ValueError, match="opset must be"):
        export_onnx(Network([2, 1]), opset=opset)


# ---------------------------------------------------------------------- refusals
def test_unfitted_estimators_are_refused():
    for model in (MLPClassifier(), MLPRegressor()):
        with pytest.raises(NotFittedError, match=r"not fitted yet.*call 'fit' first"):
            export_onnx(model)


def test_non_finite_weights_are_refused(tmp_path):
    net = Network([2, 2, 1], random_state=0)
    net.theta[0] = np.inf
    with pytest.raises(ValueError, match="weights of the network hold NaN or infinity"):
        export_onnx(net, tmp_path / "net.onnx")
    assert not list(tmp_path.iterdir())


def test_other_objects_are_refused():
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match=r"export_onnx takes an mlplab\.Network"):
        export_onnx(LogisticRegression())


def test_export_onnx_is_public():
    assert mlplab.export_onnx is export_onnx


# ---------------------------------------------------------------------- input type
@pytest.mark.parametrize("model_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_dtype", ["float32", "float64", np.float32])
def test_the_input_type_is_chosen_and_cast_to_the_model_dtype(model_dtype, input_dtype):
    net = Network([3, 4, 2], "tanh", "softmax", random_state=0, dtype=model_dtype)
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(input_dtype)
    proto = export_onnx(net, input_dtype=input_dtype)
    expected_elem = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(input_dtype))
    assert proto.graph.input[0].type.tensor_type.elem_type == expected_elem
    assert any(node.op_type == "Cast" for node in proto.graph.node) == (
        np.dtype(input_dtype) != model_dtype
    )
    output = run(proto, X)["output"]
    assert output.dtype == model_dtype  # computed in the model's dtype
    tolerance = 1e-6 if np.float32 in (model_dtype, np.dtype(input_dtype)) else 1e-12
    np.testing.assert_allclose(output, net.forward(X.astype(model_dtype)), atol=tolerance)


def test_a_float64_model_takes_float32_by_default(digits):
    X, y, X_test, _ = digits
    clf = train(MLPClassifier((16,), max_iter=10, random_state=0), X, y)
    assert clf.network_.dtype == np.float64
    outputs = run(export_onnx(clf), X_test.astype(np.float32))
    np.testing.assert_allclose(
        outputs["probabilities"], clf.predict_proba(X_test.astype(np.float32)), atol=1e-12
    )
    with pytest.raises(Exception, match=r"(?i)data type"):
        run(export_onnx(clf), X_test)  # float64 rows into the float32 input


@pytest.mark.parametrize("bad", ["float16", "int64", "double precision", None, 3])
def test_bad_input_dtypes_are_refused(bad):
    with pytest.raises(ValueError, match="input_dtype must be 'float32' or 'float64'"):
        export_onnx(Network([2, 1]), input_dtype=bad)
