"""Signals while ``mlplab train`` runs: SIGTERM handled like Ctrl-C, and held during writes."""

from __future__ import annotations

import contextlib
import signal

from ._errors import EXIT_SIGINT, EXIT_SIGTERM

__all__ = ["TermAsInterrupt", "deferred_signals"]


class TermAsInterrupt:
    """SIGTERM during training handled like Ctrl-C: stop after the batch, save, exit 143.

    The trainer turns SIGINT into "stop after the current batch" while it trains; SIGTERM
    is forwarded to that same handler. Outside training SIGTERM interrupts at once.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous = None

    def __enter__(self):
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            self._previous = signal.signal(signal.SIGTERM, self._on_term)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)

    def _on_term(self, signum, frame) -> None:
        self.received = signum
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and handler is not signal.default_int_handler:
            handler(signal.SIGINT, frame)  # the trainer's: finish the batch, then stop
        else:
            raise KeyboardInterrupt


@contextlib.contextmanager
def deferred_signals():
    """Hold SIGINT/SIGTERM while the model and history are written, then act on them.

    A Ctrl-C that lands inside the atomic write would abandon it and leave the run with
    no model file; held for the few milliseconds of the write, it ends the run just after.
    """
    received: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # only the main thread may set handlers
            previous[signum] = signal.signal(signum, lambda got, frame: received.append(got))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:
        raise SystemExit(EXIT_SIGTERM if signal.SIGTERM in received else EXIT_SIGINT)
