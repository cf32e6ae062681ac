"""What the subcommands share: option types, the data and model options, error handling.

Nothing here imports numpy or scikit-learn at module level: ``mlplab train --help`` must
stay as quick as ``mlplab --help``.
"""

from __future__ import annotations

import contextlib
import math

import click

from ..solvers import SOLVERS
from ._errors import DataError

#: Hidden-unit activations the estimators accept ("logistic" is the sigmoid).
ACTIVATIONS = ("relu", "sigmoid", "logistic", "tanh", "identity")
#: Output layers of a classifier with K > 2 classes (two classes always use one sigmoid).
OUTPUTS = ("softmax", "sigmoid")
DTYPES = ("float64", "float32")
#: mlplab.initializers.INITIALIZERS, repeated here so that --help imports no numpy.
INITIALIZERS = ("glorot", "uniform", "he", "zeros")
#: mlplab.estimators.strategies.STRATEGIES, repeated here so that --help imports no numpy.
MULTICLASS = ("native", "ovr", "ovo")
#: The estimator parameters of a preset (mlplab.presets) under their option names here.
_PRESET_OPTIONS = {"learning_rate_init": "learning_rate"}

#: The lab's defaults, chosen so that ``mlplab train`` on the digits reaches about 97%
#: test accuracy in a few seconds with learning curves worth looking at.
DEFAULTS = {
    "data": "digits",
    "hidden": (64,),
    "activation": "relu",
    "output": "softmax",
    "solver": "adam",
    "learning_rate": 3e-3,
    "alpha": 1e-4,
    "epochs": 300,
    "batch_size": "auto",
    "patience": 20,
    "validation_fraction": 0.15,
    "test_fraction": 0.25,
    "seed": 0,
    "dtype": "float64",
    "monitor": "val_loss",
}

#: What ``--monitor`` accepts: the validation loss, or the task's validation score.
MONITORS = ("val_loss", "val_accuracy", "val_r2")


#: Early stopping is on by default only with at least this many validation examples: on
#: fewer, the validation accuracy moves in steps too coarse to tell progress from noise.
EARLY_STOPPING_MIN_VALIDATION = 50


def default_early_stopping(n_validation: int) -> bool:
    """Whether early stopping is on when --early-stopping/--no-early-stopping is not given."""
    return n_validation >= EARLY_STOPPING_MIN_VALIDATION


class HiddenLayers(click.ParamType):
    """``--hidden 25,25`` → (25, 25); ``--hidden none`` (or ``""``) → no hidden layer."""

    name = "UNITS[,UNITS...]"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower()
        if text in ("", "none", "0"):
            return ()
        sizes = []
        for part in text.split(","):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= MAX_COUNT:
                self.fail(
                    f"{value!r} is not a list of positive unit counts; write e.g. "
                    "'--hidden 64' or '--hidden 25,25' ('none' for no hidden layer)",
                    param,
                    ctx,
                )
            sizes.append(int(part))
        return tuple(sizes)


class BatchSize(click.ParamType):
    """A positive integer or "auto" (min(200, m))."""

    name = "N|auto"

    def convert(self, value, param, ctx):
        if value == "auto" or isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "auto":
            return "auto"
        if not text.isdigit() or int(text) < 1:
            self.fail(f"{value!r} is neither a positive integer nor 'auto'", param, ctx)
        return int(text)


class Fraction(click.ParamType):
    """A number in [0, 1)."""

    name = "FRACTION"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not (math.isfinite(number) and 0 <= number < 1):
            self.fail(f"{value!r} is not a fraction in [0, 1)", param, ctx)
        return number


class FiniteFloat(click.FloatRange):
    """A float in a range, and finite: ``nan`` and ``inf`` are usage errors naming the option.

    (click's FloatRange lets NaN through, since every comparison with it is false.)
    """

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


#: Largest --seed: numpy's and scikit-learn's seeds are 32-bit.
MAX_SEED = 2**32 - 1
#: Largest count of epochs, units, examples, ... an option takes (a 32-bit int).
MAX_COUNT = 2**31 - 1


def positive_float(name: str):
    """A click type for a finite float > 0 (or >= 0 for λ)."""
    allow_zero = name == "alpha"
    return FiniteFloat(min=0.0, min_open=not allow_zero)


