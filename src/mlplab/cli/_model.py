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
    "class_sample_weight",
    "estimator_params",
    "is_classifier",
    "is_multilabel",
    "labels_as_classes",
    "load_estimator",
    "matched_by_name",
    "model_dtype",
    "score_part",
    "training_record",
]


def load_estimator(path):
    """A fitted MLPClassifier or MLPRegressor from a model file (not a bare Network)."""
    from .. import load

    model = load(path)
    if not hasattr(model, "predict"):
        raise ValueError(
            f"{str(path)!r} holds a bare {type(model).__name__}, not a fitted MLPClassifier "
            "or MLPRegressor; save an estimator (mlplab train writes one)"
        )
    return model


def training_record(model, model_path) -> dict:
    """What the commands know of the model's training data, the model file first.

    ``feature_names``, ``target`` and ``fingerprint`` come from the model file's record
    (:func:`mlplab.persistence.read_data_record`); the run's ``config.json`` beside the
    model fills what an older file lacks, and adds ``id_column``, ``drop`` and ``split``,
    but only when it describes this model (same fingerprint and feature names), never
    the run of some other model copied into the folder. ``config`` is that config.json
    (None when it is absent or about another model: then ``other_run`` is True).
    """
    from ..persistence import read_data_record
    from ..runs import RunFolder

    record = read_data_record(model_path)
    config = RunFolder(model_path.parent).read_config()
    data = (config or {}).get("data") or {}
    names = data.get("feature_names")
    if not (
        isinstance(names, list)
        and len(names) == model.n_features_in_
        and all(isinstance(n, str) for n in names)
    ):
        names = None
    about_this_model = (
        record["fingerprint"] is None or record["fingerprint"] == data.get("fingerprint")
    ) and (record["feature_names"] is None or names in (None, record["feature_names"]))
    record["other_run"] = config is not None and not about_this_model
    if not about_this_model:
        config, data = None, {}
    if record["feature_names"] is None and about_this_model:
        record["feature_names"] = names
    if record["target"] is None and isinstance(data.get("target"), str):
        record["target"] = data["target"]
    if record["fingerprint"] is None and isinstance(data.get("fingerprint"), dict):
        record["fingerprint"] = data["fingerprint"]
    record["id_column"] = data.get("id_column") if isinstance(data.get("id_column"), str) else None
    record["drop"] = [str(c) for c in data.get("drop") or () if isinstance(c, str)]
    record["split"] = data.get("split")
    record["config"] = config
    return record


