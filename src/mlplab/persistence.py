"""Model files: save a network or a fitted estimator, and load it back, safely.

``save(model, path)`` writes one safetensors file (through :mod:`mlplab.fileformat`, kind
``"model"``: checksummed, written atomically) holding

- the weights: the unrolled θ of each network, in the model's dtype, as tensors
  ``theta_0``, ``theta_1``, ... (one network, or the K or K(K−1)/2 binary networks of a
  one-vs-rest or one-vs-one classifier);
- JSON metadata: the model format version, the model type (``"Network"``,
  ``"MLPClassifier"``, ``"MLPRegressor"``), the dtype, each network's architecture (layer
  sizes, hidden activation, output layer) and, for an estimator, its parameters, feature
  names, classes (with their type: ints stay ints, strings stay strings), the target type,
  the multiclass strategy and the training summary (``n_iter_``, ``loss_``,
  ``loss_curve_``, the history's columns, ...).

There is no pickle anywhere: a model file is data only, and loading never imports or
calls anything named in it. Names of activations and outputs are looked up in the
registries' dicts; parameters are set only if the estimator has them and pass its own
validation. Loading checks the metadata and every array's dtype, shape and values (θ
finite, sizes matching the layer sizes) *before* it builds a model, and anything
malformed, truncated, damaged, of a newer format or not an mlplab file is refused with a
:class:`ModelFileError` that names the file and the problem.

Parameters that are not JSON data (callbacks, a numpy ``Generator`` as ``random_state``),
and paths that mlplab would write to (``checkpoint_dir``, ignored in a file too), are not
saved: the file lists them under ``dropped_params`` with the reason, and the
loaded estimator has their defaults. A loaded estimator predicts exactly what the saved
one did; it can be trained further (``warm_start``, ``partial_fit``) from the saved
weights, with a fresh optimizer state.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import fileformat, pipelines
from ._version import __version__
from .activations import ACTIVATIONS
from .fileformat import ModelFileError
from .history import History
from .layout import ThetaLayout
from .losses import OUTPUTS
from .network import Network

__all__ = [
    "ESTIMATOR_TYPES",
    "ModelFileError",
    "dumps",
    "load",
    "loads",
    "read_metadata",
    "register_estimator",
    "save",
]

KIND = "model"
#: Version of the metadata layout below; a file with a larger number needs a newer mlplab.
MODEL_FORMAT_VERSION = 1
#: Estimator classes a model file can hold, by model type (see :func:`register_estimator`).
ESTIMATOR_TYPES: dict[str, type] = {}
#: Model dtypes, by the names used in the metadata.
DTYPES = {"float32": np.float32, "float64": np.float64}
#: Class label dtypes that survive a round trip through JSON unchanged.
LABEL_DTYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "str",
)
TARGET_TYPES = ("binary", "multiclass", "multilabel-indicator")


#: Estimator parameters that are paths mlplab writes to (and deletes in): never saved, and
#: ignored in a file, so that a model file cannot choose where mlplab writes.
PATH_PARAMS = ("checkpoint_dir",)

#: Makes the exception for a problem found in a model (file): ``raise fail("...")``.
Fail = Callable[[str], Exception]


# ====================================================================== public API
def register_estimator(cls: type) -> type:
    """Let :func:`save` and :func:`load` handle the estimator class ``cls``.

    :mod:`mlplab.estimators` registers its classes when it is imported (``import mlplab``
    and ``mlplab.load`` see to that). ``cls`` offers ``get_params``, ``check_params()``,
    ``get_state()``, the classmethod ``from_state(state)`` and the class attributes
    ``is_classifier_state`` and ``TRAINING_SUMMARY`` (see
    :class:`mlplab.estimators.MLPClassifier`). The file records the model type as
    ``cls.__name__``.
    """
    ESTIMATOR_TYPES[cls.__name__] = cls
    return cls


def save(model, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` as a safetensors model file, atomically.

    Parameters
    ----------
    model : Network, MLPClassifier or MLPRegressor
        A network, or a fitted estimator (any multiclass strategy).
    path : str or path-like
        Conventionally ``*.safetensors``. An existing file is replaced only once the new
        one is completely written; if writing fails it is left untouched.

    Raises
    ------
    NotFittedError
        An estimator that has not been fitted.
    ValueError
        A model that cannot be saved: non-finite weights, class labels of a type that
        JSON cannot keep, a one-vs-rest model with a constant label.
    TypeError
        Not an mlplab model.
    OSError
        The file cannot be written (the previous file, if any, is unchanged).
    """
    fileformat.atomic_write_bytes(path, dumps(model))


