"""The validation data of a run: loaded once, scored after every epoch.

The rows are copied (a sparse X made dense) into a workspace of their own when training
starts, so each epoch's val_loss and validation score cost one forward pass and no copy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..workspace import Workspace, copy_rows
from .scores import class_indices, count_correct, r2, weighted_score
from .step import NUMPY, TASK_CODES

__all__ = ["ValidationBatch"]


class ValidationBatch(NamedTuple):
    """The validation data as one batch: X_val in a workspace, Y_val, class indices and
    example weights."""

    ws: Workspace  # its ``inputs`` hold X_val
    Y: np.ndarray  # Y_val
    labels: np.ndarray | None  # multiclass: the class index of each row, else None
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
        labels = class_indices(Y_val) if task == "multiclass" else None
        weights = validation[2] if len(validation) > 2 else None
        return cls(ws, Y_val, labels, weights)

    def evaluate(self, net, task: str | None, loss_divisor) -> dict[str, float]:
        """val_loss and the validation score (val_accuracy or val_r2) of ``net`` now.

        ``loss_divisor`` is :attr:`Trainer.loss_divisor`, as for train_loss.
        """
        ws, Y_val, labels, weights = self
        if weights is not None:
            data_loss, _ = net.train_forward(
                ws, Y_val, NUMPY, TASK_CODES[None], None, weights.astype(ws.output.dtype)
            )
            score = weighted_score(task, ws.output, Y_val, labels, weights)
            name = "val_r2" if task == "regression" else "val_accuracy"
            return {"val_loss": data_loss / (weights.sum() * loss_divisor), name: score}
        m = ws.m
        # The data loss alone, without λ/(2m)‖W‖²: the penalty measures the weights, not
        # how well they predict new data, and adding it would shift the validation curve
        # with λ, the very comparison the curve is for.
        data_loss, _ = net.train_forward(ws, Y_val, NUMPY, TASK_CODES[None], None)
        row = {"val_loss": data_loss / (m * loss_divisor)}
        if task == "regression":
            row["val_r2"] = r2(ws.output, Y_val)
        else:
            row["val_accuracy"] = count_correct(task, ws.output, Y_val, labels, slice(None)) / m
        return row
