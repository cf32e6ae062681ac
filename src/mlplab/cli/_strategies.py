"""Runs of several binary networks (``--multiclass ovr|ovo``): their names, histories, summary.

A one-vs-rest run trains K networks ("cat vs rest"), a one-vs-one run K(K−1)/2 ("cat vs
dog"), each with its own history and stopping epoch. The run folder keeps them apart:
history.csv has the epoch column and one ``train_loss_<i>`` column per network (NaN
after a network stopped), config.json names network ``i`` and gives its epochs and stop
reason, and one figure shows the loss of every network. What needs a single network
(checkpoints, the gradient check, the diagnostics, early stopping on the validation
part) is refused before training; one-vs-one has no class probabilities, so its log
loss and the probability figures are left out.
"""

from __future__ import annotations

import math

import click

__all__ = [
    "STOP_ORDER",
    "check_strategy_data",
    "check_strategy_options",
    "combined_history",
    "has_probabilities",
    "histories_by_name",
    "is_strategy",
    "network_entries",
    "network_names",
    "networks_of",
    "run_history",
    "stop_reasons",
    "trained_networks",
]


#: Stop reasons, the one reported first for a run of several networks first.
STOP_ORDER = ("interrupted", "diverged", "max_iter", "no_improvement", "converged")


def is_strategy(model) -> bool:
    """Whether ``model`` is several binary networks (multiclass "ovr" or "ovo")."""
    return "estimators_" in vars(model) and "network_" not in vars(model)


def has_probabilities(model) -> bool:
    """Whether ``model`` gives class probabilities (one-vs-one does not)."""
    return hasattr(model, "predict_proba")


def network_names(model, class_name=str) -> list[str]:
    """ "cat vs rest" (one-vs-rest) or "cat vs dog" (one-vs-one), in ``estimators_`` order.

    ``class_name`` turns a class label into the name shown (the data set's own names).
    """
    classes = [class_name(c) for c in model.classes_]
    if model.multiclass == "ovr":
        return [f"{name} vs rest" for name in classes]
    k = len(classes)
    return [f"{classes[i]} vs {classes[j]}" for i in range(k) for j in range(i + 1, k)]


def networks_of(model, class_name=str) -> list[tuple[str, object]]:
    """(name, fitted binary MLPClassifier) of every network of the run."""
    return list(zip(network_names(model, class_name), model.estimators_))


def _column(index: int) -> str:
    return f"train_loss_{index + 1}"


def combined_history(model):
    """One History: ``epoch`` and each network's ``train_loss_<i>`` (NaN once it stopped)."""
    from ..training.history import History

    networks = networks_of(model)
    columns = ["epoch"] + [_column(i) for i in range(len(networks))]
    losses = [list(estimator.history_["train_loss"]) for _, estimator in networks]
    history = History(columns)
    for epoch in range(max((len(loss) for loss in losses), default=0)):
        row = {"epoch": float(epoch + 1)}
        for i, loss in enumerate(losses):
            row[_column(i)] = float(loss[epoch]) if epoch < len(loss) else math.nan
        history.append(row)
    return history


def network_entries(model, class_name=str) -> list[dict]:
    """For config.json: per network its name, history column, epochs, stop reason, loss."""
    return [
        {
            "name": name,
            "column": _column(i),
            "layer_sizes": list(estimator.network_.layer_sizes),
            "epochs_run": int(estimator.history_.n_epochs),
            "stop_reason": estimator.stop_reason_,
            "final_train_loss": float(estimator.history_.last("train_loss")),
        }
        for i, (name, estimator) in enumerate(networks_of(model, class_name))
    ]


def run_history(model):
    """The run's history: the network's, or each binary network's loss side by side."""
    return combined_history(model) if is_strategy(model) else model.history_


def trained_networks(model) -> list:
    """The trained Network(s): one, or one per binary network of --multiclass ovr/ovo."""
    if is_strategy(model):
        return [estimator.network_ for estimator in model.estimators_]
    return [model.network_]


def stop_reasons(model) -> list[str]:
    """Why training stopped, per network."""
    estimators = model.estimators_ if is_strategy(model) else [model]
    return [str(estimator.stop_reason_) for estimator in estimators]


def histories_by_name(model, class_name=str) -> dict:
    """Name → history of each network (for :func:`mlplab.plots.network_losses`)."""
    return {name: estimator.history_ for name, estimator in networks_of(model, class_name)}


#: What one-vs-rest and one-vs-one runs cannot do, and why (each is one network's).
_ONE_NETWORK_ONLY = {
    "checkpoint_every": ("--checkpoint-every", "checkpoints hold one network's training"),
    "resume": ("--resume", "checkpoints hold one network's training"),
    "run_gradcheck": ("--gradcheck", "it checks one network's backprop"),
    "diagnose": ("--diagnose", "it reads one network's history and weights"),
    "early_stopping": (
        "--early-stopping",
        "it watches one network on the validation part; binary networks stop on their "
        "own training loss",
    ),
}


def check_strategy_options(ctx: click.Context, opts: dict) -> None:
    """Usage errors for options that need one network, with --multiclass ovr/ovo."""
    for name, (flag, why) in _ONE_NETWORK_ONLY.items():
        if opts[name] not in (None, False):
            raise click.UsageError(
                f"{flag} works with --multiclass native only ({why}); "
                f"--multiclass {opts['multiclass']} trains several binary networks",
                ctx,
            )
    opts["early_stopping"] = False


def check_strategy_data(ctx: click.Context, opts: dict, data) -> None:
    """--multiclass ovr/ovo needs a classification with more than two classes."""
    import numpy as np

    if data.task == "regression":
        raise click.UsageError(
            f"--multiclass {opts['multiclass']} needs classes, but {data.dataset.name} is a "
            "regression task; leave --multiclass out",
            ctx,
        )
    n_classes = len(np.unique(data.dataset.y))
    if n_classes <= 2:
        raise click.UsageError(
            f"--multiclass {opts['multiclass']} needs more than two classes, but "
            f"{data.dataset.name} has {n_classes}: two classes are always one network with "
            "one sigmoid output; leave --multiclass out",
            ctx,
        )