def load(path: str | os.PathLike):
    """Read a model written by :func:`save` and rebuild it.

    Returns
    -------
    Network, MLPClassifier or MLPRegressor
        Predicting exactly as the saved model did.

    Raises
    ------
    ModelFileError
        The file is missing, not an mlplab model file, truncated, damaged (checksum),
        of a newer format version, or describes an invalid model (unknown activation,
        inconsistent layer shapes, non-finite weights, ...). The message says which.
    """
    path = os.fspath(path)
    arrays, metadata = fileformat.read(path, kind=KIND)
    return _build(arrays, metadata, _failer(path))


def dumps(model) -> bytes:
    """The bytes :func:`save` would write for ``model``."""
    tensors, metadata = _describe_model(model)
    return fileformat.pack(tensors, metadata, kind=KIND)


def loads(data: bytes, *, name: str = "<bytes>"):
    """Rebuild a model from the bytes of a model file (``name`` is used in error messages)."""
    arrays, metadata = fileformat.unpack(bytes(data), kind=KIND, name=name)
    return _build(arrays, metadata, _failer(name))


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata of a model file (checksum verified), without building the model."""
    _, metadata = fileformat.read(path, kind=KIND)
    return metadata


# ====================================================================== saving
def _describe_model(model) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(tensors, metadata) of a network or a fitted estimator."""
    if pipelines.is_pipeline(model):  # scalers and imputers before an estimator
        return pipelines.describe(model, _describe_model)
    tensors: dict[str, np.ndarray] = {}
    networks: list[dict[str, Any]] = []
    if isinstance(model, Network):
        _add_network(model, tensors, networks)
        metadata = _header("Network", model.dtype, networks)
        return tensors, metadata
    cls = ESTIMATOR_TYPES.get(type(model).__name__)
    if cls is None or type(model) is not cls:
        names = ", ".join(["mlplab.Network", *ESTIMATOR_TYPES])
        raise TypeError(
            f"save() takes an {names}, got {type(model).__module__}.{type(model).__qualname__}"
        )
    state = model.get_state()  # NotFittedError before fit
    estimator = _describe_estimator(state, cls, tensors, networks)
    dtypes = {network["dtype"] for network in networks}
    if len(dtypes) != 1:
        raise ValueError(f"the networks of this model have different dtypes {sorted(dtypes)}")
    metadata = _header(type(model).__name__, np.dtype(dtypes.pop()), networks)
    metadata["estimator"] = estimator
    return tensors, metadata


def _header(model_type: str, dtype: np.dtype, networks: list[dict]) -> dict[str, Any]:
    """The top of the metadata; the networks' dtype moves up to the model's ``dtype``."""
    for network in networks:
        network.pop("dtype", None)
    return {
        "format_version": MODEL_FORMAT_VERSION,
        "model_type": model_type,
        "mlplab_version": __version__,
        "dtype": np.dtype(dtype).name,
        "networks": networks,
    }


def _add_network(network: Network, tensors: dict, networks: list) -> int:
    """Store θ as tensor ``theta_<k>`` and the architecture as ``networks[k]``; return k."""
    if not np.isfinite(network.theta).all():
        raise ValueError(
            "cannot save a network whose weights hold NaN or infinity (did training "
            "diverge?); retrain it, e.g. with a smaller learning rate"
        )
    index = len(networks)
    tensors[f"theta_{index}"] = network.theta
    networks.append(
        {
            "layer_sizes": [int(size) for size in network.layer_sizes],
            "activation": network.activation,
            "output": network.output,
            "dtype": network.dtype.name,
        }
    )
    return index


