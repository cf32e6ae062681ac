"""scikit-learn pipelines in model files and in ONNX: scalers and imputers before an estimator.

A :class:`sklearn.pipeline.Pipeline` whose steps are ``StandardScaler``, ``MinMaxScaler``,
``MaxAbsScaler`` or ``SimpleImputer`` (strategy ``"mean"``, ``"median"`` or ``"constant"``
with a number), followed by an mlplab estimator, is saved without pickle: each step's
fitted arrays are tensors ``step_<i>_<attribute>`` (e.g. ``step_0_mean_``) next to the
estimator's ``theta_<k>``, and its parameters are JSON in the metadata's ``pipeline``
section::

    "model_type": "Pipeline",
    "pipeline": {"estimator_type": "MLPClassifier", "final_step": "mlp",
                 "steps": [{"name": "scale", "type": "StandardScaler",
                            "params": {"with_mean": true, ...}, "n_features_in": 64,
                            "feature_names": null, "n_samples_seen": null,
                            "arrays": ["mean_", "scale_", "var_"]}, ...]}

The rest of the metadata is the estimator's own (see :mod:`mlplab.persistence`). Loading
checks every step (known type, parameters, arrays of shape (n_features,) that are finite,
divisors that are not zero, the same number of features from step to step and into the
estimator) before anything is built; the step classes are looked up in the table below,
never by a name taken from the file. Any other step is refused, naming it.

In ONNX the steps are tensor operations before the network: ``Sub``/``Div`` (standard
scaling), ``Mul``/``Add``/``Clip`` (min-max), ``Div``/``Clip`` (max-abs) and
``Where(IsNaN(X), statistics, X)`` (imputing), in the model's dtype.

:mod:`mlplab.persistence` and :mod:`mlplab.export` call this module for a pipeline; it
imports neither (they pass in what it needs), so the model file and the graph of the
estimator itself stay theirs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["MODEL_TYPE", "STEP_TYPES", "build", "describe", "is_pipeline", "onnx_steps"]

#: The model type of a pipeline in a model file.
MODEL_TYPE = "Pipeline"

#: Supported steps: type -> (module, {parameter: kind}, fitted arrays of shape (n_features,)).
STEP_TYPES: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "StandardScaler": (
        "sklearn.preprocessing",
        {"with_mean": "bool", "with_std": "bool", "copy": "bool"},
        ("mean_", "var_", "scale_"),
    ),
    "MinMaxScaler": (
        "sklearn.preprocessing",
        {"feature_range": "range", "copy": "bool", "clip": "bool"},
        ("min_", "scale_", "data_min_", "data_max_", "data_range_"),
    ),
    "MaxAbsScaler": (
        "sklearn.preprocessing",
        {"copy": "bool", "clip": "bool"},
        ("max_abs_", "scale_"),
    ),
    "SimpleImputer": (
        "sklearn.impute",
        {
            "missing_values": "missing",
            "strategy": "strategy",
            "fill_value": "number?",
            "copy": "bool",
            "add_indicator": "false",
            "keep_empty_features": "bool",
        },
        ("statistics_",),
    ),
}
#: SimpleImputer strategies that keep one number per feature.
STRATEGIES = ("mean", "median", "constant")
#: Arrays the rows are divided by: zero would make infinities.
DIVISORS = {("StandardScaler", "scale_"), ("MaxAbsScaler", "scale_")}

Fail = Callable[[str], Exception]


def is_pipeline(model) -> bool:
    """Whether ``model`` is a scikit-learn Pipeline (without importing scikit-learn)."""
    cls = type(model)
    return cls.__name__ == "Pipeline" and cls.__module__.startswith("sklearn.")


def _required(type_name: str, params: dict[str, Any]) -> set[str]:
    """The fitted arrays a step of these parameters uses to transform."""
    if type_name == "StandardScaler":
        used = {"mean_": params.get("with_mean", True), "scale_": params.get("with_std", True)}
        return {attribute for attribute, needed in used.items() if needed}
    return set(STEP_TYPES[type_name][2])


# ====================================================================== saving
def describe(pipeline, describe_model: Callable) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(tensors, metadata) of a fitted pipeline; ``describe_model`` describes its estimator."""
    steps = list(pipeline.steps)
    if not steps:
        raise ValueError("cannot save an empty Pipeline")
    final_name, final = steps[-1]
    tensors, metadata = describe_model(final)
    if metadata["model_type"] == "Network":
        raise TypeError(
            f"the last step of a saved Pipeline must be an mlplab estimator; step "
            f"{final_name!r} is a Network"
        )
    sections = []
    for index, (name, step) in enumerate(steps[:-1]):
        section, arrays = _describe_step(index, name, step)
        sections.append(section)
        for attribute, array in arrays.items():
            tensors[f"step_{index}_{attribute}"] = array
    metadata["pipeline"] = {
        "estimator_type": metadata["model_type"],
        "final_step": str(final_name),
        "steps": sections,
    }
    metadata["model_type"] = MODEL_TYPE
    return tensors, metadata


