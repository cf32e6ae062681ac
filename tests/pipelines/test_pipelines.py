"""scikit-learn pipelines of scalers and imputers before an estimator: files and ONNX."""

from __future__ import annotations

import warnings

import numpy as np
import onnxruntime as ort
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

import mlplab
from mlplab import MLPClassifier, MLPRegressor, ModelFileError, fileformat
from mlplab.persistence import dumps, loads


def fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the ConvergenceWarning of a few epochs
        return model.fit(X, y)


def run_onnx(model, X: np.ndarray) -> dict[str, np.ndarray]:
    proto = mlplab.export_onnx(model)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X})))


@pytest.fixture(scope="module")
def digits_with_holes():
    """Digits with 5 % of the pixels missing (NaN), and the labels."""
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float64)
    X[np.random.default_rng(0).random(X.shape) < 0.05] = np.nan
    return X, y


@pytest.fixture(scope="module")
def deployed(digits_with_holes):
    """SimpleImputer + StandardScaler + MLPClassifier, fitted on digits with holes."""
    X, y = digits_with_holes
    pipeline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
            ("mlp", MLPClassifier((32,), max_iter=20, random_state=0)),
        ]
    )
    return fit(pipeline, X[:1200], y[:1200])


def test_saved_and_loaded_it_predicts_bit_for_bit(tmp_path, digits_with_holes, deployed):
    X, _ = digits_with_holes
    X_test = X[1200:]
    assert np.isnan(X_test).any()  # the imputer is exercised
    mlplab.save(deployed, tmp_path / "pipeline.safetensors")
    loaded = mlplab.load(tmp_path / "pipeline.safetensors")
    assert isinstance(loaded, Pipeline)
    assert [name for name, _ in loaded.steps] == ["impute", "scale", "mlp"]
    assert [type(step) for _, step in loaded.steps] == [type(s) for _, s in deployed.steps]
    assert np.array_equal(loaded.predict_proba(X_test), deployed.predict_proba(X_test))
    assert np.array_equal(loaded.predict(X_test), deployed.predict(X_test))
    assert loaded.get_params()["impute__strategy"] == "median"
    assert np.array_equal(loaded.named_steps["scale"].var_, deployed.named_steps["scale"].var_)
    # the bytes are deterministic: saving the loaded pipeline gives the same file
    assert dumps(loaded) == dumps(deployed)


def test_exported_it_takes_float32_and_matches_predict_proba(digits_with_holes, deployed):
    X, _ = digits_with_holes
    X_test = X[1200:].astype(np.float32)
    outputs = run_onnx(deployed, X_test)
    assert list(outputs) == ["probabilities", "label"]
    np.testing.assert_allclose(outputs["probabilities"], deployed.predict_proba(X_test), atol=1e-5)
    assert np.array_equal(outputs["label"], deployed.predict(X_test))


STEPS = {
    "standard": lambda: StandardScaler(),
    "standard-no-mean": lambda: StandardScaler(with_mean=False),
    "standard-no-std": lambda: StandardScaler(with_std=False),
    "minmax": lambda: MinMaxScaler(feature_range=(-1, 2)),
    "minmax-clip": lambda: MinMaxScaler(clip=True),
    "maxabs": lambda: MaxAbsScaler(),
    "impute-mean": lambda: SimpleImputer(strategy="mean"),
    "impute-constant": lambda: SimpleImputer(strategy="constant", fill_value=-3.5),
    "impute-marker": lambda: SimpleImputer(missing_values=-1.0, strategy="median"),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_every_supported_step_round_trips_and_exports(step):
    rng = np.random.default_rng(1)
    X = rng.normal(2.0, 3.0, size=(150, 3))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    X[rng.random(X.shape) < 0.1] = -1.0 if step == "impute-marker" else np.nan
    X_test = X[100:].copy()
    X_test[:, 2] *= 3  # outside the fitted range: clipping shows
    # a scaler sees the NaN holes filled by an imputer first
    steps = [STEPS[step]()] if "impute" in step else [SimpleImputer(), STEPS[step]()]
    pipeline = make_pipeline(*steps, MLPRegressor(hidden_layer_sizes=(8,), max_iter=5))
    fit(pipeline, X[:100], y[:100])
    loaded = loads(dumps(pipeline))
    assert np.array_equal(loaded.predict(X_test), pipeline.predict(X_test))
    outputs = run_onnx(pipeline, X_test.astype(np.float32))
    np.testing.assert_allclose(
        outputs["predictions"].ravel(), pipeline.predict(X_test.astype(np.float32)), atol=1e-5
    )


class OwnScaler(StandardScaler):
    """A subclass may transform differently: refused."""


class StandardScalerLookalike(StandardScaler):
    """Another package's class of the same name: refused."""


StandardScalerLookalike.__name__ = "StandardScaler"


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (PCA(n_components=2), "step 0 'bad' .*PCA.* is not a supported step"),
        (SimpleImputer(strategy="most_frequent"), "step 0 'bad' .*strategy='most_frequent'"),
        (SimpleImputer(add_indicator=True), "step 0 'bad' .*add_indicator=True"),
        (OwnScaler(), "step 0 'bad' .*OwnScaler.* is not a supported step"),
        (StandardScalerLookalike(), "step 0 'bad' .*test_pipelines.StandardScaler.* not a supp"),
    ],
)
def test_other_steps_are_refused_by_name(tmp_path, step, message):
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    pipeline = fit(Pipeline([("bad", step), ("mlp", MLPClassifier((4,), max_iter=2))]), X, y)
    with pytest.raises(TypeError, match=message):
        mlplab.save(pipeline, tmp_path / "p.safetensors")
    with pytest.raises(TypeError, match=message):
        mlplab.export_onnx(pipeline)
    assert not (tmp_path / "p.safetensors").exists()