def _describe_estimator(state: dict, cls: type, tensors: dict, networks: list) -> dict[str, Any]:
    """The metadata of one fitted estimator's state; its networks are added to ``tensors``."""
    params, dropped = _json_params(state["params"])
    # A parameter set to an invalid value after fit would make a file that load refuses.
    _check_params(params, cls, "its parameters", _save_failer(cls))
    spec: dict[str, Any] = {
        "params": params,
        "dropped_params": dropped,
        "n_features_in": int(state["n_features_in"]),
        "feature_names": state["feature_names"],
    }
    if cls.is_classifier_state:
        spec["classes"] = _encode_classes(state["classes"])
        spec["target_type"] = str(state["target_type"])
    if "multiclass" in state:
        section = state["multiclass"]
        spec["multiclass"] = {
            "strategy": section["strategy"],
            "estimators": [
                _describe_estimator(sub, cls, tensors, networks) for sub in section["estimators"]
            ],
        }
        built = section["strategy"]
        if params.get("multiclass", "native") != built:
            raise ValueError(
                f"cannot save this model: its multiclass parameter is "
                f"{params.get('multiclass')!r}, but it was fitted as multiclass={built!r}; "
                f"set multiclass={built!r} again, or fit it anew, before saving"
            )
        spec["training"] = {"n_iter_": int(state["training"]["n_iter_"])}
        return spec
    spec["network"] = _add_network(state["network"], tensors, networks)
    training = {}
    for name, kind in cls.TRAINING_SUMMARY.items():
        value = state["training"][name]
        if kind in ("floats", "floats?") and value is not None:
            value = [float(v) for v in value]
        elif kind.startswith("float") and value is not None:
            value = float(value)
        elif kind == "int":
            value = int(value)
        training[name] = value
    training["history"] = _history_state(state["history"])
    spec["training"] = training
    return spec


def _save_failer(cls: type) -> Fail:
    """A function making the ValueError of a model that cannot be saved."""
    return lambda problem: ValueError(f"cannot save this {cls.__name__}: {problem}")


def _history_state(history) -> dict[str, Any]:
    """A History as {"columns": [...], "rows": [{column: float}]} (NaN kept as NaN)."""
    return {
        "columns": [str(column) for column in history.columns],
        "rows": [{str(k): float(v) for k, v in row.items()} for row in history.rows],
    }


