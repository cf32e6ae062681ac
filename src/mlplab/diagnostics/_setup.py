"""From what the user passes (an estimator or a dict, X, y) to a network, a config and data.

The checks build on :class:`~mlplab.network.Network`, :class:`~mlplab.training.Trainer` and
:class:`~mlplab.training.TrainingConfig` directly, reading only the hyperparameters of an
estimator (``get_params()``), never its internals.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..network import Network, resolve_dtype
from ..training import TrainingConfig

__all__ = ["PARAM_DEFAULTS", "Setup", "prepare", "resolve_params", "subsample"]

#: The hyperparameters read, with scikit-learn's MLP defaults and mlplab's extras.
#: ``initializer=None`` (or "auto") means "glorot" (scikit-learn's), or "uniform" when
#: ``init_epsilon`` is given; ``output=None`` (or "auto") means softmax for several classes,
#: one sigmoid unit for two, identity for regression.
PARAM_DEFAULTS: dict[str, Any] = {
    "hidden_layer_sizes": (100,),
    "activation": "relu",
    **{f.name: f.default for f in fields(TrainingConfig)},
    "random_state": None,
    "output": None,
    "initializer": None,
    "init_epsilon": None,
    "dtype": np.float64,
}

#: scikit-learn parameters that do not change what the checks measure.
IGNORED_PARAMS = frozenset({"verbose", "warm_start", "early_stopping", "validation_fraction"})

#: Float targets are class labels when every value is an integer and there are at most
#: this many of them (0./1. from a CSV); otherwise they are regression targets.
MAX_FLOAT_CLASSES = 20


def resolve_params(estimator_or_config) -> tuple[dict[str, Any], str | None]:
    """Hyperparameters with defaults filled in, and "classification"/"regression"/None.

    An object with ``get_params()`` may carry parameters the checks do not use (they are
    ignored); a plain dict must use the names of :data:`PARAM_DEFAULTS`.
    """
    hint = None
    if callable(getattr(estimator_or_config, "get_params", None)):
        given = dict(estimator_or_config.get_params())
        name = type(estimator_or_config).__name__
        if "Regressor" in name:
            hint = "regression"
        elif "Classifier" in name:
            hint = "classification"
        given = {key: value for key, value in given.items() if key in PARAM_DEFAULTS}
    elif isinstance(estimator_or_config, Mapping):
        given = dict(estimator_or_config)
        unknown = sorted(set(given) - set(PARAM_DEFAULTS) - IGNORED_PARAMS)
        if unknown:
            valid = ", ".join(sorted(PARAM_DEFAULTS))
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; valid names are {valid}")
    else:
        raise TypeError(
            "estimator_or_config must be an estimator with get_params() or a dict of its "
            f"parameters, got {type(estimator_or_config).__name__}"
        )
    params = {key: given.get(key, default) for key, default in PARAM_DEFAULTS.items()}
    params["activation"] = {"logistic": "sigmoid"}.get(params["activation"], params["activation"])
    hidden = params["hidden_layer_sizes"]
    params["hidden_layer_sizes"] = (
        (hidden,) if isinstance(hidden, numbers.Integral) else tuple(hidden)
    )
    params["dtype"] = resolve_dtype(params["dtype"])
    for name in ("output", "initializer"):
        if params[name] == "auto":
            params[name] = None
    if params["initializer"] is None:
        params["initializer"] = "uniform" if params["init_epsilon"] is not None else "glorot"
    return params, hint


@dataclass
class Setup:
    """Everything the checks share: hyperparameters, task, encoded and split data.

    ``Y_*`` are the network's targets: one-hot rows (multiclass), one 0/1 column
    (binary) or the regression targets, each of shape (m, n_out). ``labels_*`` are the
    class indices (None for regression).
    """

    params: dict[str, Any]
    config: TrainingConfig
    task: str
    output: str
    classes: np.ndarray | None
    X_train: np.ndarray
    Y_train: np.ndarray
    labels_train: np.ndarray | None
    X_val: np.ndarray
    Y_val: np.ndarray
    labels_val: np.ndarray | None
    split_here: bool

    @property
    def n_outputs(self) -> int:
        """Units in the output layer."""
        return self.Y_train.shape[1]

    def make_network(self, random_state) -> Network:
        """A freshly initialized network of the configured architecture."""
        p = self.params
        sizes = [self.X_train.shape[1], *p["hidden_layer_sizes"], self.n_outputs]
        return Network(
            sizes,
            activation=p["activation"],
            output=self.output,
            initializer=p["initializer"],
            init_epsilon=p["init_epsilon"],
            random_state=random_state,
            dtype=p["dtype"],
        )


def prepare(
    params: dict[str, Any],
    hint: str | None,
    X,
    y,
    *,
    validation_data,
    validation_fraction: float,
    rng: np.random.Generator,
) -> Setup:
    """Validate the data, encode the targets and split off validation data if none is given."""
    config = TrainingConfig(**{f.name: params[f.name] for f in fields(TrainingConfig)})
    X = _as_matrix(X, "X")
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows, got {X.shape[0]} and {y.shape[0]}"
        )
    task, classes = _infer_task(y, hint, params["output"])
    default_output = {"multiclass": "softmax", "binary": "sigmoid", "regression": "identity"}
    output = params["output"] or default_output[task]
    encode = _encoder(task, classes)
    if validation_data is None:
        if not (isinstance(validation_fraction, numbers.Real) and 0 < validation_fraction < 1):
            raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
        labels = encode(y)[1]
        train, val = _split(X.shape[0], labels, validation_fraction, rng)
        X_train, y_train, X_val, y_val = X[train], y[train], X[val], y[val]
    else:
        try:
            X_val, y_val = validation_data
        except (TypeError, ValueError):
            raise ValueError("validation_data must be a pair (X_val, y_val)") from None
        X_val = _as_matrix(X_val, "X_val")
        y_val = np.asarray(y_val)
        if X_val.shape[1] != X.shape[1] or y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"validation_data must have {X.shape[1]} features and one target per row, "
                f"got X_val {X_val.shape} and y_val {y_val.shape}"
            )
        X_train, y_train = X, y
    Y_train, labels_train = encode(y_train)
    Y_val, labels_val = encode(y_val)
    return Setup(
        params=params,
        config=config,
        task=task,
        output=output,
        classes=classes,
        X_train=X_train,
        Y_train=Y_train,
        labels_train=labels_train,
        X_val=X_val,
        Y_val=Y_val,
        labels_val=labels_val,
        split_here=validation_data is None,
    )


def _as_matrix(X, name: str) -> np.ndarray:
    """X as a 2-D float64 array with at least one row, or a ValueError."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers; encode text features first") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must have shape (m, n) with m, n >= 1, got {X.shape}")
    return X


