"""Inputs of the estimators: scikit-learn's validation, its error types and its wording.

Each bad input is given to scikit-learn's own MLPClassifier/MLPRegressor and to mlplab's:
both must raise the same exception type with the same key phrase. Inputs are never
modified, whatever their dtype and memory layout, and labels of any type come back as
they went in, through predict, a model file and ONNX.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.neural_network import MLPClassifier as SklearnClassifier
from sklearn.neural_network import MLPRegressor as SklearnRegressor

import mlplab
from mlplab import MLPClassifier, MLPRegressor

from ._helpers import blobs, quiet_fit

X_GOOD, Y_GOOD = blobs(20, 3, 2, seed=0)


def _with(value, row=2, column=1, dtype=float):
    """X_GOOD as ``dtype`` with one cell set to ``value``."""
    X = X_GOOD.astype(dtype)
    X[row, column] = value
    return X


#: Bad X for fit: (X, y, the key phrase scikit-learn and mlplab both use).
BAD_X = {
    "nan": (_with(np.nan), Y_GOOD, "Input X contains NaN"),
    "+inf": (_with(np.inf), Y_GOOD, "Input X contains infinity or a value too large"),
    "-inf": (_with(-np.inf), Y_GOOD, "Input X contains infinity or a value too large"),
    "empty": (np.empty((0, 3)), np.empty(0), r"Found array with 0 sample\(s\)"),
    "no-features": (np.empty((20, 0)), Y_GOOD, r"Found array with 0 feature\(s\)"),
    "1-d": (X_GOOD[:, 0], Y_GOOD, "Expected 2D array, got 1D array instead"),
    "3-d": (X_GOOD.reshape(20, 3, 1), Y_GOOD, "Found array with dim 3"),
    "complex": (X_GOOD + 1j, Y_GOOD, "Complex data not supported"),
    "string-cell": (_with("abc", dtype=object), Y_GOOD, "could not convert string to float"),
    "none-cell": (_with(None, dtype=object), Y_GOOD, "Input X contains NaN"),
    "strings": (np.full((20, 3), "x"), Y_GOOD, "could not convert string to float"),
    "length-mismatch": (X_GOOD, Y_GOOD[:-1], r"inconsistent numbers of samples: \[20, 19\]"),
}

#: Bad y for a classifier.
BAD_Y = {
    "nan": (np.where(np.arange(20) == 4, np.nan, Y_GOOD), "Input y contains NaN"),
    "inf": (np.where(np.arange(20) == 4, np.inf, Y_GOOD), "Input y contains infinity"),
    # scikit-learn's MLP words it "Unknown label type: (array([...]),)"; the type is the key
    "continuous": (np.linspace(0.1, 2.0, 20), "Unknown label type"),
}


def _same(array: np.ndarray, before: np.ndarray) -> bool:
    """Equal in dtype, shape and content (NaN equal to NaN, object cells compared as lists)."""
    if array.dtype != before.dtype or array.shape != before.shape:
        return False
    if array.dtype.kind in "fc":
        return bool(np.array_equal(array, before, equal_nan=True))
    return array.tolist() == before.tolist()


def _raised(action) -> Exception:
    """The exception ``action()`` raises (the test fails if none is)."""
    with pytest.raises(Exception) as caught:  # noqa: PT011 - compared to scikit-learn's below
        action()
    return caught.value


def _assert_same_refusal(ours, theirs, phrase: str) -> None:
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    for error in (ours, theirs):
        with pytest.raises(type(theirs), match=phrase):
            raise error


@pytest.mark.parametrize("case", BAD_X)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(MLPClassifier, SklearnClassifier), (MLPRegressor, SklearnRegressor)],
    ids=["classifier", "regressor"],
)
def test_bad_X_in_fit_is_refused_as_scikit_learn_refuses_it(case, ours, theirs):
    X, y, phrase = BAD_X[case]
    if ours is MLPRegressor:
        y = y.astype(float)
    X_before, y_before = X.copy(), y.copy()
    mine = _raised(lambda: ours(max_iter=2).fit(X, y))
    reference = _raised(lambda: theirs(max_iter=2).fit(X, y))
    _assert_same_refusal(mine, reference, phrase)
    assert _same(X, X_before)
    assert _same(y, y_before)


@pytest.mark.parametrize("case", BAD_Y)
def test_bad_y_for_a_classifier_is_refused_as_scikit_learn_refuses_it(case):
    y, phrase = BAD_Y[case]
    mine = _raised(lambda: MLPClassifier(max_iter=2).fit(X_GOOD, y))
    reference = _raised(lambda: SklearnClassifier(max_iter=2).fit(X_GOOD, y))
    _assert_same_refusal(mine, reference, phrase)


def test_nan_in_a_regression_target_is_refused_as_scikit_learn_refuses_it():
    y = np.where(np.arange(20) == 4, np.nan, 1.0)
    mine = _raised(lambda: MLPRegressor(max_iter=2).fit(X_GOOD, y))
    reference = _raised(lambda: SklearnRegressor(max_iter=2).fit(X_GOOD, y))
    _assert_same_refusal(mine, reference, "Input y contains NaN")


@pytest.fixture(scope="module")
def fitted():
    """(ours, scikit-learn's), both fitted on the same 3-feature data."""
    return (
        quiet_fit(
            MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), X_GOOD, Y_GOOD
        ),
        quiet_fit(
            SklearnClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), X_GOOD, Y_GOOD
        ),
    )