def _json_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Split get_params() into JSON-safe values and notes on the values that were dropped."""
    kept: dict[str, Any] = {}
    dropped: dict[str, str] = {}
    for name, value in params.items():
        if name in PATH_PARAMS:
            if value is not None:
                dropped[name] = (
                    "a model file never chooses where mlplab writes, so this path was not "
                    f"saved; set {name} again to use it when training further"
                )
            continue
        if name == "dtype" and value is not None:  # None (follow X) is saved as null
            try:
                kept[name] = np.dtype(value).name
            except TypeError:
                kept[name] = repr(value)  # refused just below, with the valid names
            continue
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, np.generic):
            value = value.item()
        elif isinstance(value, np.ndarray) and value.ndim == 1:
            value = value.tolist()  # e.g. hidden_layer_sizes given as an array
        if value is None or isinstance(value, (bool, str)):
            kept[name] = value
        elif isinstance(value, numbers.Integral):
            kept[name] = int(value)
        elif isinstance(value, numbers.Real):
            kept[name] = float(value)
        elif isinstance(value, (list, tuple)) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
        ):
            kept[name] = [int(v) for v in value]
        else:
            dropped[name] = (
                f"a {type(value).__name__} is not JSON data, so it was not saved; the "
                f"loaded model has the default {name}, set it again before training further"
            )
    return kept, dropped


def _encode_classes(classes) -> dict[str, Any]:
    """Class labels as {"dtype": name, "values": [...]} that JSON keeps exactly."""
    classes = np.asarray(classes)
    kind = classes.dtype.kind
    for label in classes.tolist() if kind in "OU" else ():
        if isinstance(label, str):
            try:
                label.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    f"cannot save the class label {label!r}: it is not valid Unicode text (a "
                    "lone surrogate), so no file or output could hold it; fix the labels"
                ) from None
    if kind == "O":
        values = classes.tolist()
        if all(isinstance(v, str) for v in values):
            return {"dtype": "str", "values": values}
        if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
            return {"dtype": "int64", "values": [int(v) for v in values]}
    elif kind == "U":
        return {"dtype": "str", "values": classes.tolist()}
    elif classes.dtype.name in LABEL_DTYPES:
        if kind == "f" and not np.isfinite(classes).all():
            raise ValueError(f"cannot save class labels that are not finite: {classes}")
        return {"dtype": classes.dtype.name, "values": classes.tolist()}
    raise ValueError(
        f"cannot save class labels of dtype {classes.dtype}: a model file keeps labels that "
        "are strings, integers, floats or booleans; encode the labels as one of those"
    )


# ====================================================================== loading


def _failer(name: str) -> Fail:
    """A function making the ModelFileError '<name>: <problem>'."""
    return lambda problem: ModelFileError(f"{name}: {problem}")


def _build(arrays: dict[str, np.ndarray], meta: dict[str, Any], fail: Fail):
    """Validate the metadata and the arrays completely, then build the model."""
    if isinstance(meta, dict) and meta.get("model_type") == pipelines.MODEL_TYPE:
        return pipelines.build(arrays, meta, fail, _build)
    _check_keys(
        meta,
        {"format_version", "model_type", "dtype", "networks"},
        {"mlplab_version", "estimator"},
        "the metadata",
        fail,
    )
    if not isinstance(meta.get("mlplab_version", ""), str):
        raise fail(f"mlplab_version must be a string, got {meta['mlplab_version']!r}")
    version = meta["format_version"]
    if not _is_int(version) or version < 1:
        raise fail(f"format_version must be a positive integer, got {version!r}")
    if version > MODEL_FORMAT_VERSION:
        raise fail(
            f"model format version {version} is newer than this mlplab reads (version "
            f"{MODEL_FORMAT_VERSION}); upgrade mlplab to load it"
        )
    model_type = meta["model_type"]
    model_types = ("Network", *ESTIMATOR_TYPES)
    if model_type not in model_types:
        raise fail(
            f"unknown model_type {model_type!r}; valid model types are {model_types} "
            "(mlplab.load knows the estimators; import mlplab.estimators before "
            "mlplab.persistence.load)"
        )
    dtype_name = meta["dtype"]
    if not isinstance(dtype_name, str) or dtype_name not in DTYPES:
        raise fail(f"dtype must be one of {list(DTYPES)}, got {dtype_name!r}")
    dtype = np.dtype(DTYPES[dtype_name])
    networks = _check_networks(meta["networks"], arrays, dtype, fail)

    if model_type == "Network":
        if "estimator" in meta:
            raise fail("a Network model file must not have an 'estimator' section")
        if len(networks) != 1:
            raise fail(f"a Network model file holds one network, this one has {len(networks)}")
        return _make_network(networks[0], arrays["theta_0"], dtype)

    if "estimator" not in meta:
        raise fail(f"a {model_type} model file needs an 'estimator' section")
    cls = ESTIMATOR_TYPES[model_type]
    used: list[int] = []
    spec = _parse_estimator(meta["estimator"], networks, cls, used, "estimator", fail)
    if sorted(used) != list(range(len(networks))):
        raise fail(
            f"the estimator uses networks {sorted(used)}, but the file holds "
            f"{len(networks)} networks; each must be used exactly once"
        )
    # Everything is validated: build.
    built = [
        _make_network(network, arrays[f"theta_{k}"], dtype) for k, network in enumerate(networks)
    ]
    return _make_estimator(spec, built, cls)


def _check_networks(
    entries, arrays: dict[str, np.ndarray], dtype: np.dtype, fail: Fail
) -> list[dict[str, Any]]:
    """Each network's architecture and its tensor theta_<k>: shapes, dtype, finiteness."""
    if not isinstance(entries, list) or not entries:
        raise fail("'networks' must be a non-empty list of network architectures")
    expected = {f"theta_{k}" for k in range(len(entries))}
    if set(arrays) != expected:
        missing = sorted(expected - set(arrays))
        extra = sorted(set(arrays) - expected)
        raise fail(
            f"the tensors do not match the {len(entries)} networks"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else "")
        )
    networks = []
    for k, entry in enumerate(entries):
        where = f"networks[{k}]"
        _check_keys(entry, {"layer_sizes", "activation", "output"}, set(), where, fail)
        sizes = entry["layer_sizes"]
        if not (
            isinstance(sizes, list)
            and len(sizes) >= 2
            and all(_is_int(size) and size >= 1 for size in sizes)
        ):
            raise fail(
                f"{where}.layer_sizes must be a list of at least two positive integers, "
                f"got {sizes!r}"
            )
        activation, output = entry["activation"], entry["output"]
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise fail(
                f"{where} has unknown activation {activation!r}; valid activations are "
                f"{', '.join(ACTIVATIONS)}"
            )
        if not isinstance(output, str) or output not in OUTPUTS:
            raise fail(
                f"{where} has unknown output {output!r}; valid outputs are {', '.join(OUTPUTS)}"
            )
        theta = arrays[f"theta_{k}"]
        if theta.dtype != dtype:
            raise fail(f"theta_{k} has dtype {theta.dtype}, but the model's dtype is {dtype}")
        n_params = ThetaLayout(sizes).size
        if theta.shape != (n_params,):
            raise fail(
                f"theta_{k} has shape {theta.shape}, but layer sizes {sizes} need "
                f"({n_params},): the weights do not fit the architecture"
            )
        if not np.isfinite(theta).all():
            raise fail(f"theta_{k} holds NaN or infinite weights")
        networks.append({"layer_sizes": sizes, "activation": activation, "output": output})
    return networks