def _refuse(index: int, name, step, why: str) -> TypeError:
    kinds = ", ".join(STEP_TYPES)
    return TypeError(
        f"cannot save or export this Pipeline: step {index} {name!r} "
        f"({type(step).__module__}.{type(step).__qualname__}) {why}; a Pipeline can hold "
        f"{kinds} steps followed by an mlplab estimator"
    )


def _describe_step(index: int, name, step) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The JSON section and the fitted arrays of one step, refused if unsupported."""
    type_name = type(step).__name__
    entry = STEP_TYPES.get(type_name)
    if entry is None or type(step).__module__.split(".")[0] != "sklearn":
        raise _refuse(index, name, step, "is not a supported step")
    _, kinds, attributes = entry
    params = step.get_params(deep=False)
    unknown = sorted(set(params) - set(kinds))
    if unknown:
        raise _refuse(index, name, step, f"has parameters {unknown} a model file cannot keep")
    kept = {}
    for key, value in params.items():
        problem, kept[key] = _encode_param(kinds[key], value)
        if problem:
            raise _refuse(index, name, step, f"has {key}={value!r}: {problem}")
    if not hasattr(step, "n_features_in_"):
        raise _refuse(index, name, step, "is not fitted")
    arrays = {}
    for attribute in attributes:
        value = getattr(step, attribute, None)
        if value is None:
            continue
        array = np.asarray(value)
        if array.dtype.kind in "iuO":  # e.g. constant statistics, kept as numbers
            array = array.astype(np.float64)
        if not np.isfinite(array).all():
            raise _refuse(
                index,
                name,
                step,
                f"has non-finite {attribute} (a feature that was missing everywhere?); "
                "set keep_empty_features=True or drop that feature",
            )
        arrays[attribute] = array
    seen = getattr(step, "n_samples_seen_", None)
    if isinstance(seen, np.ndarray):
        arrays["n_samples_seen_"] = seen.astype(np.float64)
        seen = None
    names = getattr(step, "feature_names_in_", None)
    section = {
        "name": str(name),
        "type": type_name,
        "params": kept,
        "n_features_in": int(step.n_features_in_),
        "feature_names": None if names is None else [str(n) for n in names],
        "n_samples_seen": None if seen is None else int(seen),
        "arrays": sorted(arrays),
    }
    return section, arrays


def _encode_param(kind: str, value) -> tuple[str | None, Any]:
    """(problem or None, the JSON value) of one step parameter."""
    if isinstance(value, np.generic):
        value = value.item()
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return (None if isinstance(value, bool) else "not a boolean"), value
    if kind == "false":
        return (None if value is False else "not supported"), value
    if kind == "strategy":
        ok = value in STRATEGIES
        return (None if ok else f"only the strategies {STRATEGIES} are supported"), value
    if kind == "missing":
        if number and math.isnan(value):
            return None, "NaN"
        return (None if number else "only NaN or a number can mark missing values"), value
    if kind == "number?":
        ok = value is None or (number and math.isfinite(value))
        return (None if ok else "only a finite number (or None) is supported"), value
    # range
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return (None if ok else "not a pair of numbers"), list(value) if ok else value


# ====================================================================== loading
def build(arrays: dict[str, np.ndarray], meta: dict[str, Any], fail: Fail, build_model: Callable):
    """Validate a pipeline file's steps, build its estimator with ``build_model``, then it."""
    section = meta.get("pipeline")
    if not isinstance(section, dict):
        raise fail("a Pipeline model file needs a 'pipeline' section")
    _check_keys(section, {"estimator_type", "final_step", "steps"}, "pipeline", fail)
    estimator_type, steps = section["estimator_type"], section["steps"]
    if estimator_type in ("Network", MODEL_TYPE) or not isinstance(estimator_type, str):
        raise fail(f"pipeline.estimator_type must name an estimator, got {estimator_type!r}")
    if not isinstance(steps, list):
        raise fail("pipeline.steps must be a list")
    names = [step.get("name") if isinstance(step, dict) else None for step in steps]
    names.append(section["final_step"])
    for name in names:
        if not isinstance(name, str) or not name or "__" in name:
            raise fail(f"pipeline step names must be non-empty strings without '__': {name!r}")
    if len(set(names)) != len(names):
        raise fail(f"pipeline step names must be distinct, got {names}")
    checked = [_check_step(k, step, arrays, fail) for k, step in enumerate(steps)]
    for k in range(1, len(checked)):
        if checked[k]["n_features_in"] != checked[k - 1]["n_features_in"]:
            raise fail(
                f"pipeline.steps[{k}] takes a different number of features than step {k - 1}"
            )
    expected = {
        f"step_{k}_{attribute}" for k, step in enumerate(checked) for attribute in step["arrays"]
    }
    extra = sorted(key for key in arrays if key.startswith("step_") and key not in expected)
    if extra:
        raise fail(f"the file holds tensors {extra} that no pipeline step lists")
    inner_arrays = {key: value for key, value in arrays.items() if not key.startswith("step_")}
    inner_meta = {key: value for key, value in meta.items() if key != "pipeline"}
    inner_meta["model_type"] = estimator_type
    estimator = build_model(inner_arrays, inner_meta, fail)  # validates it, then builds it
    if checked and checked[-1]["n_features_in"] != estimator.n_features_in_:
        raise fail(
            f"the pipeline's steps give {checked[-1]['n_features_in']} features, but its "
            f"estimator takes {estimator.n_features_in_}"
        )
    from sklearn.pipeline import Pipeline

    built = [(step["name"], _make_step(step, fail)) for step in checked]
    return Pipeline([*built, (section["final_step"], estimator)])