@pytest.mark.parametrize(
    ("X", "phrase"),
    [
        (X_GOOD[:, :2], "X has 2 features, but MLPClassifier is expecting 3 features as input"),
        (np.hstack([X_GOOD, X_GOOD]), "X has 6 features, but MLPClassifier is expecting 3"),
        (_with(np.nan), "Input X contains NaN"),
        (_with(np.inf), "Input X contains infinity"),
        (X_GOOD[0], "Expected 2D array, got 1D array instead"),
        (np.empty((0, 3)), r"Found array with 0 sample\(s\)"),
        (_with("abc", dtype=object), "could not convert string to float"),
    ],
    ids=["too-few-features", "too-many-features", "nan", "inf", "1-d", "empty", "string"],
)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_bad_X_at_predict_is_refused_as_scikit_learn_refuses_it(fitted, X, phrase, method):
    ours, theirs = fitted
    before = np.array(X, copy=True)

    def call(model):
        if method == "score":
            return model.score(X, np.zeros(len(X) if X.ndim else 1, dtype=int))
        return getattr(model, method)(X)

    _assert_same_refusal(_raised(lambda: call(ours)), _raised(lambda: call(theirs)), phrase)
    assert _same(X, before)


def test_wrong_feature_names_at_predict_are_refused_as_scikit_learn_refuses_them():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(X_GOOD, columns=["weight", "length", "age"])
    ours = quiet_fit(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), frame, Y_GOOD
    )
    theirs = quiet_fit(
        SklearnClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), frame, Y_GOOD
    )
    renamed = frame.rename(columns={"age": "height"})
    reordered = frame[["length", "weight", "age"]]
    for X, phrase in [
        (renamed, "The feature names should match those that were passed during fit"),
        (reordered, "Feature names must be in the same order as they were in fit"),
    ]:
        _assert_same_refusal(
            _raised(lambda X=X: ours.predict(X)), _raised(lambda X=X: theirs.predict(X)), phrase
        )
    # without names: scikit-learn's warning, from both
    for model in (ours, theirs):
        with pytest.warns(
            UserWarning, match="X does not have valid feature names, but MLPClassifier"
        ):
            model.predict(X_GOOD)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "coefs_", "save", "onnx"])
