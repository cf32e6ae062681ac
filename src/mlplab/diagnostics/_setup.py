"""From what the user passes (an estimator or a dict, X, y) to a network, a config and data.

The network and the data are what the estimator's ``fit`` would train: a clone of an mlplab
estimator (or one made of a dict's or a scikit-learn estimator's parameters) builds them
with its public :meth:`~mlplab.MLPClassifier.build_training`, so the checks look at the
same output layer, initial θ, label encoding and validation split as training does.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from sklearn.base import clone

from .._validation import check_fraction
from ..estimators import MLPClassifier, MLPRegressor
from ..metrics import class_labels
from ..network import Network, resolve_dtype
from ..training import TrainingConfig

__all__ = ["PARAM_DEFAULTS", "Setup", "check_inputs", "prepare", "resolve_params", "subsample"]

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
    """Everything the checks share: hyperparameters, task, the network, encoded split data.

    ``network`` is the network ``fit`` would train, as initialized (built by the
    estimator's :meth:`~mlplab.MLPClassifier.build_training`). ``Y_*`` are its targets:
    one-hot rows (multiclass), one 0/1 column (binary), the indicator matrix (multilabel)
    or the regression targets, each of shape (m, n_out). ``labels_train`` are the class
    indices of the training targets (None for regression and multi-label targets).
    """

    params: dict[str, Any]
    config: TrainingConfig
    task: str
    network: Network
    classes: np.ndarray | None
    X_train: np.ndarray
    Y_train: np.ndarray
    labels_train: np.ndarray | None
    X_val: np.ndarray
    Y_val: np.ndarray
    split_here: bool

    @property
    def n_outputs(self) -> int:
        """Units in the output layer."""
        return self.Y_train.shape[1]


def check_inputs(X, y, validation_data, validation_fraction):
    """X, y (and the validation pair) as arrays, or a ValueError naming what is wrong."""
    X = _as_matrix(X, "X")
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows, got {X.shape[0]} and "
            f"{y.shape[0] if y.ndim else 'a scalar'}"
        )
    if validation_data is None:
        check_fraction("validation_fraction", validation_fraction)
        return X, y, None
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError("validation_data must be a pair (X_val, y_val)") from None
    return X, y, (_as_matrix(X_val, "X_val"), np.asarray(y_val))


def prepare(
    estimator_or_config,
    params: dict[str, Any],
    hint: str | None,
    X: np.ndarray,
    y: np.ndarray,
    *,
    validation_data,
    validation_fraction: float,
    rng: np.random.Generator,
) -> Setup:
    """The estimator's network and data for (X, y): what ``fit`` would train, split.

    Arguments as returned by :func:`resolve_params` and :func:`check_inputs`. Unless
    ``validation_data`` is given, ``validation_fraction`` of (X, y) is held out by the
    estimator's own split.
    """
    estimator = _as_estimator(estimator_or_config, params, hint, y)
    if estimator.random_state is None:
        estimator.set_params(random_state=rng)
    training = estimator.build_training(
        X,
        y,
        validation_data=validation_data,
        validation_fraction=validation_fraction if validation_data is None else None,
    )
    X_val, Y_val = training.validation
    classes = getattr(estimator, "classes_", None)
    return Setup(
        params=params,
        config=training.config,
        task=training.task,
        network=training.network,
        classes=None if training.task == "multilabel" else classes,
        X_train=training.X,
        Y_train=training.Y,
        labels_train=class_labels(training.task, training.Y),
        X_val=X_val,
        Y_val=Y_val,
        split_here=validation_data is None,
    )


def _as_estimator(estimator_or_config, params: dict[str, Any], hint: str | None, y):
    """An unfitted mlplab estimator: a clone of the user's, or one made of ``params``."""
    if isinstance(estimator_or_config, (MLPClassifier, MLPRegressor)):
        estimator = clone(estimator_or_config).set_params(
            verbose=False, warm_start=False, callbacks=None, checkpoint_dir=None
        )
        if isinstance(estimator, MLPClassifier):
            estimator.set_params(multiclass="native")
        else:
            _check_regression_targets(y)
        return estimator
    # The checks' own validation of a plain configuration, with its error messages.
    TrainingConfig(**{f.name: params[f.name] for f in fields(TrainingConfig)})
    shared = {name: params[name] for name in PARAM_DEFAULTS if name != "output"}
    if _is_regression(y, hint):
        return MLPRegressor(**shared)
    return MLPClassifier(**shared, output=params["output"] or "softmax")


def _is_regression(y: np.ndarray, hint: str | None) -> bool:
    """Regression for a regressor, or for float targets that do not look like class labels."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    continuous = y.dtype.kind in "fc" and (
        not np.isfinite(y).all()
        or not np.all(np.mod(y, 1) == 0)
        or np.unique(y).size > MAX_FLOAT_CLASSES
    )
    if hint == "regression" or (hint is None and continuous):
        _check_regression_targets(y)
        return True
    if y.ndim == 1:
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(
                f"y has a single class {classes.tolist()}; a classifier needs two or more"
            )
    return False


def _check_regression_targets(y: np.ndarray) -> None:
    if y.dtype.kind not in "biuf":
        raise ValueError(f"regression targets must be numbers, got dtype {y.dtype}")


def _as_matrix(X, name: str) -> np.ndarray:
    """X as a 2-D float array (float32 stays float32) with at least one row, or a ValueError."""
    try:
        X = np.asarray(X)
        X = X if X.dtype == np.float32 else X.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers; encode text features first") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must have shape (m, n) with m, n >= 1, got {X.shape}")
    return X


def subsample(m: int, limit: int, rng: np.random.Generator) -> np.ndarray:
    """At most ``limit`` row indices out of m, in random order (all of them when m <= limit)."""
    order = rng.permutation(m)
    return np.sort(order[:limit]) if m > limit else np.arange(m)
