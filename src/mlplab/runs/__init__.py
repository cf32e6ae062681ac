"""The run folder: what ``mlplab train`` leaves behind, and its HTML report.

:mod:`~mlplab.runs.folder` owns the folder's schema (file names, config.json, the results
of ``gradcheck`` and ``doctor``); :mod:`~mlplab.runs.report` turns a folder into one
self-contained HTML page, built from the sections of :mod:`~mlplab.runs.sections`;
:mod:`~mlplab.runs.text` formats numbers for the page and the command line;
:mod:`~mlplab.runs.placement` writes a new run aside and swaps it in, one writer at a time
(:mod:`~mlplab.runs.lock`).
"""

from __future__ import annotations

from .fingerprint import check_same_data, source_fingerprint
from .folder import FIGURE_CAPTIONS, RunFolder, RunFolderError
from .lock import RunFolderBusy, run_lock
from .placement import NewRun, unfinished_folder
from .report import build_report, write_report
from .text import STOP_REASONS, format_loss, format_percent, format_score, format_seconds

__all__ = [
    "FIGURE_CAPTIONS",
    "STOP_REASONS",
    "NewRun",
    "RunFolder",
    "RunFolderBusy",
    "RunFolderError",
    "build_report",
    "check_same_data",
    "format_loss",
    "format_percent",
    "format_score",
    "format_seconds",
    "load_run",
    "run_lock",
    "source_fingerprint",
    "unfinished_folder",
    "write_report",
]


def load_run(run_dir) -> dict:
    """The parts of the run folder ``run_dir`` that exist (see :meth:`RunFolder.load`)."""
    return RunFolder(run_dir).load()