def _make_network(entry: dict[str, Any], theta: np.ndarray, dtype: np.dtype) -> Network:
    """A Network of a validated architecture with θ copied in."""
    network = Network(
        entry["layer_sizes"],
        activation=entry["activation"],
        output=entry["output"],
        initializer="zeros",
        dtype=dtype,
    )
    network.theta = theta
    return network


def _parse_estimator(
    spec, networks: list[dict], cls: type, used: list[int], where: str, fail: Fail
) -> dict[str, Any]:
    """Validate one estimator section; return its content in a checked, plain form."""
    classifier = cls.is_classifier_state
    required = {"params", "dropped_params", "n_features_in", "feature_names", "training"}
    optional = {"network", "multiclass"}
    if classifier:
        required |= {"classes", "target_type"}
    _check_keys(spec, required, optional, where, fail)
    parsed: dict[str, Any] = {}
    parsed["params"] = _check_params(spec["params"], cls, f"{where}.params", fail)
    dropped = spec["dropped_params"]
    if not (
        isinstance(dropped, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in dropped.items())
    ):
        raise fail(f"{where}.dropped_params must map parameter names to notes")
    n_features = spec["n_features_in"]
    if not _is_int(n_features) or n_features < 1:
        raise fail(f"{where}.n_features_in must be a positive integer, got {n_features!r}")
    parsed["n_features_in_"] = n_features
    names = spec["feature_names"]
    if names is not None:
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise fail(f"{where}.feature_names must be null or a list of strings")
        if len(names) != n_features:
            raise fail(
                f"{where} has {len(names)} feature names for {n_features} features: "
                "they must be as many"
            )
        parsed["feature_names_in_"] = names
    if classifier:
        target_type = spec["target_type"]
        if target_type not in TARGET_TYPES:
            raise fail(f"{where}.target_type must be one of {TARGET_TYPES}, got {target_type!r}")
        parsed["target_type"] = target_type
        parsed["classes_"] = _decode_classes(spec["classes"], target_type, f"{where}.classes", fail)

    if "multiclass" in spec:
        if "network" in spec:
            raise fail(f"{where} has both 'network' and 'multiclass'; it can have one")
        if not classifier:
            raise fail(f"{where}: only a classifier can have a 'multiclass' section")
        parsed["multiclass"] = _parse_strategy(spec, parsed, networks, cls, used, where, fail)
        return parsed
    if "network" not in spec:
        raise fail(f"{where} needs 'network' (the index of its network) or 'multiclass'")
    index = spec["network"]
    if not _is_int(index) or not 0 <= index < len(networks) or index in used:
        raise fail(f"{where}.network must be the index of an unused network, got {index!r}")
    used.append(index)
    parsed["network"] = index
    network = networks[index]
    sizes = network["layer_sizes"]
    if sizes[0] != n_features:
        raise fail(
            f"{where} has {n_features} features but its network has {sizes[0]} inputs: "
            "inconsistent layer shapes"
        )
    if classifier:
        _check_classifier_network(parsed, network, where, fail)
    elif network["output"] != ("exp" if parsed["params"].get("loss") == "poisson" else "identity"):
        raise fail(
            f"{where}: a regressor's network must have the identity output (the exp output "
            "with loss='poisson')"
        )
    parsed["training"] = _check_training(
        spec["training"], cls.TRAINING_SUMMARY, f"{where}.training", fail
    )
    return parsed


