"""Safety of the training loop: divergence rolls back, signals stop it after the batch.

A non-finite or exploding loss stops training at once and puts θ, the optimizer and the
random generator back as they were at the start of the epoch (:class:`DivergenceWarning`).
A handled signal (Ctrl-C) ends training after the current batch, rolled back to the last
completed epoch (:class:`TrainingInterrupted`); :func:`stop_on_signals` lets a caller add
other signals (the command line adds SIGTERM).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import warnings

import numpy as np

__all__ = [
    "DIVERGENCE_FACTOR",
    "DivergenceWarning",
    "SafetyMixin",
    "SignalRecord",
    "TrainingInterrupted",
    "stop_on_signals",
]

#: A batch cost this many times the cost at the start of training is divergence.
DIVERGENCE_FACTOR = 1e3


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss became non-finite or exploded."""


class TrainingInterrupted(RuntimeWarning):
    """Training ended early on a signal (Ctrl-C); the model is that of the last full epoch."""


class SafetyMixin:
    """Snapshots, rollback, divergence and signal handling of the Trainer."""

    def _stop_on_signal(self) -> None:
        """Record that a handled signal ends training."""
        self.interrupt_signal = self._interrupted
        self.stop_reason = "interrupted"
        self.stop_training = True

    def _snapshot(self) -> dict:
        """The state at an epoch boundary: what divergence and interrupts roll back to."""
        np.copyto(self._saved_theta, self.net.theta)
        arrays, scalars = self.optimizer.state_dict()
        saved = self._saved_optimizer
        if saved is None or saved.keys() != arrays.keys():
            saved = self._saved_optimizer = {k: v.copy() for k, v in arrays.items()}
        else:  # the buffers of the previous epoch, refilled: no allocation per epoch
            for name, array in arrays.items():
                np.copyto(saved[name], array)
        return {"optimizer": (saved, dict(scalars)), "rng": self.rng.bit_generator.state}

    def _rollback(self, snapshot: dict) -> None:
        """Put back θ, the optimizer and the random generator as they were at the snapshot."""
        self.net.theta = self._saved_theta
        self.optimizer.load_state_dict(*snapshot["optimizer"])
        self.rng.bit_generator.state = snapshot["rng"]

    def _diverged(self, snapshot: dict, cost: float) -> None:
        """Stop on a non-finite or exploding loss, back at the epoch's starting weights."""
        self._rollback(snapshot)
        self.stop_training = True
        self.stop_reason = "diverged"
        initial = self.config.learning_rate_init
        rate = f"learning rate {initial:g}"
        current = self.optimizer.learning_rate
        if self.config.solver != "adam" and current != initial:  # a schedule moved η
            rate = f"learning rate {current:g} (learning_rate_init {initial:g})"
        warnings.warn(
            f"training diverged in epoch {self.epoch + 1}: loss {cost:.4g} with {rate}, "
            f"against {self.reference_loss:.4g} at the start of training; stopped and "
            f"restored the weights of epoch {self.epoch}. Try a smaller learning_rate_init.",
            DivergenceWarning,
            stacklevel=6,  # _diverged ← _run_batches ← _train_epoch ← _epoch ← fit ← the caller
        )

    def interrupt(self, signum: int = signal.SIGINT) -> None:
        """Ask a running ``fit`` to stop after the current batch, as Ctrl-C does.

        The model is rolled back to the last completed epoch, ``stop_reason`` becomes
        "interrupted" and ``interrupt_signal`` ``signum``. A second request before the
        batch ends (a second Ctrl-C) raises KeyboardInterrupt at once. This is what the
        handled signals call; :func:`stop_on_signals` sends other signals here.
        """
        if self._interrupted is not None:
            # A second Ctrl-C means "now": do not wait for the batch to end.
            raise KeyboardInterrupt
        self._interrupted = signum

    @contextlib.contextmanager
    def _signals(self):
        """A context that turns the handled signals into a flag, in the main thread only."""
        previous = {}
        main_thread = threading.current_thread() is threading.main_thread()
        if main_thread:
            for signum in self.handle_signals:
                previous[signum] = signal.signal(signum, self._on_signal)
            _RUNNING.append(self)
        try:
            yield
        finally:
            if main_thread:
                _RUNNING.remove(self)
            for signum, handler in previous.items():
                # None: the old handler was not set from Python; the default is the best guess
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    def _on_signal(self, received: int, frame) -> None:
        """The handler of the handled signals: remember the signal, stop after the batch."""
        self.interrupt(received)


#: The trainers inside ``fit`` in the main thread, innermost last (for stop_on_signals).
_RUNNING: list = []


class SignalRecord:
    """What :func:`stop_on_signals` saw: ``received`` is the last signal (None if none)."""

    def __init__(self) -> None:
        self.received: int | None = None


@contextlib.contextmanager
def stop_on_signals(*signums: int):
    """Within the block, ``signums`` stop a running training as Ctrl-C does.

    During a ``fit`` (of a :class:`Trainer` or an estimator) such a signal ends training
    after the current batch (:meth:`Trainer.interrupt`); outside one it raises
    KeyboardInterrupt at once. Main thread only: elsewhere the signals are left alone.

    Yields
    ------
    SignalRecord
        Its ``received`` tells which of the signals arrived last.

    Examples
    --------
    >>> import signal
    >>> from mlplab.training import stop_on_signals
    >>> with stop_on_signals(signal.SIGTERM) as signals:
    ...     pass  # model.fit(X, y): SIGTERM now stops it cleanly
    >>> signals.received is None
    True
    """
    record = SignalRecord()

    def handler(received: int, frame) -> None:
        record.received = received
        if not _RUNNING:
            raise KeyboardInterrupt
        _RUNNING[-1].interrupt(received)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in signums:
            previous[signum] = signal.signal(signum, handler)
    try:
        yield record
    finally:
        for signum, old in previous.items():
            signal.signal(signum, signal.SIG_DFL if old is None else old)
