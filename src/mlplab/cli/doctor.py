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
    help="Write diagnostics.json there. A run folder of mlplab train is diagnosed itself "
    "(its model, history and data; give the run's data options, as its report shows) "
    "and its report then shows the findings.",
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
      mlplab doctor --out mlplab-run          # diagnoses that run, adds it to its report
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
    from ..diagnostics import diagnose
    from ..training import one_blas_thread
    from ._data import prepare_data
    from ._model import build_estimator

    # The same data split and estimator as `mlplab train` with the same options.
    data = prepare_data(opts)
    trained = _trained_run(opts["out"], data)
    if trained is not None:
        return _diagnose_run(opts, data, trained)
    if opts["early_stopping"] is None:
        opts["early_stopping"] = default_early_stopping(data.X_val.shape[0])
    model = build_estimator(data.task, {**opts, "checkpoint_every": 0})
    validation = None
    if data.X_val.shape[0]:
        validation = (data.scaled(data.X_val), data.y_val)
    with one_blas_thread:
        diagnosis = diagnose(
            model,
            data.scaled(data.X_train),
            data.y_train,
            validation_data=validation,
            quick=opts["quick"],
            random_state=opts["seed"],
        )
    return _report(opts, diagnosis)


def _report(opts: dict, diagnosis):
    """Print the findings; write diagnostics.json (and the report) to --out if given."""
    from ..diagnostics import render_rich
    from ..runs import RunFolder, run_lock
    from ._advice import in_cli_words

    diagnosis = in_cli_words(diagnosis, doctor)
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


def _trained_run(out: Path | None, data):
    """The fitted estimator of the run in ``out``, or None when ``out`` holds no run.

    Its data must be the run's: the same data set, split and scaling as ``data`` (the
    doctor's data options), else a usage error names the command that has them.
    """
    if out is None:
        return None
    from ..jsonvalues import to_json
    from ..runs import RunFolder
    from ._model import load_estimator

    run = RunFolder(out)
    config = run.read_config() if run.is_run() else None
    if not config or not run.model_file.is_file():
        return None
    mine = to_json(data.summary())
    keys = ("name", "n_examples", "feature_names", "target", "split", "scaling")
    if any(mine.get(key) != (config.get("data") or {}).get(key) for key in keys):
        command = config.get("doctor_command") or "the doctor command of its report"
        raise click.UsageError(
            f"{out} holds a run trained on other data or another split than these options "
            f"give; diagnose it with its own options: {command}"
        )
    model = load_estimator(run.model_file)
    if not hasattr(model, "network_"):
        raise click.UsageError(
            f"{out} holds several binary networks (--multiclass "
            f"{(config.get('model') or {}).get('multiclass')}); the doctor diagnoses one network"
        )
    return model


def _diagnose_run(opts: dict, data, model):
    """The checks on the run itself: its data, its θ₀ and final θ, its history."""
    from ..training import one_blas_thread
    from ._advice import diagnose_trained

    # The saved model takes raw inputs (and predicts raw targets); the run trained on
    # scaled ones: unfold the scalings to diagnose the network as it was trained.
    if data.scaling is not None:
        data.scaling.unfold_from(model.network_)
    if data.target_scaling is not None:
        data.target_scaling.unfold_from_output(model.network_)
    X_train, y_train = data.scaled(data.X_train), data.scaled_target(data.y_train)
    validation = None
    if data.X_val.shape[0]:
        validation = (data.scaled(data.X_val), data.scaled_target(data.y_val))
    echo_err(f"diagnosing the run in {opts['out']}: its model, history and data")
    with one_blas_thread:
        diagnosis = diagnose_trained(model, data, X_train, y_train, validation)
    return _report(opts, diagnosis)