def _check_classifier_network(parsed: dict, network: dict, where: str, fail: Fail) -> None:
    """Classes, target type and the output layer must agree."""
    n_outputs = network["layer_sizes"][-1]
    n_classes = len(parsed["classes_"])
    target_type = parsed["target_type"]
    if target_type == "binary":
        expected_outputs, outputs = 1, ("sigmoid",)
    elif target_type == "multiclass":
        expected_outputs, outputs = n_classes, ("softmax", "sigmoid")
    else:
        expected_outputs, outputs = n_classes, ("sigmoid",)
    if n_outputs != expected_outputs:
        raise fail(
            f"{where}: {n_classes} classes ({target_type}) need {expected_outputs} output "
            f"units, but the network has {n_outputs}: inconsistent layer shapes"
        )
    if network["output"] not in outputs:
        raise fail(
            f"{where}: a {target_type} classifier needs the output {' or '.join(outputs)}, "
            f"the network has {network['output']!r}"
        )


def _parse_strategy(spec, parsed, networks, cls, used, where, fail) -> dict[str, Any]:
    """The one-vs-rest / one-vs-one section: K or K(K−1)/2 binary 0/1 sub-estimators."""
    section = spec["multiclass"]
    _check_keys(section, {"strategy", "estimators"}, set(), f"{where}.multiclass", fail)
    strategy = section["strategy"]
    if strategy not in ("ovr", "ovo"):
        raise fail(f"{where}.multiclass.strategy must be 'ovr' or 'ovo', got {strategy!r}")
    # The parameter decides which methods exist (no predict_proba for "ovo"), so it must
    # name the structure the file holds.
    declared = parsed["params"].get("multiclass", "native")
    if declared != strategy:
        raise fail(
            f"{where}.params.multiclass is {declared!r}, but the model is built "
            f"multiclass={strategy!r}; they must agree"
        )
    target_type = parsed["target_type"]
    n_classes = len(parsed["classes_"])
    if target_type == "binary" or (strategy == "ovo" and target_type != "multiclass"):
        raise fail(f"{where}: multiclass={strategy!r} cannot have target type {target_type!r}")
    expected = n_classes if strategy == "ovr" else n_classes * (n_classes - 1) // 2
    subs = section["estimators"]
    if not isinstance(subs, list) or len(subs) != expected:
        raise fail(
            f"{where}: multiclass={strategy!r} with {n_classes} classes needs {expected} "
            f"binary estimators, got {len(subs) if isinstance(subs, list) else subs!r}"
        )
    training = spec["training"]
    _check_keys(training, {"n_iter_"}, set(), f"{where}.training", fail)
    if not _is_int(training["n_iter_"]) or training["n_iter_"] < 0:
        raise fail(f"{where}.training.n_iter_ must be an integer >= 0")
    parsed["training"] = {"n_iter_": training["n_iter_"]}
    parsed_subs = []
    for k, sub in enumerate(subs):
        sub_where = f"{where}.multiclass.estimators[{k}]"
        if isinstance(sub, dict) and "multiclass" in sub:
            raise fail(f"{sub_where} must be a binary estimator, not another multiclass one")
        child = _parse_estimator(sub, networks, cls, used, sub_where, fail)
        if (
            child["target_type"] != "binary"
            or child["params"].get("multiclass", "native") != "native"
            or child["classes_"].tolist() != [0, 1]
            or child["n_features_in_"] != parsed["n_features_in_"]
            or "feature_names_in_" in child
        ):
            raise fail(
                f"{sub_where} must be a binary 0/1 classifier (multiclass='native') on the same "
                f"{parsed['n_features_in_']} features"
            )
        parsed_subs.append(child)
    return {"strategy": strategy, "estimators": parsed_subs}