def count(minimum: int = 1) -> click.IntRange:
    """A click type for a count: an integer from ``minimum`` to :data:`MAX_COUNT`."""
    return click.IntRange(min=minimum, max=MAX_COUNT)


def option(flag: str, help: str, *names: str, **settings):
    """A click option with its default shown, taken from :data:`DEFAULTS` unless given."""
    name = names[0] if names else flag.split("/")[0].lstrip("-").replace("-", "_")
    settings.setdefault("default", DEFAULTS.get(name))
    settings.setdefault("show_default", settings["default"] not in (None, ()))
    return click.option(flag, *names, help=help, **settings)


def _split_columns(ctx, param, value) -> tuple[str, ...]:
    """``--drop a --drop b,c`` → ("a", "b", "c")."""
    return tuple(name.strip() for item in value for name in item.split(",") if name.strip())


def data_options(function):
    """--data, --target, --task, --scale, --test-fraction, --validation-fraction, --seed."""
    options = [
        option(
            "--data",
            "digits, xor, circles, spirals, cats-dogs, cat-noncat, animals, or a CSV file "
            "with a header row.",
            metavar="NAME|PATH.csv",
        ),
        option(
            "--target", "Target column of a CSV file (default: the last column).", metavar="COLUMN"
        ),
        option(
            "--drop",
            "Columns of a CSV file that are not features (an ID, a free-text note); "
            "repeat it or separate the names with commas.",
            metavar="COLUMN",
            multiple=True,
            callback=_split_columns,
        ),
        option(
            "--id",
            "ID column of a CSV file: not a feature; mlplab predict copies it into its "
            "output so each prediction names its row.",
            "id_column",
            metavar="COLUMN",
        ),
        option(
            "--task",
            "auto: whole numbers and text are classes, other numbers regression.",
            type=click.Choice(("auto", "classification", "regression")),
            default="auto",
        ),
        option(
            "--scale/--no-scale",
            "Scale the inputs (digits: divide by 16; others: standardize), fitted on the "
            "training part; the saved model takes raw inputs.",
            default=True,
        ),
        option("--test-fraction", "Share held out for the final test (0: none).", type=Fraction()),
        option(
            "--validation-fraction",
            "Share of the rest held out for validation curves and early stopping.",
            type=Fraction(),
        ),
        option(
            "--seed",
            "Seeds the data, the splits, the initial weights and the batch order.",
            type=click.IntRange(min=0, max=MAX_SEED),
        ),
    ]
    return _apply(function, options)


def model_options(function):
    """The network and its training: --hidden, --activation, ..., --dtype."""
    options = [
        option(
            "--hidden",
            "Units per hidden layer, comma-separated ('none': no hidden layer).",
            type=HiddenLayers(),
            default="64",
        ),
        option("--activation", "f of the hidden units.", type=click.Choice(ACTIVATIONS)),
        option(
            "--output",
            "Output layer for more than two classes: softmax, or the lecture's K sigmoid "
            "units (two classes always use one sigmoid unit).",
            type=click.Choice(OUTPUTS),
        ),
        option(
            "--solver",
            "gd is full-batch gradient descent; lbfgs and cg use scipy.",
            type=click.Choice(SOLVERS),
        ),
        option(
            "--learning-rate",
            "η, the initial learning rate (gd, sgd, adam).",
            type=positive_float("learning_rate"),
        ),
        option(
            "--alpha",
            "λ, the L2 regularization strength (bias weights excluded).",
            type=positive_float("alpha"),
        ),
        option("--epochs", "Most epochs (iterations for lbfgs/cg).", type=count()),
        option(
            "--batch-size", "Mini-batch size of sgd/adam; auto = min(200, m).", type=BatchSize()
        ),
        option(
            "--patience",
            "Stop after this many epochs without improvement.",
            type=count(),
        ),
        option(
            "--early-stopping/--no-early-stopping",
            "Stop when the --monitor figure stops improving and keep the best epoch's "
            "weights. Default: on when the validation part has at least "
            f"{EARLY_STOPPING_MIN_VALIDATION} examples; otherwise training stops when the "
            "training loss stops improving.",
        ),
        option(
            "--monitor",
            "What early stopping watches: the validation loss (smooth even on a small "
            "validation part), or the validation score: val_accuracy (classification), "
            "val_r2 (regression).",
            type=click.Choice(MONITORS),
        ),
        option(
            "--initializer",
            "How θ is drawn: uniform is the lecture's θ ~ U[−ε, ε] (ε: --init-epsilon).",
            type=click.Choice(INITIALIZERS),
            default="glorot",
        ),
        option(
            "--init-epsilon",
            "ε of --initializer uniform (default √6/√(u_in + u_out)).",
            type=positive_float("init_epsilon"),
            default=None,
            metavar="ε",
        ),
        option(
            "--preset",
            "lecture: the slides' network (sigmoid units, K sigmoid outputs, uniform ±0.12 "
            "init, batch gradient descent, η = 1); options given explicitly win.",
            type=click.Choice(("lecture",)),
            default=None,
        ),
        option(
            "--dtype",
            "Precision of the weights and of every computation.",
            type=click.Choice(DTYPES),
        ),
    ]
    return _apply(function, options)


