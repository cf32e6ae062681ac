"""Where a new run is written, and how it takes the place of what ``--out`` held.

The policy, in the order a run meets it:

1. **One writer.** The run folder's lock (:mod:`~mlplab.runs.lock`) is taken first and
   held to the end; a second writer is refused with a message naming the first.
2. **Nothing completed is changed before the new run is complete.** A new run is
   written aside, into the *unfinished run* folder ``RUN.unfinished`` beside ``RUN``, and
   swapped in whole when it has its model, history, config and report — after a normal
   end or a Ctrl-C/SIGTERM that saved the last full epoch. An error, a refusal, a full
   disk or a SIGKILL before that leaves ``RUN`` exactly as it was.
3. **Replacing a run is the user's decision.** A ``--out`` that holds a run (or a
   non-empty folder that is not a run) is refused unless ``--force`` is given; the
   default ``--out`` (``mlplab-run``) moves on to the next free name instead
   (``mlplab-run-2``, ``-3``, ...) and the summary says where the run went. Files of the
   user's own in a replaced run folder (names a run never writes) stay, hard-linked into
   the new run; a forced folder that is not a run is never swapped: the run's files are
   moved into it name by name.
4. **Unfinished runs and --resume.** The checkpoints of a run that did not finish
   (killed, out of memory, a second Ctrl-C) stay in ``RUN.unfinished/checkpoints``;
   ``--resume`` continues from there, in place. Without one, it continues from
   ``RUN/checkpoints`` (a run stopped by Ctrl-C and saved) into a new unfinished run
   that starts with links to those checkpoints. A new run (not ``--resume``) refuses to
   discard an unfinished run's checkpoints unless ``--force`` is given.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
from pathlib import Path

from .folder import CHECKPOINTS, CONFIG, RUN_FILES, RunFolder, RunFolderError
from .lock import RunFolderBusy, run_lock

__all__ = ["UNFINISHED_SUFFIX", "NewRun", "unfinished_folder"]

#: The unfinished run of ``RUN`` is written in ``RUN`` + this suffix, beside it.
UNFINISHED_SUFFIX = ".unfinished"
#: Names a run folder's own content may have: its files, its checkpoints, and the hidden
#: temporaries of atomic writes that a killed process may leave.
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)\.safetensors$")
#: Most ``-N`` suffixes tried for a free default run folder name.
MAX_FREE_NAMES = 1000


def unfinished_folder(target: str | os.PathLike) -> Path:
    """The unfinished run of the run folder ``target``: ``target.unfinished`` beside it."""
    target = Path(os.path.abspath(target))
    return target.with_name(target.name + UNFINISHED_SUFFIX)


class NewRun:
    """A run being written: the lock, the unfinished folder, the swap into place.

    Use as a context manager around everything a run does; call :meth:`commit` once the
    run's files are all written into :attr:`folder`.

    Parameters
    ----------
    out : path
        The ``--out`` folder.
    force : bool
        Replace a run (or a non-empty folder) in ``out``, or discard an unfinished run.
    resume : bool
        Continue the unfinished (or interrupted) run of ``out`` from its newest checkpoint.
    default_out : bool
        ``out`` is the default name: when taken, use the next free ``out-N`` instead.
    command : str, optional
        The command line, shown to a second writer that is refused.

    Attributes
    ----------
    target : Path
        Where the run ends up (``out``, or the free name chosen), absolute.
    shown : Path
        The same as the user would write it (relative if ``out`` was).
    folder : RunFolder
        Where it is written meanwhile (``target.unfinished``).
    resume_from : Path or None
        The checkpoint folder to resume from.
    taken : Path or None
        With the default ``out``: the folder that was taken, when another name was chosen.
    """

    def __init__(self, out, *, force: bool, resume: bool, default_out: bool = False,
                 command: str | None = None) -> None:  # fmt: skip
        self.out = Path(out)
        self.force = force
        self.resume = resume
        self.default_out = default_out and not force and not resume
        self.command = command
        self.target = self.out
        self.shown = self.out
        self.taken: Path | None = None
        self.resume_from: Path | None = None
        self._stack = contextlib.ExitStack()
        self._fresh = True
        self._start_epoch = 0
        self.committed = False

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> NewRun:
        try:
            if self.default_out:
                self._take_free_name()
            else:
                self._stack.enter_context(run_lock(self.out, command=self.command))
                self.target = _real(self.out)
                self._check()
            self._prepare_folder()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if not self.committed and self._fresh and not self._progressed():
                shutil.rmtree(self.folder.path, ignore_errors=True)
        finally:
            self._stack.close()

    @property
    def folder(self) -> RunFolder:
        """The unfinished run, where every file is written until :meth:`commit`."""
        return RunFolder(unfinished_folder(self.target))

    @property
    def kept_checkpoints(self) -> Path | None:
        """The unfinished run's checkpoint folder, if it holds checkpoints after a failure."""
        if self.committed:
            return None
        checkpoints = self.folder.checkpoint_dir
        return checkpoints if _newest_epoch(checkpoints) is not None else None

    def commit(self) -> None:
        """Put the finished run in place of ``target``, keeping the user's own files there.

        The user's files (names a run never writes) are hard-linked into the new run
        first; then the two folders are exchanged in one atomic ``renameat2`` where the
        system has it (two renames otherwise), and the old run is deleted.
        """
        new = self.folder.path
        target = self.target
        if target.is_dir() and any(target.iterdir()) and not RunFolder(target).is_run():
            _move_into(new, target)  # a folder of the user's (--force): only run names change
        elif target.is_dir():
            for entry in target.iterdir():
                if entry.name not in _RUN_NAMES and not (new / entry.name).exists():
                    _link_tree(entry, new / entry.name)
            old = _exchange(new, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(new, target)
        self.committed = True

    # ------------------------------------------------------------------ the checks
    def _take_free_name(self) -> None:
        """Lock the first of ``out``, ``out-2``, ``out-3``, ... that is free."""
        for number in range(1, MAX_FREE_NAMES + 1):
            candidate = self.out if number == 1 else self.out.with_name(f"{self.out.name}-{number}")
            if not _is_free(candidate):
                continue
            try:
                self._stack.enter_context(run_lock(candidate, command=self.command))
            except RunFolderBusy:
                continue
            if not _is_free(candidate):  # taken between the look and the lock
                self._stack.close()
                continue
            self.target = _real(candidate)
            self.shown = candidate
            if number > 1:
                self.taken = self.out
            return
        raise RunFolderError(
            f"{MAX_FREE_NAMES} run folders named {self.out.name}-N exist already; "
            "choose a folder with --out"
        )

    def _check(self) -> None:
        """Refuse a target or an unfinished run that the user has not asked to replace."""
        target = self.target
        where = os.fspath(self.out)
        if target.exists() and not target.is_dir():
            raise RunFolderError(f"run folder {where!r} is a file; give a folder for the run")
        unfinished = unfinished_folder(target)
        if unfinished.exists() and not _is_a_run_folder(unfinished):
            raise RunFolderError(
                f"{os.fspath(unfinished)!r} is in the way: it is where the unfinished run of "
                f"{where!r} is written, but it holds something else; move it away"
            )
        if self.resume:
            return
        if _newest_epoch(unfinished / CHECKPOINTS) is not None and not self.force:
            raise RunFolderError(
                f"{os.fspath(unfinished)!r} holds an unfinished run (checkpoints up to epoch "
                f"{_newest_epoch(unfinished / CHECKPOINTS)}); continue it with --resume, or "
                "add --force to discard it"
            )
        if self.force or not target.is_dir() or not any(target.iterdir()):
            return
        if RunFolder(target).is_run():
            raise RunFolderError(
                f"run folder {where!r} holds a run already; add --force to replace it, or "
                "choose another --out"
            )
        raise RunFolderError(
            f"run folder {where!r} is a non-empty folder that is not an mlplab run; "
            "choose another folder or add --force"
        )

    def _prepare_folder(self) -> None:
        """Create the unfinished run (or take up the one to resume); find the checkpoints."""
        path = self.folder.path
        checkpoints = self.folder.checkpoint_dir
        if self.resume and _newest_epoch(checkpoints) is not None:
            self._fresh = False  # continue the unfinished run where it is
            self.resume_from = checkpoints
            return
        if self.resume:
            previous = RunFolder(self.target).checkpoint_dir
            if _newest_epoch(previous) is None:
                raise RunFolderError(
                    f"nothing to resume: neither {os.fspath(checkpoints)!r} nor "
                    f"{os.fspath(previous)!r} holds a checkpoint; train with "
                    "--checkpoint-every N first"
                )
        shutil.rmtree(path, ignore_errors=True)  # a leftover without checkpoints
        path.mkdir(parents=True)
        if self.resume:
            checkpoints.mkdir()
            for name in os.listdir(previous):
                if _CHECKPOINT.match(name):
                    _link_tree(previous / name, checkpoints / name)
            # read from where the user's checkpoints are, so that a message names them
            # (the links beside the new run are gone once a refused run is cleaned up)
            self.resume_from = previous
        self._start_epoch = _newest_epoch(checkpoints) or 0

    def _progressed(self) -> bool:
        """Whether this run wrote a checkpoint that a ``--resume`` can continue from."""
        newest = _newest_epoch(self.folder.checkpoint_dir)
        return newest is not None and newest > self._start_epoch


# ---------------------------------------------------------------------- helpers
_RUN_NAMES = frozenset((*RUN_FILES, CHECKPOINTS))


def _real(path: Path) -> Path:
    """``path`` made absolute, with a symbolic link to a folder followed."""
    return Path(os.path.realpath(path)) if path.is_symlink() else Path(os.path.abspath(path))


def _is_free(path: Path) -> bool:
    """Neither a run nor anything else is at ``path``, and no unfinished run beside it."""
    if path.exists() and not (path.is_dir() and not any(path.iterdir())):
        return False
    return not unfinished_folder(path).exists()


def _is_a_run_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding nothing but a run's own files."""
    if not path.is_dir():
        return False
    names = os.listdir(path)
    return all(name in _RUN_NAMES or _TEMPORARY.match(name) for name in names) and (
        not names or CONFIG in names or CHECKPOINTS in names
    )


def _newest_epoch(checkpoints: Path) -> int | None:
    """The epoch of the newest checkpoint file in ``checkpoints``, None if there is none."""
    try:
        names = os.listdir(checkpoints)
    except OSError:
        return None
    epochs = [
        int(match.group(1))
        for name in names
        if (match := _CHECKPOINT.match(name)) and (checkpoints / name).is_file()
    ]
    return max(epochs, default=None)


def _link_tree(source: Path, destination: Path) -> None:
    """Hard-link a file (or every file of a folder) at a new name; copy where links fail."""
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, destination, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(source, destination)


def _link_or_copy(source, destination) -> None:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)


def _move_into(new: Path, target: Path) -> None:
    """Move the run's files, name by name, into a folder that is not a run (``--force``).

    The folder is the user's (maybe their home or the working folder): it is never
    swapped or deleted; only the names a run writes are replaced in it, and in its
    ``checkpoints`` only the checkpoint files.
    """
    for entry in sorted(new.iterdir()):
        destination = target / entry.name
        if entry.is_dir() and destination.is_dir() and not destination.is_symlink():
            for old in os.listdir(destination):
                if _CHECKPOINT.match(old):
                    os.unlink(destination / old)
            for name in os.listdir(entry):
                os.replace(entry / name, destination / name)
            entry.rmdir()
        else:
            os.replace(entry, destination)
    new.rmdir()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(new: Path, target: Path) -> Path:
    """Swap the folders ``new`` and ``target``; return where the old ``target`` now is.

    One atomic ``renameat2(RENAME_EXCHANGE)`` on Linux: at no moment is there no run at
    ``target``. Elsewhere, two renames (the old folder first moves to a hidden name).
    """
    libc_name = ctypes.util.find_library("c")
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        result = renameat2(
            _AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE
        )
        if result == 0:
            return new
    old = target.with_name(f".{target.name}.replaced-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    return old