def _check_params(params, cls: type, where: str, fail: Fail) -> dict[str, Any]:
    """The saved parameters, as values to set: known names only, validated by the estimator."""
    if not isinstance(params, dict):
        raise fail(f"{where} must be a JSON object")
    known = cls().get_params(deep=False)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise fail(f"{where} has parameters {unknown} that {cls.__name__} does not have")
    values = {}
    for name, value in params.items():
        if name in PATH_PARAMS:
            continue  # a file may not choose where mlplab writes: left at the default
        if isinstance(value, list):
            if not all(_is_int(v) for v in value):
                raise fail(f"{where}.{name} must be a list of integers, got {value!r}")
            value = tuple(value) if name == "hidden_layer_sizes" else list(value)
        elif name == "dtype" and value is not None:
            # isinstance first: a JSON object is unhashable, and `in` would raise TypeError
            if not isinstance(value, str) or value not in DTYPES:
                raise fail(f"{where}.dtype must be one of {list(DTYPES)}, got {value!r}")
            value = DTYPES[value]
        elif not (value is None or isinstance(value, (bool, int, float, str))):
            raise fail(f"{where}.{name} has a value of unexpected type: {value!r}")
        values[name] = value
    try:
        cls(**values).check_params()
    except (TypeError, ValueError) as error:
        raise fail(f"{where} are not valid {cls.__name__} parameters: {error}") from None
    return values


def _check_training(training, summary: dict, where: str, fail: Fail) -> dict[str, Any]:
    """The training summary of a one-network estimator, type by type."""
    _check_keys(training, {*summary, "history"}, set(), where, fail)
    checked: dict[str, Any] = {}
    for name, kind in summary.items():
        value = training[name]
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        if value is None and optional:
            checked[name] = None
            continue
        if kind == "int":
            ok = _is_int(value) and value >= 0
        elif kind == "float":
            ok = _is_number(value)
            value = float(value) if ok else value
        elif kind == "floats":
            ok = isinstance(value, list) and all(_is_number(v) for v in value)
            value = [float(v) for v in value] if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise fail(f"{where}.{name} has a value of the wrong type: {value!r}")
        checked[name] = value
    history = training["history"]
    _check_keys(history, {"columns", "rows"}, set(), f"{where}.history", fail)
    columns, rows = history["columns"], history["rows"]
    if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)):
        raise fail(f"{where}.history.columns must be a list of strings")
    if not (
        isinstance(rows, list)
        and all(
            isinstance(row, dict) and all(k in columns and _is_number(v) for k, v in row.items())
            for row in rows
        )
    ):
        raise fail(f"{where}.history.rows must be objects mapping its columns to numbers")
    checked["history"] = {"columns": columns, "rows": rows}
    return checked