def _infer_task(y: np.ndarray, hint: str | None, output: str | None):
    """("multiclass" | "binary" | "regression", classes or None) from y and the hints."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    continuous = y.dtype.kind in "fc" and (
        not np.isfinite(y).all()
        or not np.all(np.mod(y, 1) == 0)
        or np.unique(y).size > MAX_FLOAT_CLASSES
    )
    if hint == "regression" or (hint is None and continuous):
        if y.dtype.kind not in "biuf":
            raise ValueError(f"regression targets must be numbers, got dtype {y.dtype}")
        return "regression", None
    if y.ndim != 1:
        raise ValueError(
            f"class labels y must be 1-D, got shape {y.shape}; for multi-label targets "
            "train with mlplab.Trainer(task='multilabel')"
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("class labels y must be finite")
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(f"y has a single class {classes.tolist()}; a classifier needs two or more")
    task = "binary" if classes.size == 2 and output in (None, "sigmoid") else "multiclass"
    return task, classes


def _encoder(task: str, classes):
    """A function y -> (Y, labels) for the task: targets of shape (m, n_out), class indices."""

    def encode(y):
        y = np.asarray(y)
        if task == "regression":
            Y = y.astype(np.float64).reshape(y.shape[0], -1)
            return Y, None
        y = y.ravel()
        labels = np.searchsorted(classes, y)
        labels = np.minimum(labels, classes.size - 1)
        unseen = classes[labels] != y
        if unseen.any():
            raise ValueError(
                f"labels {np.unique(y[unseen]).tolist()[:5]} do not occur in y; validation "
                "labels must be classes of the training data"
            )
        if task == "binary":
            return labels.astype(np.float64).reshape(-1, 1), labels
        return np.eye(classes.size)[labels], labels

    return encode


def _split(m: int, labels, fraction: float, rng: np.random.Generator):
    """Shuffled (train, validation) row indices; stratified by class when labels are given."""
    if labels is None:
        order = rng.permutation(m)
        n_val = math.ceil(fraction * m)
        val, train = order[:n_val], order[n_val:]
    else:
        train_parts, val_parts = [], []
        for label in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == label))
            n_val = round(fraction * members.size) if members.size > 1 else 0
            if members.size > 1:
                n_val = min(max(n_val, 1), members.size - 1)
            val_parts.append(members[:n_val])
            train_parts.append(members[n_val:])
        train = rng.permutation(np.concatenate(train_parts))
        val = rng.permutation(np.concatenate(val_parts))
    if train.size == 0 or val.size == 0:
        raise ValueError(
            f"{m} examples are too few to split off validation data; pass more examples "
            "or validation_data=(X_val, y_val)"
        )
    return train, val


def subsample(m: int, limit: int, rng: np.random.Generator) -> np.ndarray:
    """At most ``limit`` row indices out of m, in random order (all of them when m <= limit)."""
    order = rng.permutation(m)
    return np.sort(order[:limit]) if m > limit else np.arange(m)
