"""The progress bar of a training run (tqdm, on stderr), one tick per epoch."""

from __future__ import annotations

import sys

__all__ = ["postfix", "progress_bar"]

#: History columns shown on the bar, with their short labels.
SHOWN = (
    ("train_loss", "loss"),
    ("val_loss", "val_loss"),
    ("train_accuracy", "acc"),
    ("val_accuracy", "val_acc"),
    ("train_r2", "r2"),
    ("val_r2", "val_r2"),
)


def progress_bar(verbose: int, done: int, total: int):
    """A tqdm bar when asked (verbose 2) or when stderr is a terminal (1), else None.

    ``done`` epochs of ``total`` are already behind (a resumed or continued run).
    """
    if verbose <= 0 or (verbose == 1 and not sys.stderr.isatty()):
        return None
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        initial=done,
        unit="epoch",
        desc="training",
        file=sys.stderr,
        dynamic_ncols=True,
        leave=True,
    )


def postfix(row: dict) -> dict[str, str]:
    """The bar's figures for one epoch's history row."""
    return {label: f"{row[name]:.4f}" for name, label in SHOWN if name in row}
