"""Small fitted models and file-crafting helpers shared by the persistence tests."""

from __future__ import annotations

import copy
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import mlplab.fileformat as fileformat
from mlplab import MLPClassifier, MLPRegressor, Network
from mlplab.persistence import dumps


def data(n: int = 60, n_features: int = 3, seed: int = 0) -> np.ndarray:
    """Seeded standard-normal inputs of shape (n, n_features)."""
    return np.random.default_rng(seed).normal(size=(n, n_features))


def fit(model, X, y):
    """``model.fit(X, y)`` for a few epochs, expecting scikit-learn's ConvergenceWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    unexpected = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    assert not unexpected, [str(w.message) for w in unexpected]
    return model


def classifier(y, X=None, **params):
    """A small MLPClassifier fitted on (X, y) for 5 epochs."""
    X = data(len(y)) if X is None else X
    settings = {"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0, **params}
    return fit(MLPClassifier(**settings), X, y)


def regressor(y, X=None, **params):
    """A small MLPRegressor fitted on (X, y) for 5 epochs."""
    X = data(len(y)) if X is None else X
    settings = {"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0, **params}
    return fit(MLPRegressor(**settings), X, y)


def tiny_network() -> Network:
    """A 2-2-1 network: the smallest file worth damaging byte by byte."""
    return Network([2, 2, 1], activation="tanh", output="sigmoid", random_state=0)


def tiny_classifier() -> MLPClassifier:
    """A 2-2-1 classifier trained for 2 epochs: a small file with every metadata section."""
    X = data(8, 2)
    return fit(MLPClassifier(hidden_layer_sizes=(2,), max_iter=2, random_state=0), X, [0, 1] * 4)


def parts(model) -> tuple[dict, dict]:
    """(arrays, metadata) of a model's file, decoded by the container layer."""
    return fileformat.unpack(dumps(model), kind="model")


def repack(model, edit) -> bytes:
    """A model file whose arrays and metadata ``edit(arrays, metadata)`` changed in place.

    The file is packed by :func:`mlplab.fileformat.pack`, so its checksum is valid: only
    the model-level validation can refuse it.
    """
    arrays, metadata = parts(model)
    arrays, metadata = dict(arrays), copy.deepcopy(metadata)
    edit(arrays, metadata)
    return fileformat.pack(arrays, metadata, kind="model")