def matched_by_name(model, dataset, source: str, names=None):
    """``dataset`` with its feature columns in the model's training order, matched by name.

    The names are the model's own (``feature_names_in_``), else ``names`` (those of the
    run's config.json beside the model file): the columns of those names are taken
    wherever they are in the file, and a missing one is refused. Without names the
    columns are taken by position, and must then be as many.
    """
    import dataclasses

    names = getattr(model, "feature_names_in_", None) if names is None else names
    if names is not None and len(names) != model.n_features_in_:
        names = None  # a config.json that does not describe this model
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

        def listed(values) -> str:
            shown = ", ".join(map(repr, values[:5]))
            return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")

        raise ValueError(
            f"the model takes {len(names)} features, but {source!r} has "
            f"{dataset.n_features}: no column {listed(missing)} (columns are matched by "
            f"name; the data has {listed(list(dataset.feature_names))}); evaluate it on the "
            "kind of data it was trained on"
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
    columns are in the model's training order. numpy's overflow warnings are silenced
    too: the commands check the outputs and refuse a row whose output is not finite
    (:func:`mlplab.cli._overflow.check_outputs_finite`).
    """
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.filterwarnings(
            "ignore", message="X does not have valid feature names", category=UserWarning
        )
        yield


#: ``n_iter_no_change`` when every epoch is asked for (--no-early-stopping): no stopping
#: rule at all, and a constant so that --resume with more --epochs keeps the same setup.
EVERY_EPOCH_PATIENCE = 10**9


def build_estimator(task: str, opts: dict, *, checkpoint_dir=None, show_progress: bool = False):
    """The unfitted MLPClassifier (task "classification") or MLPRegressor of the options.

    ``opts`` are the command's options (--hidden, --activation, ..., --dtype, --seed);
    its "monitor" is ``--monitor``: "val_loss", or the task's validation score
    ("val_accuracy", "val_r2").
    """
    from ..estimators import MLPClassifier, MLPRegressor

    every = opts.get("checkpoint_every")
    params = {
        "hidden_layer_sizes": tuple(opts["hidden"]),
        "activation": opts["activation"],
        "solver": opts["solver"],
        "initializer": opts["initializer"],
        "init_epsilon": None if opts["init_epsilon"] is None else float(opts["init_epsilon"]),
        "alpha": float(opts["alpha"]),
        "batch_size": opts["batch_size"],
        "learning_rate_init": float(opts["learning_rate"]),
        "max_iter": int(opts["epochs"]),
        "n_iter_no_change": EVERY_EPOCH_PATIENCE if opts.get("every_epoch") else opts["patience"],
        "early_stopping": bool(opts["early_stopping"]),
        "early_stopping_monitor": "loss"
        if opts.get("monitor", "val_loss") == "val_loss"
        else "score",
        "random_state": int(opts["seed"]),
        "verbose": "progress" if show_progress else False,  # the bar on stderr; stdout clean
        "dtype": np.dtype(opts["dtype"]).type,
        "checkpoint_dir": None if not every or checkpoint_dir is None else str(checkpoint_dir),
        "checkpoint_every": int(every or 1),
    }
    if task == "classification":
        multiclass = opts.get("multiclass", "native")
        return MLPClassifier(output=opts["output"], multiclass=multiclass, **params)
    return MLPRegressor(**params)


def is_classifier(model) -> bool:
    """Whether a fitted model predicts classes (it has ``classes_``)."""
    return hasattr(model, "classes_")


def model_dtype(model) -> np.dtype:
    """The dtype a fitted model computes in (its networks')."""
    state = model.get_state()
    if "network" not in state:
        state = state["multiclass"]["estimators"][0]
    return state["network"].dtype


def is_multilabel(model) -> bool:
    """Whether a fitted model predicts a set of labels per example (multi-label)."""
    return is_classifier(model) and model.get_state()["target_type"] == "multilabel-indicator"


def estimator_params(model) -> dict:
    """``get_params()`` as JSON values (dtypes by name, callbacks left out)."""
    from ..jsonvalues import to_json

    params = sorted(model.get_params().items())
    return {name: to_json(value) for name, value in params if name != "callbacks"}


def score_part(model, X: np.ndarray, y: np.ndarray) -> dict:
    """Accuracy and log loss (classifiers) or R² and mean squared error (regressors).

    A one-vs-one classifier gives no probabilities: its accuracy only.

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
        one_hot = (y[:, None] == classes[None, :]).astype(np.float64)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(X)
            result["loss"] = metrics.log_loss(one_hot, proba)
        else:  # one-vs-one votes: no probabilities, so no log loss
            proba = (model.predict(X)[:, None] == classes[None, :]).astype(np.float64)
        result["accuracy"] = metrics.accuracy("multiclass", proba, one_hot)
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


def class_sample_weight(ctx, class_weight: str | None, data):
    """The training examples' weights for ``--class-weight`` (None without it).

    "balanced" is scikit-learn's: example i of class c weighs m / (k·m_c), so that every
    class adds up to the same weight. A regression has no classes: a usage error says so.
    """
    if class_weight is None:
        return None
    if data.task == "regression":
        import click

        raise click.UsageError(
            f"--class-weight applies to classification, and {data.dataset.name} is a "
            "regression (its target has real values); leave --class-weight out",
            ctx,
        )
    from sklearn.utils.class_weight import compute_sample_weight

    return compute_sample_weight(class_weight, data.y_train)
