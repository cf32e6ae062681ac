"""Reading a model file: validate the metadata and the arrays completely, then build.

Nothing is built before everything is checked; every problem is a
:class:`~mlplab.fileformat.ModelFileError` naming the file and the entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import ACTIVATIONS
from ..layout import ThetaLayout
from ..losses import OUTPUTS
from ..network import Network
from ..training.history import History
from .records import check_data_record
from .schema import (
    DTYPES,
    ESTIMATOR_TYPES,
    MODEL_FORMAT_VERSION,
    TARGET_TYPES,
    Fail,
    check_keys,
    check_params,
    decode_classes,
    is_int,
    is_number,
)


def build(arrays: dict[str, np.ndarray], meta: dict[str, Any], fail: Fail):
    """Validate the metadata and the arrays completely, then build the model."""
    check_keys(
        meta,
        {"format_version", "model_type", "dtype", "networks"},
        {"mlplab_version", "estimator", "data"},
        "the metadata",
        fail,
    )
    if not isinstance(meta.get("mlplab_version", ""), str):
        raise fail(f"mlplab_version must be a string, got {meta['mlplab_version']!r}")
    version = meta["format_version"]
    if not is_int(version) or version < 1:
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
        if "data" in meta:
            check_data_record(meta["data"], networks[0]["layer_sizes"][0], None, fail)
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
    if "data" in meta:
        fitted = spec.get("feature_names_in_")
        check_data_record(meta["data"], spec["n_features_in_"], fitted, fail)
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
        check_keys(entry, {"layer_sizes", "activation", "output"}, set(), where, fail)
        sizes = entry["layer_sizes"]
        if not (
            isinstance(sizes, list)
            and len(sizes) >= 2
            and all(is_int(size) and size >= 1 for size in sizes)
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
    check_keys(spec, required, optional, where, fail)
    parsed: dict[str, Any] = {}
    parsed["params"] = check_params(spec["params"], cls, f"{where}.params", fail)
    dropped = spec["dropped_params"]
    if not (
        isinstance(dropped, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in dropped.items())
    ):
        raise fail(f"{where}.dropped_params must map parameter names to notes")
    n_features = spec["n_features_in"]
    if not is_int(n_features) or n_features < 1:
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
        parsed["classes_"] = decode_classes(spec["classes"], target_type, f"{where}.classes", fail)

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
    if not is_int(index) or not 0 <= index < len(networks) or index in used:
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
    check_keys(section, {"strategy", "estimators"}, set(), f"{where}.multiclass", fail)
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
    check_keys(training, {"n_iter_"}, set(), f"{where}.training", fail)
    if not is_int(training["n_iter_"]) or training["n_iter_"] < 0:
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


def _check_training(training, summary: dict, where: str, fail: Fail) -> dict[str, Any]:
    """The training summary of a one-network estimator, type by type."""
    check_keys(training, {*summary, "history"}, set(), where, fail)
    checked: dict[str, Any] = {}
    for name, kind in summary.items():
        value = training[name]
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        if value is None and optional:
            checked[name] = None
            continue
        if kind == "int":
            ok = is_int(value) and value >= 0
        elif kind == "float":
            ok = is_number(value)
            value = float(value) if ok else value
        elif kind == "floats":
            ok = isinstance(value, list) and all(is_number(v) for v in value)
            value = [float(v) for v in value] if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise fail(f"{where}.{name} has a value of the wrong type: {value!r}")
        checked[name] = value
    history = training["history"]
    check_keys(history, {"columns", "rows"}, set(), f"{where}.history", fail)
    columns, rows = history["columns"], history["rows"]
    if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)):
        raise fail(f"{where}.history.columns must be a list of strings")
    if not (
        isinstance(rows, list)
        and all(
            isinstance(row, dict) and all(k in columns and is_number(v) for k, v in row.items())
            for row in rows
        )
    ):
        raise fail(f"{where}.history.rows must be objects mapping its columns to numbers")
    checked["history"] = {"columns": columns, "rows": rows}
    return checked


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
