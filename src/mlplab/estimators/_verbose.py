"""scikit-learn's ``verbose`` output: one line per epoch on stdout.

Logs and notebooks written for scikit-learn's MLP read lines such as::

    Iteration 1, loss = 0.69314718
    Validation score: 0.933333
    Training loss did not improve more than tol=0.000100 for 10 consecutive epochs. Stopping.

so the estimators print exactly those (``verbose=True``). The progress bar of
:class:`mlplab.training.Trainer` is the other view of a run, on stderr
(``verbose >= 2`` or ``verbose="progress"``).
"""

from __future__ import annotations

from ..training.callbacks import Callback

__all__ = ["IterationLog"]


class IterationLog(Callback):
    """Print scikit-learn's per-epoch lines; epochs are counted from the start of this fit.

    Parameters
    ----------
    score_column : str or None
        The history column of the validation score to print after each epoch
        ("val_accuracy" or "val_r2"), when early stopping watches one.
    tol : float
    n_iter_no_change : int
        For the closing line when the stopping rule ends training.
    """

    def __init__(self, score_column: str | None, tol: float, n_iter_no_change) -> None:
        self.score_column = score_column
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.first_epoch = 0

    def on_train_begin(self, trainer) -> None:
        self.first_epoch = trainer.epoch

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> None:
        print(f"Iteration {epoch - self.first_epoch:d}, loss = {logs['train_loss']:.8f}")
        if self.score_column is not None and self.score_column in logs:
            print(f"Validation score: {logs[self.score_column]:f}")

    def on_train_end(self, trainer) -> None:
        if trainer.stop_reason == "no_improvement":
            watched = "Validation score" if self.score_column is not None else "Training loss"
            print(
                f"{watched} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change:d} consecutive epochs. Stopping."
            )
