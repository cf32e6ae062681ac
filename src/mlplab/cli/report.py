"""``mlplab report``: rebuild the HTML report of a run folder."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import click

from ._common import data_errors


@click.command()
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the page here instead of RUN_DIR/report.html.",
)
def report(run_dir: Path, out_path: Path | None) -> None:
    """Rebuild report.html from a run folder's files.

    Reads config.json, history.csv, the PNG figures and, when present, gradcheck.json and
    diagnostics.json; the learning curves are drawn from history.csv if their figure is
    missing. The page is self-contained: figures embedded, no scripts, nothing fetched.

    \b
    Examples:
      mlplab report mlplab-run
      mlplab report mlplab-run --out /tmp/report.html
    """
    with data_errors():
        from ..runs import run_lock, write_report

        writes_into_run = out_path is None and run_dir.is_dir()
        with run_lock(run_dir) if writes_into_run else contextlib.nullcontext():
            written = write_report(run_dir, out_path)
    click.echo(f"wrote {os.fspath(written)}")
