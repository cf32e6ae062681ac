"""The run folder ``mlplab train`` writes: what belongs in it, and writing it safely.

A folder is an mlplab run when its config.json says ``"format": "mlplab-run"``; train
writes that file first, so even a run interrupted in its first epoch is recognized.
Training again into a run folder replaces the run's own files and nothing else; a
non-empty folder that is not a run is refused unless ``--force`` is given (and even then
only the run's own file names are written or removed).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ._errors import DataError

RUN_FORMAT = "mlplab-run"
CONFIG = "config.json"
MODEL = "model.safetensors"
HISTORY = "history.csv"
REPORT = "report.html"
DIAGNOSTICS = "diagnostics.json"
GRADCHECK = "gradcheck.json"
CHECKPOINTS = "checkpoints"
FIGURES = (
    "learning_curves.png",
    "update_ratios.png",
    "confusion_matrix.png",
    "decision_regions.png",
    "hidden_units.png",
    "misclassified.png",
    "gradient_check.png",
)
#: Every file a run writes (removed before a fresh run into an existing run folder).
RUN_FILES = (CONFIG, MODEL, HISTORY, REPORT, DIAGNOSTICS, GRADCHECK, *FIGURES)


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds an mlplab run (its config.json says so)."""
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and config.get("format") == RUN_FORMAT


def check_out_folder(folder: Path, *, force: bool, resume: bool) -> None:
    """Refuse an --out that is a file, or a non-empty folder that is not a run."""
    if folder.exists() and not folder.is_dir():
        raise DataError(f"--out {os.fspath(folder)!r} is a file; give a folder for the run")
    if resume:
        if not (folder / CHECKPOINTS).is_dir() or not any((folder / CHECKPOINTS).iterdir()):
            raise DataError(
                f"nothing to resume: {os.fspath(folder / CHECKPOINTS)!r} holds no checkpoint; "
                "train with --checkpoint-every N first"
            )
        return
    if folder.is_dir() and any(folder.iterdir()) and not is_run_folder(folder) and not force:
        raise DataError(
            f"--out {os.fspath(folder)!r} is a non-empty folder that is not an mlplab run; "
            "choose another folder or add --force"
        )


def clear_run_files(folder: Path) -> None:
    """Remove a previous run's files (only the names a run writes) and its checkpoints."""
    for name in RUN_FILES:
        path = folder / name
        if path.is_file():
            path.unlink()
    checkpoints = folder / CHECKPOINTS
    if checkpoints.is_dir():
        for entry in checkpoints.iterdir():
            if entry.is_file() and entry.name.startswith("checkpoint-"):
                entry.unlink()
        if not any(checkpoints.iterdir()):
            shutil.rmtree(checkpoints)


def write_json(path: Path, value) -> None:
    """Write ``value`` as indented JSON, atomically (NaN written as null)."""
    from ..fileformat import atomic_write_bytes

    text = json.dumps(_finite(value), indent=2, ensure_ascii=False, default=_plain) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def _plain(value):
    """numpy scalars and arrays (and anything else) as JSON values."""
    if hasattr(value, "tolist"):
        return _finite(value.tolist())
    return str(value)


def _finite(value):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
