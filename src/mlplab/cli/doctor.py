"""``mlplab doctor``: babysitting a training setup, automated."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    apply_preset,
    data_errors,
    data_options,
    default_early_stopping,
    echo_err,
    model_options,
    stdout_console,
)
from ._errors import DataError


@click.command()
@data_options
@model_options
@click.option("--quick", is_flag=True, help="Only the checks that need no training (< 1 s).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write diagnostics.json there; a run folder's report then shows the findings.",
)
def doctor(**opts) -> None:
    """Diagnose a training setup: the checks a practitioner runs before trusting a network.

    Takes the same data and model options as mlplab train, and checks the data (finite,
    scaled, balanced, no duplicates between training and validation), the network at
    initialization (gradient check, initial loss, regularization term, symmetry
    breaking) and a short training run (overfitting a tiny subset, the loss going down,
    update/weight ratios near 1e-3, dead or saturated units, over- and underfitting).
    Exits with 1 if any check FAILs.

    \b
    Examples:
      mlplab doctor
      mlplab doctor --data spirals --hidden 25,25 --learning-rate 0.1
      mlplab doctor --quick --data measurements.csv --target species
      mlplab doctor --out mlplab-run          # adds the findings to the run's report
    """
    opts = apply_preset(click.get_current_context(), opts)
    opts["every_epoch"] = opts["early_stopping"] is False
    if opts["early_stopping"] and opts["validation_fraction"] == 0:
        raise click.UsageError(
            "--early-stopping needs a validation part: set --validation-fraction > 0"
        )
    with data_errors():
        diagnosis = _diagnose(opts)
    if diagnosis.has_failures:
        failed = [f.title for f in diagnosis.findings if f.status == "FAIL"]
        raise DataError(f"{len(failed)} check(s) failed: {', '.join(failed)}")


def _diagnose(opts: dict):
    from threadpoolctl import threadpool_limits

    from ..diagnostics import diagnose, render_rich
    from ..runs import RunFolder, run_lock
    from ._data import prepare_data
    from ._model import build_estimator

    # The same data split and estimator as `mlplab train` with the same options.
    data = prepare_data(opts)
    if opts["early_stopping"] is None:
        opts["early_stopping"] = default_early_stopping(data.X_val.shape[0])
    model = build_estimator(data.task, {**opts, "checkpoint_every": 0})
    validation = None
    if data.X_val.shape[0]:
        validation = (data.scaled(data.X_val), data.y_val)
    with threadpool_limits(limits=1, user_api="blas"):
        diagnosis = diagnose(
            model,
            data.scaled(data.X_train),
            data.y_train,
            validation_data=validation,
            quick=opts["quick"],
            random_state=opts["seed"],
        )
    render_rich(diagnosis, stdout_console())
    out = opts["out"]
    if out is not None:
        run = RunFolder(out)
        with run_lock(out):
            written = run.write_diagnosis(diagnosis)
            if run.is_run():
                from ..runs import write_report

                write_report(out)
                echo_err(f"wrote {written} and updated {run.report_file}")
            else:
                echo_err(f"wrote {written}")
    return diagnosis
