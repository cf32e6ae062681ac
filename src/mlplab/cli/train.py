"""``mlplab train``: train a network and leave a model, its history, figures and a report."""

from __future__ import annotations

import datetime
import os
import shlex
import signal
import sys
import time
import warnings
from pathlib import Path

import click

from .._version import __version__
from ..solvers import check_resumable
from ._common import (
    MULTICLASS,
    apply_preset,
    count,
    data_errors,
    data_options,
    default_early_stopping,
    echo_err,
    format_hidden,
    model_options,
)
from ._errors import EXIT_SIGINT, EXIT_SIGTERM
from ._signals import deferred_signals
from ._stopping import best_epoch, check_monitor, epoch_limit_note
from ._strategies import STOP_ORDER, run_history, stop_reasons, trained_networks
from ._summary import print_summary


@click.command()
@data_options
@model_options
@click.option(
    "--out",
    type=click.Path(file_okay=True, dir_okay=True, path_type=Path),
    default=Path("mlplab-run"),
    show_default=True,
    help="Run folder for the model, history, figures and report. A run already there is "
    "replaced only with --force; the default folder moves on to mlplab-run-2, -3, ...",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the run (or the run's files in a non-empty folder) in --out, or discard "
    "an unfinished run there.",
)
@click.option(
    "--multiclass",
    type=click.Choice(MULTICLASS),
    default="native",
    show_default=True,
    help="More than two classes: one network with K outputs (native), K one-vs-rest "
    "binary networks (ovr), or K(K-1)/2 one-vs-one networks that vote (ovo; no "
    "probabilities). Binary networks stop on their own training loss.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option(
    "--class-weight",
    type=click.Choice(["balanced"]),
    help="Weight the examples so that every class counts as much (classification only).",
)
@click.option(
    "--checkpoint-every",
    type=count(),
    default=None,
    metavar="N",
    help="Write a resumable checkpoint every N epochs (gd, sgd, adam).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the run in --out from its newest checkpoint (same options).",
)
@click.option(
    "--diagnose",
    is_flag=True,
    help="Also diagnose the trained model from its own history and weights (the checks "
    "of mlplab doctor) and add the findings to the report.",
)
@click.option(
    "--gradcheck",
    "run_gradcheck",
    is_flag=True,
    help="Check the trained network's backprop against numerical gradients.",
)
@click.pass_context
def train(ctx: click.Context, **options) -> None:
    """Train a network and write model, history, figures and report to a run folder.

    With no options this trains the lab's default: the 8×8 digits scaled to [0, 1], one
    hidden layer of 64 relu units, softmax outputs, Adam, 25% held out for the test and
    15% of the rest for validation, early stopping on the validation accuracy.

    The run folder (--out) receives model.safetensors (takes raw, unscaled features),
    history.csv, config.json, report.html and the figures. Ctrl-C stops after the
    current batch, saves everything for the last full epoch and exits with 130 (143 for
    SIGTERM).

    \b
    Examples:
      mlplab train
      mlplab train --data spirals --hidden 25,25 --epochs 2000 --out spirals-run
      mlplab train --data cats-dogs --hidden 3 --activation sigmoid --solver lbfgs
      mlplab train --data measurements.csv --target species --alpha 1e-3
      mlplab train --epochs 5000 --checkpoint-every 10   # Ctrl-C, then add --resume
    """
    opts = _check_options(ctx, apply_preset(ctx, options))
    with data_errors():
        _train(ctx, opts)


def _check_options(ctx: click.Context, options: dict) -> dict:
    """Usage errors (exit 2) for combinations no single option type can catch."""
    opts = dict(options)
    opts["every_epoch"] = opts["early_stopping"] is False
    for option, used in (
        ("--checkpoint-every", opts["checkpoint_every"] is not None),
        ("--resume", opts["resume"]),
    ):
        try:
            if used:
                check_resumable(opts["solver"], option)
        except ValueError as error:
            raise click.UsageError(str(error), ctx) from None
    if opts["multiclass"] != "native":
        from ._strategies import check_strategy_options

        check_strategy_options(ctx, opts)
    if opts["early_stopping"] and opts["validation_fraction"] == 0:
        raise click.UsageError(
            "--early-stopping needs a validation part: set --validation-fraction > 0", ctx
        )
    if opts["target"] is not None and not opts["data"].lower().endswith(".csv"):
        from ._data import is_csv

        if not is_csv(opts["data"]):
            raise click.UsageError(
                f"--target applies only to CSV files; data set {opts['data']!r} has a fixed target",
                ctx,
            )
    return opts


def _train(ctx: click.Context, opts: dict) -> None:
    """Prepare the data, train, and put the run in place; exit 130/143 if interrupted.

    The run is written into the unfinished run folder beside --out and swapped in once
    complete (see :mod:`mlplab.runs.placement`): until then --out is not touched.
    """
    from click.core import ParameterSource

    from ..runs import NewRun

    default_out = ctx.get_parameter_source("out") is ParameterSource.DEFAULT
    with NewRun(
        opts["out"],
        force=opts["force"],
        resume=opts["resume"],
        default_out=default_out,
        command=_command_line(ctx),
    ) as placement:
        try:
            _train_into(ctx, opts, placement)
        except BaseException:
            kept = placement.kept_checkpoints
            if kept is not None and not opts["quiet"]:
                echo_err(
                    f"the unfinished run's checkpoints are kept in {os.fspath(kept)}; "
                    "continue it with the same options and --resume"
                )
            raise


def _train_into(ctx: click.Context, opts: dict, placement) -> None:
    """Train and write the run into ``placement.folder``, then swap it in."""
    quiet = opts["quiet"]
    out = placement.shown
    run = placement.folder
    if placement.taken is not None and not quiet:
        echo_err(
            f"note: {os.fspath(placement.taken)} holds an earlier run; this run goes to "
            f"{os.fspath(out)} (--out chooses the folder, --force replaces)"
        )
    from ._data import prepare_data
    from ._model import build_estimator, class_sample_weight

    data = prepare_data(opts)
    if opts["multiclass"] != "native":
        from ._strategies import check_strategy_data

        check_strategy_data(ctx, opts, data)
    check_monitor(ctx, opts, data.task)
    weights = class_sample_weight(ctx, opts["class_weight"], data)
    from ._overflow import check_fits_dtype

    check_fits_dtype(data, opts["dtype"], opts["data"])
    if opts["early_stopping"] is None:
        opts["early_stopping"] = default_early_stopping(data.X_val.shape[0])
    config = {
        "status": "training",
        "mlplab_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": _command_line(ctx),
        "doctor_command": _command_line(ctx, "doctor", TRAIN_ONLY)
        + " --out "
        + shlex.quote(os.fspath(out)),
        "run_dir": os.fspath(out),
        "data": {**data.summary(), "drop": list(opts["drop"]), "id_column": opts["id_column"]},
    }
    if not run.is_run():  # a run resumed in place keeps its config until it is done
        # Written first, so that the folder is recognized as a run even if training is killed.
        run.write_config(config)

    model = build_estimator(
        data.task,
        opts,
        checkpoint_dir=run.checkpoint_dir,
        show_progress=not quiet and sys.stderr.isatty(),
    )
    X_train, y_train = data.scaled(data.X_train), data.scaled_target(data.y_train)
    validation = None
    # several binary networks stop on their own training loss: no validation data
    if data.X_val.shape[0] and opts["multiclass"] == "native":
        validation = (data.scaled(data.X_val), data.scaled_target(data.y_val))
    if not quiet:
        echo_err(
            f"training on {data.dataset.name}: {data.X_train.shape[0]} training, "
            f"{data.X_val.shape[0]} validation, {data.X_test.shape[0]} test examples, "
            f"hidden layers {format_hidden(opts['hidden'])}, {opts['solver']}, "
            f"up to {opts['epochs']} epochs"
        )
    seconds, notes, signal_name = _fit(
        model, (X_train, y_train, weights), validation, opts, placement.resume_from
    )
    history = run_history(model)
    for note in notes:
        if not quiet or note.startswith("warning"):
            echo_err(note)
    if signal_name and not quiet:
        echo_err(
            f"interrupted ({signal_name}): saving the model of epoch "
            f"{history.n_epochs} to {os.fspath(out)}"
        )

    if opts["diagnose"] and history.n_epochs:
        _diagnose(run, model, data, X_train, y_train, validation, quiet)
    gradcheck = None
    if opts["run_gradcheck"]:
        from ._trained_gradcheck import trained_gradcheck

        gradcheck = trained_gradcheck(run, model, X_train, y_train, opts["alpha"])
    # From here on the model takes raw features (the scaling moves into θ⁽¹⁾) and a
    # regressor predicts raw targets (the target's scaling moves into the output layer).
    for network in trained_networks(model):
        if data.scaling is not None:
            data.scaling.fold_into(network)
        if data.target_scaling is not None:
            data.target_scaling.fold_into_output(network)
    config.update(_results(model, data, opts, seconds, notes, signal_name))
    _write_run(placement, model, history, data, config, gradcheck)
    if not quiet:
        print_summary(config, out, placement.taken)
    if signal_name:
        ctx.exit(EXIT_SIGTERM if signal_name == "SIGTERM" else EXIT_SIGINT)


def _fit(model, train, validation, opts: dict, resume_from):
    """Train; return (seconds, notes from the warnings, the interrupting signal's name)."""
    from ..training import one_blas_thread, stop_on_signals

    started = time.perf_counter()
    with (
        # SIGTERM stops training as Ctrl-C does: after the batch, then the run is saved.
        stop_on_signals(signal.SIGTERM) as term,
        warnings.catch_warnings(record=True) as caught,
        # The matrices of a small network are too small to gain from BLAS threads,
        # and on a busy machine the threads cost more than they save.
        one_blas_thread,
    ):
        warnings.simplefilter("always")
        try:
            model.fit(*train, validation_data=validation, resume_from=resume_from)
        except KeyboardInterrupt:
            # A second Ctrl-C (or a signal outside the epoch loop): stop without saving.
            echo_err("interrupted: training stopped at once, nothing saved")
            raise SystemExit(EXIT_SIGTERM if term.received else EXIT_SIGINT) from None
    seconds = time.perf_counter() - started
    signal_name = None
    if "interrupted" in stop_reasons(model):
        signal_name = "SIGTERM" if term.received == signal.SIGTERM else "SIGINT"
    return seconds, _training_notes(caught, opts, run_history(model)), signal_name


def _results(model, data, opts: dict, seconds: float, notes, signal_name) -> dict:
    """The config.json entries of a trained model: model, training, metrics, per class."""
    from ._model import class_metrics, estimator_params, is_classifier, score_part
    from ._strategies import is_strategy, network_entries

    history = run_history(model)
    parts = data.parts()
    per_class = None
    if is_classifier(model):
        part = next(p for p in ("test", "validation", "train") if p in parts)
        per_class = {"part": part, "rows": class_metrics(model, *parts[part])}
    networks = trained_networks(model)
    network = networks[0]
    reasons = stop_reasons(model)
    return {
        "status": "interrupted" if signal_name else "finished",
        "model": {
            "kind": type(model).__name__,
            "multiclass": opts["multiclass"],
            "n_networks": len(networks),
            "layer_sizes": list(network.layer_sizes),
            "hidden": list(opts["hidden"]),
            "activation": network.activation,
            "output": network.output,
            "solver": opts["solver"],
            "learning_rate": opts["learning_rate"],
            "alpha": opts["alpha"],
            "epochs": opts["epochs"],
            "batch_size": opts["batch_size"],
            "patience": opts["patience"],
            "early_stopping": opts["early_stopping"],
            "monitor": opts["monitor"] if opts["early_stopping"] else "train_loss",
            "class_weight": opts["class_weight"],
            "dtype": opts["dtype"],
            "seed": opts["seed"],
            "n_params": sum(int(n.n_params) for n in networks),
            "estimator_params": estimator_params(model),
        },
        "training": {
            "epochs_run": int(history.n_epochs),
            "best_epoch": best_epoch(
                history,
                opts["monitor"] if opts["early_stopping"] and "validation" in parts else None,
            ),
            "seconds": seconds,
            # of several networks: the one that matters most (interrupted, diverged, ...)
            "stop_reason": next(r for r in (*STOP_ORDER, *reasons) if r in reasons),
            "networks": network_entries(model, data.dataset.class_name)
            if is_strategy(model)
            else None,
            "interrupted": signal_name,
            "resumed": bool(opts["resume"]),
            "checkpoint_every": opts["checkpoint_every"],
            "warnings": [n.split(": ", 1)[-1] for n in notes if n.startswith("warning")],
        },
        # scored with the folded model on raw features: exactly what the saved file does
        "metrics": {name: score_part(model, X, y) for name, (X, y) in parts.items()},
        "per_class": per_class,
    }


def _write_run(placement, model, history, data, config: dict, gradcheck: dict | None) -> None:
    """model.safetensors, history.csv, the figures, config.json and report.html; swap in."""
    from ..persistence import DATA_KEYS, save
    from ..runs import write_report
    from ..runs.figures import draw_run_figures
    from ._strategies import histories_by_name, is_strategy

    run = placement.folder
    with deferred_signals():
        save(model, run.model_file, data={k: config["data"][k] for k in DATA_KEYS})
        history.to_csv(run.history_file)
    config["figures"] = draw_run_figures(
        run,
        model,
        data,
        history,
        config["training"]["best_epoch"],
        config["metrics"],
        networks=histories_by_name(model, data.dataset.class_name) if is_strategy(model) else None,
    )
    if gradcheck is not None:
        config["figures"].append(gradcheck)
    run.write_config(config)
    write_report(run.path)
    with deferred_signals():
        placement.commit()


#: Options of train that doctor does not take.
TRAIN_ONLY = {
    "out",
    "force",
    "quiet",
    "checkpoint_every",
    "resume",
    "diagnose",
    "run_gradcheck",
    "multiclass",
}
TRAIN_ONLY.add("class_weight")  # the doctor's own short run is unweighted


def _command_line(ctx: click.Context, name: str = "train", skip=frozenset()) -> str:
    """The command as typed, options left at their defaults left out (for the report)."""
    from click.core import ParameterSource

    words = ["mlplab", name]
    for param in ctx.command.params:
        if param.name in skip:
            continue
        if ctx.get_parameter_source(param.name) is not ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[param.name]
        if isinstance(param, click.Option) and param.is_flag:
            if param.secondary_opts and not value:
                words.append(param.secondary_opts[0])
            elif value:
                words.append(param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0])
            continue
        flag = next(o for o in param.opts if o.startswith("--"))
        words += [flag, _option_text(value)]
    return " ".join(shlex.quote(word) for word in words)


