"""Writing a model file: a network or a fitted estimator as (tensors, JSON metadata).

The estimator's public state (``get_state()``) is turned into the metadata described in
:mod:`mlplab.persistence`, checked on the way so that every file written can be loaded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._version import __version__
from ..network import Network
from .records import DATA_KEYS, check_data_record
from .schema import (
    MODEL_FORMAT_VERSION,
    Fail,
    check_params,
    encode_classes,
    json_params,
    registered_estimator,
)


def describe_model(model, data=None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(tensors, metadata) of a network or a fitted estimator, with the ``data`` record."""
    tensors: dict[str, np.ndarray] = {}
    networks: list[dict[str, Any]] = []
    if isinstance(model, Network):
        _add_network(model, tensors, networks)
        metadata = _header("Network", model.dtype, networks)
        _add_data_record(metadata, data, model.layer_sizes[0], None, type(model))
        return tensors, metadata
    cls = registered_estimator(model, "save()")
    state = model.get_state()  # NotFittedError before fit
    estimator = _describe_estimator(state, cls, tensors, networks)
    dtypes = {network["dtype"] for network in networks}
    if len(dtypes) != 1:
        raise ValueError(f"the networks of this model have different dtypes {sorted(dtypes)}")
    metadata = _header(type(model).__name__, np.dtype(dtypes.pop()), networks)
    metadata["estimator"] = estimator
    _add_data_record(metadata, data, estimator["n_features_in"], estimator["feature_names"], cls)
    return tensors, metadata


def _add_data_record(metadata: dict, data, n_features: int, fitted_names, cls: type) -> None:
    """The "data" section (:mod:`.records`) from ``save``'s ``data``, checked as load will."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise TypeError(f"data must be a dict with entries {DATA_KEYS}, got {type(data).__name__}")
    entry = dict(data)
    names = entry.get("feature_names")
    if names is not None and not isinstance(names, str):
        names = list(names)
        entry["feature_names"] = [str(n) if isinstance(n, str) else n for n in names]
    fingerprint = entry.get("fingerprint")
    if isinstance(fingerprint, dict):
        entry["fingerprint"] = {
            k: int(v) if isinstance(v, np.integer) else v for k, v in fingerprint.items()
        }
    record = check_data_record(entry, int(n_features), fitted_names, _save_failer(cls))
    metadata["data"] = {key: value for key, value in record.items() if value is not None}


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
    params, dropped = json_params(state["params"])
    # A parameter set to an invalid value after fit would make a file that load refuses.
    check_params(params, cls, "its parameters", _save_failer(cls))
    spec: dict[str, Any] = {
        "params": params,
        "dropped_params": dropped,
        "n_features_in": int(state["n_features_in"]),
        "feature_names": state["feature_names"],
    }
    if cls.is_classifier_state:
        spec["classes"] = encode_classes(state["classes"])
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
