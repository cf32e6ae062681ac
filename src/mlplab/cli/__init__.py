"""The ``mlplab`` command line: a thin shell over the library's functions.

Each subcommand lives in its own module and is imported only when it runs, so
``mlplab --help`` never pays for numpy's friends (scikit-learn, matplotlib, scipy).
Results go to stdout, progress and errors to stderr. Exit codes: 0 success, 1 a data or
model error (one line, no traceback unless ``--debug``), 2 a usage error, 130/143 when
interrupted by SIGINT/SIGTERM.
"""

from __future__ import annotations

import importlib

import click

from .._version import __version__

# name -> (module, function, one-line help shown by `mlplab --help`)
COMMANDS = {
    "train": ("train", "train", "Train a network and write model, history, figures and report."),
    "evaluate": ("evaluate", "evaluate", "Score a saved model on a data set."),
    "predict": ("predict", "predict", "Predict labels and probabilities for a CSV file."),
    "gradcheck": ("gradcheck", "gradcheck", "Check backprop against numerical gradients."),
    "logic": ("logic", "logic", "Print the lecture's Boolean functions from hand-set units."),
    "demo": ("demo", "demo", "Run one of the lecture's demos and save its figures."),
    "doctor": ("doctor", "doctor", "Diagnose a training setup (babysitting, automated)."),
    "export": ("export", "export", "Export a saved model to ONNX."),
    "report": ("report", "report", "Rebuild the HTML report of a run folder."),
    "playground": (
        "playground",
        "playground",
        "Train networks live in the browser (needs the playground extra).",
    ),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[name]
        module = importlib.import_module(f"{__name__}.{module_name}")
        return getattr(module, attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as error:
            raise _with_hint(error) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, _, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mlplab")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """mlplab: feed-forward neural networks trained by backpropagation.

    \b
    Examples:
      mlplab train                          # digits, one hidden layer, report in ./mlplab-run
      mlplab train --data spirals --hidden 25,25 --epochs 300
      mlplab logic
      mlplab doctor --data digits
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _with_hint(error: click.NoSuchOption) -> click.NoSuchOption:
    """``error`` naming the command's option for a name from elsewhere (--lambda → --alpha).

    The names come from the one vocabulary table (:func:`mlplab.names.option_hint`);
    click's own "Did you mean" stays for near misses the table does not know.
    """
    from ..names import option_hint

    command = error.ctx.command if error.ctx is not None else None
    flags = [opt for param in getattr(command, "params", ()) for opt in getattr(param, "opts", ())]
    advice = option_hint(error.option_name, flags)
    if advice is None:
        return error
    message = f"No such option: {error.option_name}. Did you mean {advice}?"
    return click.NoSuchOption(error.option_name, message, ctx=error.ctx)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mlplab`` script."""
    from ._errors import run

    run(cli, argv)
