"""Estimators from command-line options, and the metrics the commands print.

Imported only by commands that train or score, never by ``--help``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "build_estimator",
    "class_metrics",
    "estimator_params",
    "is_classifier",
    "load_estimator",
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


def build_estimator(
    task: str,
    *,
    hidden: tuple[int, ...],
    activation: str,
    output: str,
    solver: str,
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
        unknown = np.setdiff1d(np.unique(y.astype(classes.dtype)), classes)
        if unknown.size:
            shown = ", ".join(repr(str(u)) for u in unknown[:5])
            raise ValueError(
                f"the data has labels the model does not know: {shown}; the model's classes "
                f"are {', '.join(repr(str(c)) for c in classes)}"
            )
        proba = model.predict_proba(X)
        one_hot = (y.astype(classes.dtype)[:, None] == classes[None, :]).astype(np.float64)
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
        y.astype(classes.dtype), predicted, labels=classes, zero_division=0
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
