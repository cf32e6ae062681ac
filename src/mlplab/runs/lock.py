"""One writer per run folder: a lock that names the process holding it.

``mlplab train --out RUN`` (and every command that writes into a run folder) holds the
lock of ``RUN`` from its first check of the folder to its last write. The lock is the
hidden file ``.RUN.lock`` beside the folder (so it exists before the folder does and also
covers the unfinished run, ``RUN.unfinished``), locked with ``flock``: the kernel releases
it when the process ends however it ends, SIGKILL included, so a stale lock never blocks
anyone. The file holds the holder's process id, start time and command line, which the
refusal of a second writer quotes::

    run folder 'RUN' is being written by another mlplab process (pid 4242, since
    22:51:07: mlplab train --out RUN); wait for it to end or choose another --out
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from pathlib import Path

from .folder import RunFolderError

try:  # POSIX; elsewhere the lock is an exclusively created file
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms mlplab is tested on
    fcntl = None

__all__ = ["RunFolderBusy", "lock_path", "run_lock"]


class RunFolderBusy(RunFolderError):
    """Another process is writing the run folder."""


def lock_path(folder: str | os.PathLike) -> Path:
    """The lock file of the run folder ``folder``: ``.NAME.lock`` beside it."""
    folder = Path(os.path.abspath(folder))
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def run_lock(folder: str | os.PathLike, *, command: str | None = None):
    """Hold the run folder's lock for the duration of the ``with`` block.

    Parameters
    ----------
    folder : path
        The run folder (it need not exist; its parent folders are created).
    command : str, optional
        The command line shown to a second writer (default: this process's arguments).

    Raises
    ------
    RunFolderBusy
        Another process holds the lock; the message names it (pid, start, command).
    """
    path = lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _acquire(path, Path(folder), command)
    try:
        yield path
    finally:
        # Unlink while still holding the lock: a waiter that opened the old file finds,
        # after locking it, that the path no longer leads to it, and starts again.
        with contextlib.suppress(OSError):
            os.unlink(path)
        handle.close()


def _acquire(path: Path, folder: Path, command: str | None):
    """The open, locked lock file (retrying if the file was replaced meanwhile)."""
    for _ in range(100):
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held past this function
        except FileNotFoundError:
            raise RunFolderError(
                f"cannot write run folder {os.fspath(folder)!r}: its parent folder "
                f"{os.fspath(path.parent)!r} does not exist"
            ) from None
        try:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            handle.close()
            raise RunFolderBusy(
                f"run folder {os.fspath(folder)!r} is being written by another mlplab "
                f"process ({holder}); wait for it to end, or choose another --out"
            ) from None
        except BaseException:
            handle.close()
            raise
        try:
            same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:  # the holder unlinked it just before we locked it: start again
            handle.close()
            continue
        _write_holder(handle, command)
        return handle
    raise RunFolderBusy(f"run folder {os.fspath(folder)!r}: its lock file keeps changing")


def _write_holder(handle, command: str | None) -> None:
    """Record this process in the lock file (pid, start time, command line)."""
    holder = {
        "pid": os.getpid(),
        "since": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "command": (command or " ".join(["mlplab", *sys.argv[1:]]))[:300],
    }
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(holder))
    handle.flush()


def _read_holder(handle) -> str:
    """The holder of the lock in a few words, from the lock file."""
    try:
        handle.seek(0)
        holder = json.loads(handle.read(4096))
        since = str(holder["since"]).split(" ")[-1]
        return f"pid {int(holder['pid'])}, since {since}: {holder['command']!s}"
    except (OSError, ValueError, KeyError, TypeError):
        return "which has not said who it is yet"
