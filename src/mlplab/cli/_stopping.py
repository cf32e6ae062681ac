"""Early stopping on the command line: what --monitor may watch, the kept epoch, the closing note.

The estimators keep scikit-learn's rule (the validation score); ``mlplab train`` watches
``--monitor`` (the validation loss by default) and reports which epoch's weights it kept
and whether more epochs could help, both read from the run's own history.
"""

from __future__ import annotations

import click

__all__ = ["best_epoch", "check_monitor", "epoch_limit_note"]


def check_monitor(ctx: click.Context, opts: dict, task: str) -> None:
    """--monitor must name a figure the task records (accuracy or R²)."""
    wrong = {"classification": "val_r2", "regression": "val_accuracy"}[task]
    if opts["monitor"] == wrong:
        right = "val_accuracy" if task == "classification" else "val_r2"
        raise click.UsageError(
            f"--monitor {wrong} does not apply to {task}: use val_loss or {right}", ctx
        )


def epoch_limit_note(opts: dict, history) -> str:
    """The note for a run that reached --epochs: more epochs, or not, by the validation curve."""
    limit = opts["epochs"]
    column = opts["monitor"] if opts["monitor"] in history else "val_loss"
    best = best_epoch(history, column) if column in history else None
    # "well before": more than a tenth of the run (and 10 epochs) without a better value
    if best is not None and limit - best >= max(10, limit // 10):
        name = column.removeprefix("val_").replace("r2", "R²")
        return (
            f"note: the training loss still fell at the epoch limit ({limit}), but the "
            f"validation {name} was best at epoch {best}: the network overfits, so more "
            "--epochs will not help; try a larger --alpha, fewer hidden units, or "
            "--early-stopping"
        )
    return (
        f"note: stopped at the epoch limit ({limit}) while still improving; more --epochs may help"
    )


def best_epoch(history, monitor: str | None) -> int | None:
    """The epoch whose weights early stopping kept: the first with the best ``monitor`` value.

    Early stopping (:class:`mlplab.EarlyStopping`) keeps the weights of every
    strict improvement, so that epoch is the first arg-min of a loss, arg-max of a score.
    """
    import numpy as np

    if monitor is None or history.n_epochs == 0 or monitor not in history:
        return None
    values = np.asarray(history[monitor], dtype=float)
    if not np.isfinite(values).any():
        return None
    pick = np.nanargmin if monitor.endswith("loss") else np.nanargmax
    return int(history["epoch"][int(pick(values))])
