"""Learning curves drawn live in a notebook while a network trains.

Plots read recorded history and never live inside the training loop: this callback only
reads ``trainer.history`` every few epochs and redraws :func:`learning_curves` in place
of the previous drawing (an IPython display handle), so a notebook shows the curves
growing. Outside IPython it is an error to use it.
"""

from __future__ import annotations

from ..training.callbacks import Callback
from .base import figure_to_png_bytes
from .curves import learning_curves

__all__ = ["LiveLearningCurves"]


class LiveLearningCurves(Callback):
    """A callback that redraws the learning curves in a notebook every ``every`` epochs.

    Parameters
    ----------
    every : int, default=10
        Redraw after every ``every``-th epoch, and once more when training ends.
    title : str, optional
        The figure's title (see :func:`learning_curves`).

    Examples
    --------
    In a notebook::

        mlplab.train(net, X, Y, callbacks=[mlplab.plots.LiveLearningCurves(every=50)])
    """

    def __init__(self, every: int = 10, title: str | None = None) -> None:
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.every = every
        self.title = title
        self._handle = None
        self.n_drawn = 0

    def on_train_begin(self, trainer) -> None:
        """Start a new drawing for this run."""
        self._handle = None

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> None:
        """Redraw every ``every`` epochs."""
        if epoch % self.every == 0:
            self._draw(trainer)

    def on_train_end(self, trainer) -> None:
        """The final curves."""
        if trainer.history.n_epochs:
            self._draw(trainer)

    def _draw(self, trainer) -> None:
        """Draw the curves as a PNG into the notebook, replacing the previous drawing."""
        try:
            from IPython.display import Image, display
        except ImportError:
            raise RuntimeError(
                "LiveLearningCurves draws into a Jupyter notebook and needs IPython; "
                "outside a notebook plot the history after training with "
                "mlplab.plots.learning_curves(history)"
            ) from None
        figure = learning_curves(trainer.history, title=self.title)
        image = Image(data=figure_to_png_bytes(figure), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
        self.n_drawn += 1
