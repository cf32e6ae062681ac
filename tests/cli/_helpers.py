"""Helpers of the command-line tests: run mlplab in-process or as a subprocess, write CSVs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mlplab.cli import cli

#: Epochs of the shared training run: enough for a sensible model, quick to train.
EPOCHS = 12


def invoke(*args: str):
    """Run ``mlplab ARGS`` in this process, as a user would type it (stdout and stderr apart)."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_mlplab(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run the real ``mlplab`` entry point in a subprocess (for exit codes and signals)."""
    env = {**os.environ, "COLUMNS": "120", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mlplab", *[str(a) for a in args]],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
        **kwargs,
    )


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    """A small CSV file with a header row."""
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
