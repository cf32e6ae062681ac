"""Opening the files mlplab reads without ever blocking: regular files only.

``open()`` on a named pipe waits until some other process opens its other end, and on a
device it may wait for ever or read without end. Every file mlplab reads (model,
checkpoint, config.json, history.csv, CSV data, figures) is opened here instead: opened
non-blocking, checked to be a regular file with ``fstat`` on the open descriptor (so a
file swapped in between a check and the open cannot slip through), and refused at once
otherwise.
"""

from __future__ import annotations

import os
import stat

__all__ = ["NotARegularFileError", "open_regular", "read_regular_bytes"]

#: What kinds of file are called in messages, by ``stat.S_IFMT``.
_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


class NotARegularFileError(ValueError):
    """A path to read that is a pipe, a device, a socket or a directory, not a file."""


def open_regular(path: str | os.PathLike, *, what: str = "a regular file"):
    """Open ``path`` for reading in binary mode, if it is a regular file.

    Parameters
    ----------
    path : str or path-like
    what : str
        What the file should be ("a CSV file", "an mlplab model file", ...), for messages.

    Returns
    -------
    file object
        Opened ``"rb"``; the caller closes it.

    Raises
    ------
    FileNotFoundError
        No such file.
    NotARegularFileError
        A named pipe, a device, a socket or a directory (the message says which).
    OSError
        Any other reason it cannot be opened (permissions, ...).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except IsADirectoryError:
        raise _not_regular(path, stat.S_IFDIR, what) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, stat.S_IFMT(mode), what)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_regular_bytes(path: str | os.PathLike, *, what: str = "a regular file") -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`)."""
    with open_regular(path, what=what) as handle:
        return handle.read()


def _not_regular(path, kind: int, what: str) -> NotARegularFileError:
    name = _KINDS.get(kind, "not a regular file")
    return NotARegularFileError(f"{os.fspath(path)}: is {name}, not {what}")