def _check_keys(mapping, keys: set[str], where: str, fail: Fail) -> None:
    if not isinstance(mapping, dict) or set(mapping) != keys:
        raise fail(f"{where} must be an object with exactly the entries {sorted(keys)}")


def _check_step(index: int, step, arrays: dict[str, np.ndarray], fail: Fail) -> dict[str, Any]:
    """One step's section and tensors, checked completely; returned with its arrays."""
    where = f"pipeline.steps[{index}]"
    keys = {"name", "type", "params", "n_features_in", "feature_names", "n_samples_seen"}
    _check_keys(step, keys | {"arrays"}, where, fail)
    type_name = step["type"]
    if not isinstance(type_name, str) or type_name not in STEP_TYPES:
        raise fail(f"{where}.type must be one of {', '.join(STEP_TYPES)}, got {type_name!r}")
    _, kinds, attributes = STEP_TYPES[type_name]
    params = step["params"]
    if not isinstance(params, dict) or set(params) - set(kinds):
        raise fail(f"{where}.params must be an object of {type_name} parameters {sorted(kinds)}")
    for key, value in params.items():
        if kinds[key] == "missing" and value == "NaN":
            continue
        problem, _ = _encode_param(kinds[key], value)
        if problem or (kinds[key] == "missing" and not math.isfinite(value)):
            raise fail(f"{where}.params.{key} = {value!r}: {problem or 'not a finite number'}")
    n_features = step["n_features_in"]
    if not isinstance(n_features, int) or isinstance(n_features, bool) or n_features < 1:
        raise fail(f"{where}.n_features_in must be a positive integer, got {n_features!r}")
    names = step["feature_names"]
    if names is not None and not (
        isinstance(names, list)
        and len(names) == n_features
        and all(isinstance(n, str) for n in names)
    ):
        raise fail(f"{where}.feature_names must be null or {n_features} strings")
    seen = step["n_samples_seen"]
    if seen is not None and (not isinstance(seen, int) or isinstance(seen, bool) or seen < 0):
        raise fail(f"{where}.n_samples_seen must be null or an integer >= 0, got {seen!r}")
    listed = step["arrays"]
    allowed = {*attributes, "n_samples_seen_"}
    if not (
        isinstance(listed, list) and set(listed) <= allowed and len(set(listed)) == len(listed)
    ):
        raise fail(f"{where}.arrays must list distinct names among {sorted(allowed)}")
    missing = sorted(_required(type_name, params) - set(listed))
    if missing:
        raise fail(f"{where} ({type_name}) needs the arrays {missing}")
    found = {}
    for attribute in listed:
        key = f"step_{index}_{attribute}"
        array = arrays.get(key)
        if array is None:
            raise fail(f"{where}: the tensor {key} is missing")
        if array.dtype not in (np.float32, np.float64) or array.shape != (n_features,):
            raise fail(
                f"tensor {key} has dtype {array.dtype} and shape {array.shape}; it must be "
                f"float32 or float64 of shape ({n_features},)"
            )
        if not np.isfinite(array).all():
            raise fail(f"tensor {key} holds NaN or infinite values")
        if (type_name, attribute) in DIVISORS and not array.all():
            raise fail(f"tensor {key} holds zeros: the rows are divided by it")
        found[attribute] = array
    return {**step, "arrays": found}


