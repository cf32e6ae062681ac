"""Callbacks: small objects the training loop calls at the start, after each epoch and at the end.

The protocol has three methods, all optional:

- ``on_train_begin(trainer)``
- ``on_epoch_end(trainer, epoch, logs)``: ``logs`` is the epoch's history row (a dict);
  return ``True`` (or set ``trainer.stop_training = True``) to end training after it
- ``on_train_end(trainer)``

A callback that must survive a checkpoint and resume bit for bit also implements
``state_dict()`` → ``(arrays, scalars)`` and ``load_state_dict(arrays, scalars)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["Callback", "EarlyStopping"]


class Callback:
    """Base class with do-nothing hooks; subclass and override what you need."""

    def on_train_begin(self, trainer) -> None:
        """Called once before the first epoch of a ``fit``."""

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> bool | None:
        """Called after every epoch with that epoch's history row; return True to stop."""
        return None

    def on_train_end(self, trainer) -> None:
        """Called once when training ends, however it ends."""

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(arrays, scalars) to store in a checkpoint; stateless callbacks return empties."""
        return {}, {}

    def load_state_dict(self, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""


class EarlyStopping(Callback):
    """Stop when a monitored figure stops improving; optionally restore the best weights.

    Parameters
    ----------
    monitor : str, default="val_loss"
        A history column: ``"val_loss"``, ``"val_accuracy"``, ``"val_r2"``,
        ``"train_loss"``, ... ``"val_score"`` means ``val_accuracy`` for classifiers and
        ``val_r2`` for regressors.
    mode : {"auto", "min", "max"}, default="auto"
        Whether smaller or larger is better; "auto" picks "min" for losses.
    patience : int, default=10
        Training stops when more than ``patience`` epochs in a row bring no improvement
        (scikit-learn's ``n_iter_no_change`` rule).
    min_delta : float, default=1e-4
        An improvement smaller than this does not count (scikit-learn's ``tol``); with
        0, an epoch that merely equals the best counts as an improvement, as in
        scikit-learn.
    restore_best : bool, default=True
        At the end of training put back the weights of the best epoch.

    With the ``sgd`` solver's ``adaptive`` schedule, a plateau first divides the learning
    rate by 5 and training goes on; it stops once the rate falls below 1e-6.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        mode: str = "auto",
        patience: int = 10,
        min_delta: float = 1e-4,
        restore_best: bool = True,
    ) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if not (isinstance(patience, int) and patience >= 0):
            raise ValueError(f"patience must be an integer >= 0, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta!r}")
        self.monitor = monitor
        self.mode = mode
        self.patience = patience
        self.min_delta = float(min_delta)
        self.restore_best = restore_best
        self.best: float = math.nan
        self.best_epoch: int = 0
        self.wait = 0
        self.best_theta: np.ndarray | None = None

    def _column(self, trainer) -> str:
        if self.monitor == "val_score":
            return f"val_{trainer.score_name}"
        return self.monitor

    def _minimize(self, column: str) -> bool:
        return self.mode == "min" or (self.mode == "auto" and "loss" in column)

    def on_train_begin(self, trainer) -> None:
        column = self._column(trainer)
        if column.startswith("val_") and not trainer.has_validation:
            raise ValueError(
                f"EarlyStopping monitors {column!r} but there is no validation data; "
                "pass validation data or monitor 'train_loss'"
            )

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> bool:
        column = self._column(trainer)
        if column not in logs:
            raise ValueError(
                f"EarlyStopping monitors {column!r}, which training does not record; "
                f"choose one of {', '.join(repr(name) for name in logs)} (or 'val_score')"
            )
        current = logs[column]
        if not math.isfinite(current):
            return False
        minimize = self._minimize(column)
        sign = 1.0 if minimize else -1.0
        if math.isnan(self.best):
            improved_enough, better = True, True
        else:
            # scikit-learn's rule: an improvement of at least tol resets the counter
            improved_enough = sign * (self.best - current) >= self.min_delta
            better = sign * (self.best - current) > 0
        self.wait = 0 if improved_enough else self.wait + 1
        if better:
            self.best, self.best_epoch = current, epoch
            if self.restore_best:
                if self.best_theta is None:
                    self.best_theta = trainer.net.theta.copy()
                else:
                    np.copyto(self.best_theta, trainer.net.theta)
        if self.wait > self.patience:
            if trainer.optimizer is not None and trainer.optimizer.on_plateau():
                self.wait = 0  # the adaptive schedule lowered η: give it another chance
                return False
            trainer.stop_reason = "no_improvement"
            return True
        return False

    def on_train_end(self, trainer) -> None:
        if self.restore_best and self.best_theta is not None:
            trainer.net.theta = self.best_theta

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {} if self.best_theta is None else {"best_theta": self.best_theta}
        return arrays, {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait}

    def load_state_dict(self, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> None:
        best, best_epoch, wait = scalars["best"], scalars["best_epoch"], scalars["wait"]
        # Checked before anything is set: a malformed state leaves the callback as it was.
        if isinstance(best, bool) or not isinstance(best, (int, float)):
            raise ValueError(f"best must be a number, got {best!r}")
        for name, value in (("best_epoch", best_epoch), ("wait", wait)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        best_theta = arrays.get("best_theta")
        if best_theta is not None and (best_theta.ndim != 1 or best_theta.dtype.kind != "f"):
            raise ValueError(
                f"best_theta must be a 1-D float array, got shape {best_theta.shape} and "
                f"dtype {best_theta.dtype}"
            )
        self.best = float(best)
        self.best_epoch = best_epoch
        self.wait = wait
        self.best_theta = None if best_theta is None else best_theta.copy()
