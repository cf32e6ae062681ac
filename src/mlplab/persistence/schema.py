"""The metadata schema of a model file: its constants and the codecs of its values.

The names a model file may hold (dtypes, label dtypes, target types), the estimator classes
it can hold (:func:`register_estimator`), and the checked conversion of parameters and
class labels to JSON and back. :mod:`.writing` and :mod:`.reading` build on these.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..fileformat import ModelFileError

KIND = "model"
#: Version of the metadata layout (2 added the optional "data" section); a file with a
#: larger number needs a newer mlplab.
MODEL_FORMAT_VERSION = 2
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


def registered_estimator(model, what: str) -> type:
    """The registered class of estimator ``model``; TypeError naming ``what`` refuses it.

    Only the exact registered classes are accepted (a subclass may hold state a file
    cannot describe).
    """
    cls = ESTIMATOR_TYPES.get(type(model).__name__)
    if cls is None or type(model) is not cls:
        names = ", ".join(["mlplab.Network", *ESTIMATOR_TYPES])
        raise TypeError(
            f"{what} takes an {names}, got {type(model).__module__}.{type(model).__qualname__}"
        )
    return cls


def failer(name: str) -> Fail:
    """A function making the ModelFileError '<name>: <problem>'."""
    return lambda problem: ModelFileError(f"{name}: {problem}")


def check_keys(mapping, required: set, optional: set, where: str, fail: Fail) -> None:
    """``mapping`` is a JSON object with all ``required`` keys and no others but ``optional``."""
    if not isinstance(mapping, dict):
        raise fail(f"{where} must be a JSON object, got {type(mapping).__name__}")
    missing = sorted(required - set(mapping))
    if missing:
        raise fail(f"{where} is missing {', '.join(missing)}")
    unknown = sorted(set(mapping) - required - optional)
    if unknown:
        raise fail(f"{where} has unknown entries {', '.join(unknown)}")


def is_int(value) -> bool:
    """A JSON integer (bool excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A JSON number (bool excluded); NaN and infinities included."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ====================================================================== parameters
def json_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
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


def check_params(params, cls: type, where: str, fail: Fail) -> dict[str, Any]:
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
            if not all(is_int(v) for v in value):
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


# ====================================================================== class labels
def encode_classes(classes) -> dict[str, Any]:
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


def decode_classes(entry, target_type: str, where: str, fail: Fail) -> np.ndarray:
    """Class labels from {"dtype", "values"}, checked: typed, unique, sorted."""
    check_keys(entry, {"dtype", "values"}, set(), where, fail)
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
        ok = all(is_int(v) and info.min <= v <= info.max for v in values)
    else:
        ok = all(is_number(v) and math.isfinite(v) for v in values)
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
