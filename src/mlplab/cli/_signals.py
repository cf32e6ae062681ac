"""Signals while ``mlplab train`` writes its run: held until the files are complete.

(During training, SIGTERM stops like Ctrl-C: :func:`mlplab.training.stop_on_signals`.)
"""

from __future__ import annotations

import contextlib
import signal

from ._errors import EXIT_SIGINT, EXIT_SIGTERM

__all__ = ["deferred_signals"]


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
