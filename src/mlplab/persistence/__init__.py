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
  ``loss_curve_``, the history's columns, ...);
- optionally, the record of the training data (``save(..., data=...)``, see
  :mod:`.records`): the feature columns' names in order, the target column's name and a
  fingerprint of the data, so that a model copied anywhere still takes CSV columns by
  name (:func:`read_data_record`).

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

import os
from typing import Any

from .. import fileformat, pipelines
from ..fileformat import ModelFileError
from .records import DATA_KEYS
from .schema import ESTIMATOR_TYPES, KIND, failer, register_estimator, registered_estimator

# reading and writing load on first use (records, light, gives its key names): the
# estimators import this package to register themselves, and a fit in a fresh process
# should not pay for the model files.

__all__ = [
    "DATA_KEYS",
    "ESTIMATOR_TYPES",
    "ModelFileError",
    "dumps",
    "load",
    "loads",
    "read_data_record",
    "read_metadata",
    "register_estimator",
    "registered_estimator",
    "save",
]


def save(model, path: str | os.PathLike, *, data: dict | None = None) -> None:
    """Write ``model`` to ``path`` as a safetensors model file, atomically.

    Parameters
    ----------
    model : Network, MLPClassifier, MLPRegressor or Pipeline
        A network, a fitted estimator (any multiclass strategy), or a fitted scikit-learn
        ``Pipeline`` of scalers and imputers before an estimator (:mod:`mlplab.pipelines`).
    path : str or path-like
        Conventionally ``*.safetensors``. An existing file is replaced only once the new
        one is completely written; if writing fails it is left untouched.
    data : dict, optional
        What the model was trained on, each entry optional: ``"feature_names"`` (the
        feature columns' names, in the model's order: distinct, as many as its features,
        equal to ``feature_names_in_`` when it has them), ``"target"`` (the target
        column's name), ``"fingerprint"`` (a flat dict of strings and integers
        identifying the data). Read back by :func:`read_data_record`.

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
    fileformat.atomic_write_bytes(path, dumps(model, data=data))


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
    return _build(arrays, metadata, failer(path))


def dumps(model, *, data: dict | None = None) -> bytes:
    """The bytes :func:`save` would write for ``model``."""
    from .writing import describe_model

    if pipelines.is_pipeline(model):  # scalers and imputers before an estimator
        tensors, metadata = pipelines.describe(model, lambda final: describe_model(final, data))
    else:
        tensors, metadata = describe_model(model, data)
    return fileformat.pack(tensors, metadata, kind=KIND)


def loads(data: bytes, *, name: str = "<bytes>"):
    """Rebuild a model from the bytes of a model file (``name`` is used in error messages)."""
    arrays, metadata = fileformat.unpack(bytes(data), kind=KIND, name=name)
    return _build(arrays, metadata, failer(name))


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata of a model file (checksum verified), without building the model."""
    _, metadata = fileformat.read(path, kind=KIND)
    return metadata


def read_data_record(path: str | os.PathLike) -> dict[str, Any]:
    """The record of the training data in a model file (checksum and record verified).

    Returns
    -------
    dict
        ``"feature_names"`` (list of str: the columns the model takes, in order; the
        estimator's ``feature_names_in_`` when the file has no other record),
        ``"target"`` (str) and ``"fingerprint"`` (dict); each None when the file does
        not know it.

    Raises
    ------
    ModelFileError
        As :func:`load`.

    Examples
    --------
    Take a table's columns by name, in the model's order, wherever they are::

        model = mlplab.load("model.safetensors")
        names = mlplab.read_data_record("model.safetensors")["feature_names"]
        model.predict(frame[names].to_numpy())
    """
    path = os.fspath(path)
    arrays, metadata = fileformat.read(path, kind=KIND)
    _build(arrays, metadata, failer(path))  # the record is checked against the model
    from .records import data_record

    return data_record(metadata)


def _build(arrays: dict, metadata: dict[str, Any], fail):
    """The model of a file's arrays and metadata, a pipeline's steps included."""
    from .reading import build

    if isinstance(metadata, dict) and metadata.get("model_type") == pipelines.MODEL_TYPE:
        return pipelines.build(arrays, metadata, fail, build)
    return build(arrays, metadata, fail)