def _make_step(step: dict[str, Any], fail: Fail):
    """A fitted scikit-learn transformer from a checked step."""
    import importlib

    module, _, _ = STEP_TYPES[step["type"]]
    cls = getattr(importlib.import_module(module), step["type"])  # from the table, checked
    params = dict(step["params"])
    if params.get("missing_values") == "NaN":
        params["missing_values"] = np.nan
    if "feature_range" in params:
        params["feature_range"] = tuple(params["feature_range"])
    unknown = sorted(set(params) - set(cls().get_params(deep=False)))
    if unknown:
        raise fail(f"the installed scikit-learn's {step['type']} has no parameters {unknown}")
    transformer = cls(**params)
    arrays = step["arrays"]
    if step["type"] == "SimpleImputer":
        # Fitting on the one row of its statistics gives them back exactly, with the
        # imputer's own bookkeeping for the installed scikit-learn version.
        statistics = arrays["statistics_"]
        transformer.fit(statistics[np.newaxis, :])
        if not np.array_equal(np.asarray(transformer.statistics_, dtype=float), statistics):
            raise fail(f"the statistics of step {step['name']!r} equal its missing-value marker")
    else:
        for attribute, array in arrays.items():
            setattr(transformer, attribute, array.copy())
        transformer.n_features_in_ = step["n_features_in"]
        if step["n_samples_seen"] is not None:
            transformer.n_samples_seen_ = step["n_samples_seen"]
        if step["type"] == "StandardScaler":
            for attribute in ("mean_", "var_", "scale_"):
                if attribute not in arrays:
                    setattr(transformer, attribute, None)
    if step["feature_names"] is not None:
        transformer.feature_names_in_ = np.array(step["feature_names"], dtype=object)
    return transformer


# ====================================================================== ONNX
def onnx_steps(pipeline) -> tuple[Any, Callable]:
    """(the final estimator, add_steps(graph, x, dtype) -> name of the transformed X)."""
    steps = list(pipeline.steps)
    if not steps:
        raise ValueError("cannot export an empty Pipeline")
    described = [_describe_step(index, name, step) for index, (name, step) in enumerate(steps[:-1])]

    def add_steps(graph, x: str, dtype) -> str:
        for index, (section, arrays) in enumerate(described):
            x = _onnx_step(graph, x, dtype, section, arrays, f"step{index}")
        return x

    return steps[-1][1], add_steps


def _onnx_step(graph, x: str, dtype, section: dict, arrays: dict, prefix: str) -> str:
    """The operations of one step, in ``dtype``, on the (N, n_features) tensor ``x``."""

    def const(value, name: str) -> str:
        array = np.asarray(value, dtype=dtype)
        return graph.constant(array.reshape((1, -1)) if array.ndim else array, f"{prefix}_{name}")

    params, kind = section["params"], section["type"]
    if kind == "StandardScaler":
        if params["with_mean"]:
            x = graph.node("Sub", [x, const(arrays["mean_"], "mean")], name=f"{prefix}_centered")
        if params["with_std"]:
            x = graph.node("Div", [x, const(arrays["scale_"], "scale")], name=f"{prefix}_scaled")
        return x
    if kind == "MinMaxScaler":
        x = graph.node("Mul", [x, const(arrays["scale_"], "scale")])
        x = graph.node("Add", [x, const(arrays["min_"], "min")], name=f"{prefix}_scaled")
        low, high = params["feature_range"]
    elif kind == "MaxAbsScaler":
        x = graph.node("Div", [x, const(arrays["scale_"], "scale")], name=f"{prefix}_scaled")
        low, high = -1.0, 1.0
    else:  # SimpleImputer
        marker = params["missing_values"]
        if marker == "NaN":
            missing = graph.node("IsNaN", [x])
        else:
            missing = graph.node("Equal", [x, const(np.full((1, 1), marker), "marker")])
        statistics = const(arrays["statistics_"], "statistics")
        return graph.node("Where", [missing, statistics, x], name=f"{prefix}_imputed")
    if params.get("clip"):
        x = graph.node(
            "Clip", [x, const(low, "low"), const(high, "high")], name=f"{prefix}_clipped"
        )
    return x
