"""What a network is trained for, read from its output layer and the targets Y.

The task decides the score recorded per epoch (accuracy or R²) and how an output row is
read as a prediction. It follows from the output layer and Y, so a user need not say it:

===========================================  ===========  ==================================
output layer, Y of shape (m, K)              task         prediction
===========================================  ===========  ==================================
sigmoid, K = 1                               binary       h_θ(x) ≥ 0.5
sigmoid, K > 1, every row one-hot            multiclass   arg-max of the K outputs (the
                                                          lecture's "essentially one-vs-all")
sigmoid, K > 1, some row with several or     multilabel   each output ≥ 0.5 on its own
no 1s
softmax (K ≥ 2)                              multiclass   arg-max
identity                                     regression   h_θ(x) itself (score: R²)
exp (the Poisson rate, log link)             regression   h_θ(x) = e^z itself (score: R²)
===========================================  ===========  ==================================

A task given explicitly must agree with that rule, with one latitude: sigmoid outputs
may be declared ``"multilabel"`` when every row of this Y happens to hold one label. Any
other disagreement is an error, since it would record wrong numbers silently (an arg-max
over one column is always 0, so "multiclass" on one output would report 100% accuracy).
"""

from __future__ import annotations

import numpy as np

__all__ = ["CLASSIFICATION_TASKS", "TASKS", "check_task", "infer_task"]

#: Every task a network can be trained for.
TASKS = ("multiclass", "binary", "multilabel", "regression")
#: The tasks whose outputs are scored by accuracy.
CLASSIFICATION_TASKS = TASKS[:3]


def check_task(task: str) -> str:
    """``task`` if it is one of :data:`TASKS`, else a ValueError listing them."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; valid tasks are {', '.join(TASKS)}")
    return task


def infer_task(output: str, Y: np.ndarray, task: str | None = None) -> str:
    """The task of a network with output layer ``output`` trained on ``Y`` (see the table).

    Parameters
    ----------
    output : {"sigmoid", "softmax", "identity", "exp"}
        The network's output layer.
    Y : ndarray of shape (m, K)
        The targets.
    task : {"multiclass", "binary", "multilabel", "regression"}, optional
        The task the caller expects; checked against the rule.

    Returns
    -------
    str
        One of :data:`TASKS`.

    Raises
    ------
    ValueError
        ``task`` is unknown, or contradicts the output layer and Y (the message says why
        and what would agree).
    """
    if task is not None:
        check_task(task)
    n_outputs = Y.shape[1]
    if output in ("identity", "exp"):
        inferred, reason = "regression", f"an {output} output layer"
    elif output == "softmax":
        inferred, reason = "multiclass", "a softmax output layer"
    elif n_outputs == 1:
        inferred, reason = "binary", "one sigmoid output unit"
    elif _one_hot_rows(Y):
        inferred, reason = "multiclass", f"{n_outputs} sigmoid outputs and one-hot rows of Y"
        if task == "multilabel":
            return task  # multi-label data whose rows happen to carry one label each
    else:
        inferred = "multilabel"
        reason = f"{n_outputs} sigmoid outputs and rows of Y with several or no 1s"
    if task is not None and task != inferred:
        raise ValueError(
            f"task={task!r} contradicts the network and Y: {reason} make the task "
            f"{inferred!r}. {_FIX[task]} Or leave task out: it follows from the output "
            "layer and Y."
        )
    return inferred


def _one_hot_rows(Y: np.ndarray) -> bool:
    """Whether every row of Y is 0 everywhere except for a single 1."""
    return bool(np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1))


# What a task needs, for the error message.
_FIX = {
    "binary": "A binary task needs one sigmoid output unit and Y of shape (m, 1).",
    "multiclass": (
        "A multiclass task needs K ≥ 2 outputs (sigmoid or softmax) and one-hot rows of Y "
        "(mlplab.datasets.one_hot)."
    ),
    "multilabel": "A multilabel task needs K ≥ 2 sigmoid outputs and 0/1 rows of Y.",
    "regression": "A regression task needs output='identity' (or 'exp', Poisson).",
}