def _decode_classes(entry, target_type: str, where: str, fail: Fail) -> np.ndarray:
    """Class labels from {"dtype", "values"}, checked: typed, unique, sorted."""
    _check_keys(entry, {"dtype", "values"}, set(), where, fail)
    dtype, values = entry["dtype"], entry["values"]
    if dtype not in LABEL_DTYPES:
        raise fail(f"{where}.dtype must be one of {', '.join(LABEL_DTYPES)}, got {dtype!r}")
    if not isinstance(values, list) or not values:
        raise fail(f"{where}.values must be a non-empty list")
    if dtype == "str":
        ok = all(isinstance(v, str) for v in values)
    elif dtype == "bool":
        ok = all(isinstance(v, bool) for v in values)
    elif dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        ok = all(_is_int(v) and info.min <= v <= info.max for v in values)
    else:
        ok = all(_is_number(v) and math.isfinite(v) for v in values)
    if not ok:
        raise fail(f"{where}.values do not all fit the dtype {dtype!r}")
    classes = np.array(values, dtype=str if dtype == "str" else dtype)
    if len(np.unique(classes)) != len(classes) or not np.array_equal(np.sort(classes), classes):
        raise fail(f"{where}.values must be sorted and distinct")
    n_classes = len(classes)
    if target_type == "binary" and n_classes > 2:
        raise fail(f"{where}: a binary classifier has 1 or 2 classes, not {n_classes}")
    if target_type == "multiclass" and n_classes < 3:
        raise fail(f"{where}: a multiclass classifier has at least 3 classes, not {n_classes}")
    if target_type == "multilabel-indicator":
        if n_classes < 2 or classes.tolist() != list(range(n_classes)):
            raise fail(f"{where}: the labels of a multi-label classifier are 0, 1, ..., K-1")
    else:
        from sklearn.utils.multiclass import type_of_target

        # What scikit-learn's LabelBinarizer will make of these labels when it is rebuilt
        # (e.g. the floats 0.5 and 1.5 are "continuous", which no classifier was fit on).
        found = type_of_target(classes)
        if found != target_type:
            raise fail(f"{where}: labels {classes.tolist()} are {found!r}, not {target_type!r}")
    return classes


def _check_keys(mapping, required: set, optional: set, where: str, fail: Fail) -> None:
    """``mapping`` is a JSON object with all ``required`` keys and no others but ``optional``."""
    if not isinstance(mapping, dict):
        raise fail(f"{where} must be a JSON object, got {type(mapping).__name__}")
    missing = sorted(required - set(mapping))
    if missing:
        raise fail(f"{where} is missing {', '.join(missing)}")
    unknown = sorted(set(mapping) - required - optional)
    if unknown:
        raise fail(f"{where} has unknown entries {', '.join(unknown)}")


def _is_int(value) -> bool:
    """A JSON integer (bool excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    """A JSON number (bool excluded); NaN and infinities included."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ====================================================================== building estimators
def _make_estimator(parsed: dict[str, Any], networks: list[Network], cls: type):
    """A fitted estimator from a validated section and the built networks (``from_state``)."""
    state: dict[str, Any] = {
        "params": parsed["params"],
        "n_features_in": parsed["n_features_in_"],
        "feature_names": parsed.get("feature_names_in_"),
    }
    if cls.is_classifier_state:
        state["classes"] = parsed["classes_"]
        state["target_type"] = parsed["target_type"]
    if "multiclass" in parsed:
        section = parsed["multiclass"]
        state["multiclass"] = {
            "strategy": section["strategy"],
            "estimators": [
                _estimator_state(child, networks, cls) for child in section["estimators"]
            ],
        }
        state["training"] = parsed["training"]
        return cls.from_state(state)
    return cls.from_state(_estimator_state(parsed, networks, cls))


def _estimator_state(parsed: dict[str, Any], networks: list[Network], cls: type) -> dict:
    """The ``get_state`` dict of a validated one-network section."""
    training = dict(parsed["training"])
    state: dict[str, Any] = {
        "params": parsed["params"],
        "n_features_in": parsed["n_features_in_"],
        "feature_names": parsed.get("feature_names_in_"),
        "network": networks[parsed["network"]],
        "history": History.from_state(training.pop("history")),
        "training": training,
    }
    if cls.is_classifier_state:
        state["classes"] = parsed["classes_"]
        state["target_type"] = parsed["target_type"]
    return state