def apply_preset(ctx: click.Context, opts: dict) -> dict:
    """``opts`` with the --preset's values for every option left at its default."""
    if opts.get("preset") is None:
        return opts
    from ..presets import preset

    opts = dict(opts)
    for name, value in preset(opts["preset"]).items():
        option = _PRESET_OPTIONS.get(name, name)
        if ctx.get_parameter_source(option) is click.core.ParameterSource.DEFAULT:
            opts[option] = value
    return opts


def _apply(function, options):
    """Apply click option decorators so that they show in the order listed."""
    for option in reversed(options):
        function = option(function)
    return function


def is_debug(ctx: click.Context | None = None) -> bool:
    """Whether ``mlplab --debug`` was given (full tracebacks)."""
    ctx = ctx or click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
            return True
        ctx = ctx.parent
    return False


@contextlib.contextmanager
def data_errors():
    """Turn errors about the user's files and data into a one-line :class:`DataError`.

    ValueError covers bad values and bad files (CSVFormatError, ModelFileError), OSError
    missing files and folders, MemoryError a network or batch too large for the memory.
    With ``mlplab --debug`` they propagate with the traceback.
    """
    try:
        yield
    except click.ClickException:
        raise
    except (ValueError, OSError, MemoryError) as error:
        if is_debug():
            raise
        raise DataError(one_line(error)) from error


def one_line(error: BaseException) -> str:
    """An exception's message on one line."""
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.strerror}: {error.filename!r}"
    elif isinstance(error, MemoryError) and not text.startswith("not enough memory"):
        text = f"not enough memory: {text}"  # numpy's "Unable to allocate 8 GiB for ..."
    return " ".join(text.split())


def refuse_overwriting_inputs(output, option: str, **inputs) -> None:
    """A usage error if the file ``output`` (given with ``option``) is one of ``inputs``.

    ``inputs`` maps what a file is ("the model", "the input CSV") to its path; the same
    file under another name (a link, ``./x`` for ``x``) is caught too.
    """
    import os

    if output is None:
        return
    for what, path in inputs.items():
        try:
            same = os.path.samefile(output, path)
        except (OSError, ValueError):
            same = False
        if same:
            raise click.BadParameter(
                f"{os.fspath(output)!r} is {what.replace('_', ' ')}, which it would replace; "
                "write to another file",
                param_hint=f"'{option}'",
            )


def echo_err(message: str) -> None:
    """A line on stderr (progress, notes, warnings)."""
    click.echo(message, err=True)


def stdout_console():
    """A rich Console on stdout (plain text when stdout is not a terminal).

    Piped or captured output is not squeezed into rich's default 80 columns: tables
    with sentences in them are far easier to read at 120 ($COLUMNS wins if set).
    """
    import os
    import sys

    from rich.console import Console

    width = None
    if not sys.stdout.isatty():
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else 120
    return Console(highlight=False, soft_wrap=False, width=width)


def format_hidden(hidden: tuple[int, ...]) -> str:
    """(25, 25) → "25,25"; () → "none"."""
    return ",".join(str(h) for h in hidden) or "none"
