"""The summary ``mlplab train`` prints when a run is done."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["print_summary"]


def print_summary(config: dict, out: Path, taken: Path | None) -> None:
    """The results as a rich table on stdout, then where the files are."""
    from rich.table import Table

    from ..runs import STOP_REASONS, RunFolder, format_loss, format_score, format_seconds
    from ._common import stdout_console

    regression = config["data"]["task"] == "regression"
    table = Table(title=f"mlplab train: {config['data']['name']}", title_justify="left")
    table.add_column("part")
    table.add_column("examples", justify="right")
    table.add_column("R²" if regression else "accuracy", justify="right")
    table.add_column("mean sq. error" if regression else "log loss", justify="right")
    for part, values in config["metrics"].items():
        score = values.get("r2" if regression else "accuracy")
        score_text = format_score(score, regression)
        table.add_row(part, str(values["n"]), score_text, format_loss(values.get("loss")))
    training = config["training"]
    console = stdout_console()
    console.print(table)

    reason = STOP_REASONS.get(training["stop_reason"], str(training["stop_reason"]))
    best = ", early stopping off"
    if training.get("best_epoch"):
        best = f", best epoch {training['best_epoch']} by {config['model']['monitor']}"
    networks = training.get("networks")
    if networks:
        epochs = sorted(n["epochs_run"] for n in networks)
        console.print(
            f"{len(networks)} binary networks (--multiclass {config['model']['multiclass']}), "
            f"{epochs[0]}–{epochs[-1]} epochs each, in {format_seconds(training['seconds'])}"
        )
    else:
        console.print(
            f"{training['epochs_run']} epochs{best} in {format_seconds(training['seconds'])}; "
            f"stopped: {reason}"
        )
    report = os.fspath(RunFolder(out).report_file)
    console.print(f"run folder: {os.fspath(out)} (report: {report})")
    if taken is not None:
        console.print(f"({os.fspath(taken)} holds an earlier run and was left as it was)")
