"""Estimators from command-line options, and the metrics the commands print.

Imported only by commands that train or score, never by ``--help``.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np

__all__ = [
    "arrays_in_training_order",
    "build_estimator",
    "class_metrics",
    "estimator_params",
    "is_classifier",
    "labels_as_classes",
    "load_estimator",
    "matched_by_name",
    "score_part",
]


def load_estimator(path):
    """A fitted MLPClassifier or MLPRegressor from a model file (not a bare Network)."""
    from ..persistence import load

    model = load(path)
    if not hasattr(model, "predict"):
        raise ValueError(
            f"{str(path)!r} holds a bare {type(model).__name__}, not a fitted MLPClassifier "
            "or MLPRegressor; save an estimator (mlplab train writes one)"
        )
    return model


def matched_by_name(model, dataset, source: str):
    """``dataset`` with its feature columns in the model's training order, matched by name.

    A model that knows its feature names (every model ``mlplab train`` saves) takes the
    columns of those names wherever they are in the file; a missing one is refused. A
    model without names takes the columns by position, which must then be as many.
    """
    import dataclasses

    names = getattr(model, "feature_names_in_", None)
    if names is None:
        if dataset.n_features != model.n_features_in_:
            raise ValueError(
                f"the model takes {model.n_features_in_} features, but {source!r} has "
                f"{dataset.n_features}; evaluate it on the kind of data it was trained on"
            )
        return dataset
    names = [str(name) for name in names]
    where = {name: j for j, name in enumerate(dataset.feature_names)}
    missing = [name for name in names if name not in where]
    if missing:
        raise ValueError(
            f"{source}: no column {', '.join(map(repr, missing))}; the model takes the "
            f"features {', '.join(map(repr, names))} (matched by name), but the data has "
            f"{', '.join(map(repr, dataset.feature_names))}"
        )
    order = [where[name] for name in names]
    return dataclasses.replace(
        dataset,
        X=dataset.X[:, order],
        feature_names=tuple(names),
        feature_units=tuple(dataset.feature_units[j] for j in order),
    )


def labels_as_classes(model, y: np.ndarray) -> np.ndarray:
    """``y`` as the model's class labels (its dtype); labels it does not know are refused.

    Labels are compared as values, never cast first: ``"cats"`` is not the class
    ``"cat"`` (a cast to the classes' string dtype would cut it to that), ``1.0`` is ``1``.
    """
    classes = model.classes_
    position = {label: k for k, label in enumerate(classes.tolist())}
    values = np.asarray(y, dtype=object).tolist()
    unknown = sorted({repr(v) for v in values if v not in position})
    if unknown:
        raise ValueError(
            f"the data has labels the model does not know: {', '.join(unknown[:5])}"
            f"{' ...' if len(unknown) > 5 else ''}; the model's classes are "
            f"{', '.join(repr(c) for c in classes.tolist())}"
        )
    return classes[[position[v] for v in values]]


@contextlib.contextmanager
def arrays_in_training_order():
    """Silence scikit-learn's "X does not have valid feature names" where it is moot.

    The commands match the columns by name themselves and pass plain arrays whose
    columns are in the model's training order.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="X does not have valid feature names", category=UserWarning
        )
        yield


def build_estimator(
    task: str,
    *,
    hidden: tuple[int, ...],
    activation: str,
    output: str,
    solver: str,
    initializer: str = "glorot",
    init_epsilon: float | None = None,
    learning_rate: float,
    alpha: float,
    epochs: int,
    batch_size,
    patience: int,
    early_stopping: bool,
    dtype: str,
    monitor: str = "val_loss",
    seed: int,
    verbose: bool = False,
    checkpoint_dir=None,
    checkpoint_every: int = 1,
):
    """An unfitted MLPClassifier (task "classification") or MLPRegressor with these settings.

    ``monitor`` is the command line's ``--monitor``: "val_loss", or the task's validation
    score ("val_accuracy", "val_r2").
    """
    from ..estimators import MLPClassifier, MLPRegressor

    params = {
        "hidden_layer_sizes": tuple(hidden),
        "activation": activation,
        "solver": solver,
        "initializer": initializer,
        "init_epsilon": None if init_epsilon is None else float(init_epsilon),
        "alpha": float(alpha),
        "batch_size": batch_size,
        "learning_rate_init": float(learning_rate),
        "max_iter": int(epochs),
        "n_iter_no_change": int(patience),
        "early_stopping": bool(early_stopping),
        "early_stopping_monitor": "loss" if monitor == "val_loss" else "score",
        "random_state": int(seed),
        "verbose": "progress" if verbose else False,  # the bar on stderr, stdout stays clean
        "dtype": np.dtype(dtype).type,
        "checkpoint_dir": None if checkpoint_dir is None else str(checkpoint_dir),
        "checkpoint_every": int(checkpoint_every),
    }
    if task == "classification":
        return MLPClassifier(output=output, **params)
    return MLPRegressor(**params)


def is_classifier(model) -> bool:
    """Whether a fitted model predicts classes (it has ``classes_``)."""
    return hasattr(model, "classes_")


def estimator_params(model) -> dict:
    """``get_params()`` as JSON values (dtypes by name, callbacks left out)."""
    from ..jsonvalues import to_json

    params = sorted(model.get_params().items())
    return {name: to_json(value) for name, value in params if name != "callbacks"}


def score_part(model, X: np.ndarray, y: np.ndarray) -> dict:
    """Accuracy and log loss (classifiers) or R² and mean squared error (regressors).

    The loss is the data loss of the final weights, without the λ term: for classifiers
    the cross-entropy of the predicted class probabilities, for regressors the mean of
    (h − y)² over examples and outputs (:mod:`mlplab.metrics`).
    """
    from .. import metrics

    result = {"n": int(X.shape[0])}
    if X.shape[0] == 0:
        return result
    if is_classifier(model):
        classes = model.classes_
        y = labels_as_classes(model, y)
        proba = model.predict_proba(X)
        one_hot = (y[:, None] == classes[None, :]).astype(np.float64)
        result["accuracy"] = metrics.accuracy("multiclass", proba, one_hot)
        result["loss"] = metrics.log_loss(one_hot, proba)
    else:
        predicted = np.asarray(model.predict(X), dtype=np.float64).reshape(X.shape[0], -1)
        target = np.asarray(y, dtype=np.float64).reshape(predicted.shape)
        # R² of a single example is undefined (its SS_tot is 0 whatever it is)
        result["r2"] = metrics.r2(predicted, target) if X.shape[0] > 1 else math.nan
        result["loss"] = float(np.mean((predicted - target) ** 2))
    return result


def class_metrics(model, X: np.ndarray, y: np.ndarray) -> list[dict]:
    """Per class: precision, recall, F1 and support, in the order of ``classes_``."""
    from sklearn.metrics import precision_recall_fscore_support

    classes = model.classes_
    predicted = model.predict(X)
    precision, recall, f1, support = precision_recall_fscore_support(
        labels_as_classes(model, y), predicted, labels=classes, zero_division=0
    )
    return [
        {
            "class": str(label),
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for label, p, r, f, s in zip(classes, precision, recall, f1, support)
    ]