def test_a_pipeline_must_end_with_an_mlplab_estimator():
    X = np.random.default_rng(0).normal(size=(40, 3))
    pipeline = fit(make_pipeline(StandardScaler(), LogisticRegression()), X, X[:, 0] > 0)
    with pytest.raises(TypeError, match="LogisticRegression"):
        dumps(pipeline)
    with pytest.raises(TypeError, match="LogisticRegression"):
        mlplab.export_onnx(pipeline)


def test_an_empty_feature_is_refused_with_the_fix():
    X = np.random.default_rng(0).normal(size=(40, 3))
    X[:, 1] = np.nan
    pipeline = fit(make_pipeline(SimpleImputer(), MLPClassifier((4,), max_iter=2)), X, X[:, 0] > 0)
    with pytest.raises(TypeError, match="keep_empty_features=True"):
        dumps(pipeline)


# ---------------------------------------------------------------------- hostile files
def tampered(pipeline, change) -> bytes:
    """The model file of ``pipeline`` after ``change(arrays, metadata)``, checksum redone."""
    arrays, metadata = fileformat.unpack(dumps(pipeline), kind="model")
    change(arrays, metadata)
    return fileformat.pack(arrays, metadata, kind="model")


def _set(key, value):
    return lambda arrays, meta: arrays.__setitem__(key, value)


def _step(field, value):
    return lambda arrays, meta: meta["pipeline"]["steps"][1].__setitem__(field, value)


HOSTILE = {
    "short mean": (_set("step_1_mean_", np.zeros(3)), r"step_1_mean_ has .*shape \(3,\)"),
    "NaN mean": (_set("step_1_mean_", np.full(64, np.nan)), "step_1_mean_ holds NaN"),
    "inf statistics": (
        _set("step_0_statistics_", np.full(64, np.inf)),
        "step_0_statistics_ holds NaN or infinite",
    ),
    "zero scale": (_set("step_1_scale_", np.zeros(64)), "step_1_scale_ holds zeros"),
    "int64 scale": (_set("step_1_scale_", np.ones(64, dtype=np.int64)), "dtype int64"),
    "stray tensor": (_set("step_7_mean_", np.zeros(64)), r"tensors \['step_7_mean_'\]"),
    "missing tensor": (
        lambda arrays, meta: arrays.pop("step_1_scale_"),
        "the tensor step_1_scale_ is missing",
    ),
    "unknown type": (_step("type", "FunctionTransformer"), "type must be one of"),
    "unlisted array": (_step("arrays", ["mean_", "var_"]), r"needs the arrays \['scale_'\]"),
    "bad param": (
        lambda arrays, meta: meta["pipeline"]["steps"][0]["params"].update(strategy="eval"),
        "strategy",
    ),
    "odd param": (
        lambda arrays, meta: meta["pipeline"]["steps"][1]["params"].update(func="os.system"),
        "params must be an object of StandardScaler parameters",
    ),
    "features": (
        lambda arrays, meta: (
            meta["pipeline"]["steps"][1].update(n_features_in=63),
            arrays.update({k: arrays[k][:63] for k in arrays if k.startswith("step_1_")}),
        ),
        "takes a different number of features",
    ),
    "names": (_step("name", "a__b"), "without '__'"),
    "duplicate names": (_step("name", "impute"), "distinct"),
    "nested": (
        lambda arrays, meta: meta["pipeline"].update(estimator_type="Pipeline"),
        "must name an estimator",
    ),
    "no section": (lambda arrays, meta: meta.pop("pipeline"), "needs a 'pipeline' section"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_refused_before_anything_is_built(deployed, case):
    change, message = HOSTILE[case]
    with pytest.raises(ModelFileError, match=message):
        loads(tampered(deployed, change), name="hostile.safetensors")
