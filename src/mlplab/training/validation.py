"""The validation data of a run: loaded once, scored after every epoch.

The rows are copied (a sparse X made dense) into a workspace of their own when training
starts, so each epoch's val_loss and validation score cost one forward pass and no copy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..metrics import accuracy, r2
from ..workspace import Workspace, copy_rows
from .step import NUMPY, TASK_CODES

__all__ = ["ValidationBatch"]


class ValidationBatch(NamedTuple):
    """The validation data as one batch: X_val in a workspace, Y_val and example weights."""

    ws: Workspace  # its ``inputs`` hold X_val
    Y: np.ndarray  # Y_val
    weights: np.ndarray | None = None  # the examples' weights, if weighted

    @classmethod
    def load(cls, net, validation, task: str | None) -> ValidationBatch | None:
        """(X_val, Y_val) or (X_val, Y_val, w_val), checked by the trainer, loaded for
        ``net``; None for None."""
        if validation is None:
            return None
        X_val, Y_val = validation[:2]
        ws = Workspace(net.layer_sizes, X_val.shape[0], net.dtype)
        copy_rows(X_val, slice(None), ws.inputs)
        weights = validation[2] if len(validation) > 2 else None
        return cls(ws, Y_val, weights)

    def evaluate(self, net, task: str | None, loss_divisor) -> dict[str, float]:
        """val_loss and the validation score (val_accuracy or val_r2) of ``net`` now.

        ``loss_divisor`` is :attr:`Trainer.loss_divisor`, as for train_loss.
        """
        ws, Y_val, weights = self
        # The data loss alone, without λ/(2m)‖W‖²: the penalty measures the weights, not
        # how well they predict new data, and adding it would shift the validation curve
        # with λ, the very comparison the curve is for.
        if weights is None:
            data_loss, _ = net.train_forward(ws, Y_val, NUMPY, TASK_CODES[None], None)
            row = {"val_loss": data_loss / (ws.m * loss_divisor)}
        else:
            data_loss, _ = net.train_forward(
                ws, Y_val, NUMPY, TASK_CODES[None], None, weights.astype(ws.output.dtype)
            )
            row = {"val_loss": data_loss / (weights.sum() * loss_divisor)}
        if task == "regression":
            row["val_r2"] = r2(ws.output, Y_val, weights)
        else:
            row["val_accuracy"] = accuracy(task, ws.output, Y_val, weights)
        return row
