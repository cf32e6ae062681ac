"""What the subcommands share: option types, the data and model options, error handling.

Nothing here imports numpy or scikit-learn at module level: ``mlplab train --help`` must
stay as quick as ``mlplab --help``.
"""

from __future__ import annotations

import contextlib
import math

import click

from ._errors import DataError

#: Hidden-unit activations the estimators accept ("logistic" is the sigmoid).
ACTIVATIONS = ("relu", "sigmoid", "logistic", "tanh", "identity")
#: Output layers of a classifier with K > 2 classes (two classes always use one sigmoid).
OUTPUTS = ("softmax", "sigmoid")
#: mlplab.optimizers.SOLVERS, repeated here so that --help imports no numpy.
SOLVERS = ("gd", "sgd", "adam", "lbfgs", "cg")
#: Solvers whose state can be checkpointed (the others run inside scipy.optimize).
EPOCH_SOLVERS = ("gd", "sgd", "adam")
DTYPES = ("float64", "float32")
#: mlplab.initializers.INITIALIZERS, repeated here so that --help imports no numpy.
INITIALIZERS = ("glorot", "uniform", "he", "zeros")
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
}


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
            if not part.isdigit() or int(part) < 1:
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


def positive_float(name: str):
    """A click type for a finite float > 0 (or >= 0 for λ)."""
    allow_zero = name == "alpha"
    return click.FloatRange(min=0.0, min_open=not allow_zero)


def data_options(function):
    """--data, --target, --task, --scale, --test-fraction, --validation-fraction, --seed."""
    options = [
        click.option(
            "--data",
            default=DEFAULTS["data"],
            show_default=True,
            metavar="NAME|PATH.csv",
            help="digits, xor, circles, spirals, cats-dogs, cat-noncat, animals, or a CSV "
            "file with a header row.",
        ),
        click.option(
            "--target",
            default=None,
            metavar="COLUMN",
            help="Target column of a CSV file (default: the last column).",
        ),
        click.option(
            "--task",
            type=click.Choice(("auto", "classification", "regression")),
            default="auto",
            show_default=True,
            help="auto: whole numbers and text are classes, other numbers regression.",
        ),
        click.option(
            "--scale/--no-scale",
            default=True,
            show_default=True,
            help="Scale the inputs (digits: divide by 16; others: standardize), fitted on "
            "the training part; the saved model takes raw inputs.",
        ),
        click.option(
            "--test-fraction",
            type=Fraction(),
            default=DEFAULTS["test_fraction"],
            show_default=True,
            help="Share held out for the final test (0: none).",
        ),
        click.option(
            "--validation-fraction",
            type=Fraction(),
            default=DEFAULTS["validation_fraction"],
            show_default=True,
            help="Share of the rest held out for validation curves and early stopping.",
        ),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=DEFAULTS["seed"],
            show_default=True,
            help="Seeds the data, the splits, the initial weights and the batch order.",
        ),
    ]
    return _apply(function, options)


def model_options(function):
    """The network and its training: --hidden, --activation, ..., --dtype."""
    options = [
        click.option(
            "--hidden",
            type=HiddenLayers(),
            default="64",
            show_default=True,
            help="Units per hidden layer, comma-separated ('none': no hidden layer).",
        ),
        click.option(
            "--activation",
            type=click.Choice(ACTIVATIONS),
            default=DEFAULTS["activation"],
            show_default=True,
            help="f of the hidden units.",
        ),
        click.option(
            "--output",
            type=click.Choice(OUTPUTS),
            default=DEFAULTS["output"],
            show_default=True,
            help="Output layer for more than two classes: softmax, or the lecture's K "
            "sigmoid units (two classes always use one sigmoid unit).",
        ),
        click.option(
            "--solver",
            type=click.Choice(SOLVERS),
            default=DEFAULTS["solver"],
            show_default=True,
            help="gd is full-batch gradient descent; lbfgs and cg use scipy.",
        ),
        click.option(
            "--learning-rate",
            type=positive_float("learning_rate"),
            default=DEFAULTS["learning_rate"],
            show_default=True,
            help="η, the initial learning rate (gd, sgd, adam).",
        ),
        click.option(
            "--alpha",
            type=positive_float("alpha"),
            default=DEFAULTS["alpha"],
            show_default=True,
            help="λ, the L2 regularization strength (bias weights excluded).",
        ),
        click.option(
            "--epochs",
            type=click.IntRange(min=1),
            default=DEFAULTS["epochs"],
            show_default=True,
            help="Most epochs (iterations for lbfgs/cg).",
        ),
        click.option(
            "--batch-size",
            type=BatchSize(),
            default="auto",
            show_default=True,
            help="Mini-batch size of sgd/adam; auto = min(200, m).",
        ),
        click.option(
            "--patience",
            type=click.IntRange(min=1),
            default=DEFAULTS["patience"],
            show_default=True,
            help="Stop after this many epochs without improvement.",
        ),
        click.option(
            "--early-stopping/--no-early-stopping",
            default=None,
            help="Stop when the validation accuracy (R² for regression) stops improving and "
            "keep the best epoch's weights. Default: on when the validation part has at "
            f"least {EARLY_STOPPING_MIN_VALIDATION} examples; otherwise training stops when "
            "the training loss stops improving.",
        ),
        click.option(
            "--initializer",
            type=click.Choice(INITIALIZERS),
            default="glorot",
            show_default=True,
            help="How θ is drawn: uniform is the lecture's θ ~ U[−ε, ε] (ε: --init-epsilon).",
        ),
        click.option(
            "--init-epsilon",
            type=positive_float("init_epsilon"),
            default=None,
            metavar="ε",
            help="ε of --initializer uniform (default √6/√(u_in + u_out)).",
        ),
        click.option(
            "--preset",
            type=click.Choice(("lecture",)),
            default=None,
            help="lecture: the slides' network (sigmoid units, K sigmoid outputs, uniform "
            "±0.12 init, batch gradient descent, η = 1); options given explicitly win.",
        ),
        click.option(
            "--dtype",
            type=click.Choice(DTYPES),
            default=DEFAULTS["dtype"],
            show_default=True,
            help="Precision of the weights and of every computation.",
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
    missing files and folders. With ``mlplab --debug`` they propagate with the traceback.
    """
    try:
        yield
    except click.ClickException:
        raise
    except (ValueError, OSError) as error:
        if is_debug():
            raise
        raise DataError(one_line(error)) from error


def one_line(error: BaseException) -> str:
    """An exception's message on one line."""
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.strerror}: {error.filename!r}"
    return " ".join(text.split())


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