def test_using_a_model_before_fit_raises_scikit_learns_not_fitted_error(tmp_path, method):
    model = MLPClassifier()
    actions = {
        "predict": lambda: model.predict(X_GOOD),
        "predict_proba": lambda: model.predict_proba(X_GOOD),
        "score": lambda: model.score(X_GOOD, Y_GOOD),
        "coefs_": lambda: model.coefs_,
        "save": lambda: mlplab.save(model, tmp_path / "model.safetensors"),
        "onnx": lambda: mlplab.export_onnx(model, tmp_path / "model.onnx"),
    }
    with pytest.raises(
        SklearnNotFittedError, match="This MLPClassifier instance is not fitted yet"
    ):
        actions[method]()
    assert list(tmp_path.iterdir()) == []  # nothing was written
    reference = _raised(lambda: SklearnClassifier().predict(X_GOOD))
    assert isinstance(reference, SklearnNotFittedError)


# ---------------------------------------------------------------------- inputs left alone
def _layouts():
    """The same data as float64 C, float32, Fortran order, a strided view and read-only."""
    X, y = blobs(40, 3, 3, seed=4)
    wide = np.repeat(X, 2, axis=1)
    read_only = X.copy()
    read_only.flags.writeable = False
    return {
        "float64": (X, y),
        "float32": (X.astype(np.float32), y),
        "fortran": (np.asfortranarray(X), y),
        "strided": (wide[:, ::2], y),
        "read-only": (read_only, y),
    }


@pytest.mark.parametrize("layout", list(_layouts()))
@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_inputs_are_never_modified(layout, estimator):
    X, y = _layouts()[layout]
    if estimator is MLPRegressor:
        y = y.astype(float) + 0.5
    X_before, y_before, layout_before = X.copy(), y.copy(), (X.dtype, X.strides, X.flags.owndata)
    model = estimator(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    quiet_fit(model, X, y)
    model.predict(X)
    model.score(X, y)
    if estimator is MLPClassifier:
        model.predict_proba(X)
        model.partial_fit(X, y)
    assert (X.dtype, X.strides, X.flags.owndata) == layout_before
    assert np.array_equal(X, X_before)
    assert np.array_equal(y, y_before)


# ---------------------------------------------------------------------- labels
def test_a_single_class_is_predicted_for_every_input_like_scikit_learn():
    X, _ = blobs(30, 3, 2, seed=5)
    y = np.full(30, 7)
    ours = quiet_fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y)
    theirs = quiet_fit(SklearnClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, y)
    X_new = np.random.default_rng(1).normal(scale=10, size=(50, 3))
    assert ours.predict(X_new).tolist() == theirs.predict(X_new).tolist() == [7] * 50
    assert ours.classes_.tolist() == theirs.classes_.tolist() == [7]


@pytest.mark.parametrize(
    "labels",
    [
        np.array([-1, 1]),
        np.array(["<b>cat</b>", "dog"]),
        np.array(["ant", "bee", "cat"]),
        np.array([1.0, 2.0, 4.0]),
        np.array([False, True]),
    ],
    ids=["minus-one-one", "strings", "three-strings", "floats", "booleans"],
)
def test_labels_survive_predict_a_model_file_and_onnx(tmp_path, labels):
    onnxruntime = pytest.importorskip("onnxruntime")
    X, index = blobs(60, 3, len(labels), seed=6)
    y = labels[index]
    clf = quiet_fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0), X, y)
    predicted = clf.predict(X)
    assert predicted.dtype == y.dtype
    assert set(predicted.tolist()) <= set(labels.tolist())
    assert clf.classes_.tolist() == sorted(labels.tolist())

    mlplab.save(clf, tmp_path / "model.safetensors")
    loaded = mlplab.load(tmp_path / "model.safetensors")
    assert loaded.classes_.dtype == clf.classes_.dtype
    assert np.array_equal(loaded.predict(X), predicted)

    proto = mlplab.export_onnx(clf, input_dtype=X.dtype)
    session = onnxruntime.InferenceSession(
        proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [output.name for output in session.get_outputs()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # onnxruntime's own
        outputs = dict(zip(names, session.run(None, {"X": X})))
    assert outputs["label"].tolist() == predicted.tolist()