def _option_text(value) -> str:
    if isinstance(value, tuple):
        return format_hidden(value)
    if isinstance(value, float):
        return f"{value:g}"
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _training_notes(caught, opts, history) -> list[str]:
    """One line per warning the training raised, in the command line's words.

    The epoch-limit note advises more epochs only while the validation figure still
    improves: if it peaked well before the limit (the network overfits), more epochs
    would not help, and the note says so instead.
    """
    notes = []
    for record in caught:
        category = record.category.__name__
        message = " ".join(str(record.message).split())
        if category == "TrainingInterrupted":
            continue  # reported by the caller with the signal's name
        if category == "ConvergenceWarning":
            notes.append(epoch_limit_note(opts, history))
        elif category == "DivergenceWarning":
            notes.append(f"warning: {message.replace('learning_rate_init', '--learning-rate')}")
        else:
            notes.append(f"warning: {message}")
    return list(dict.fromkeys(notes))


def _diagnose(run, model, data, X_train, y_train, validation, quiet: bool) -> None:
    """The diagnostics of the trained model (its own history and weights); diagnostics.json."""
    from ..diagnostics import render_rich
    from ._advice import diagnose_trained, in_cli_words
    from ._common import stdout_console

    if not quiet:
        echo_err("running the diagnostics on this run…")
    diagnosis = in_cli_words(diagnose_trained(model, data, X_train, y_train, validation), train)
    run.write_diagnosis(diagnosis)
    if not quiet:
        render_rich(diagnosis, stdout_console())
