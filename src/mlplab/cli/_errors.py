"""Turning exceptions into one-line messages and exit codes."""

from __future__ import annotations

import errno
import io
import sys

import click

EXIT_DATA_ERROR = 1  # usage errors exit with 2, click's UsageError code
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class DataError(click.ClickException):
    """A problem with the user's data or model file: exit code 1, one line, no traceback."""

    exit_code = EXIT_DATA_ERROR

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class ClosedOutputError(OSError):
    """Standard output was closed when mlplab started (``>&-``): nothing can be written."""

    def __str__(self) -> str:
        return self.strerror


class _ClosedStdout(io.TextIOBase):
    """Stands for a closed standard output: every write fails, so no result is lost silently.

    (Python sets ``sys.stdout`` to None then, and click's ``echo`` writes nothing to None.)
    """

    encoding = "utf-8"
    errors = "strict"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise ClosedOutputError(
            errno.EBADF,
            "standard output is closed, so the results cannot be written; redirect it to a "
            "file (or give --out where the command has it)",
        )


def run(cli: click.Group, argv: list[str] | None) -> None:
    """Run the click group; data errors exit 1 with one line unless --debug is given."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    try:
        # Without standalone mode click returns ctx.exit(code)'s code instead of exiting.
        result = cli.main(args=argv, prog_name="mlplab", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_SIGINT)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_SIGINT)
    except (ValueError, TypeError, OSError, MemoryError) as error:
        if debug:
            raise
        click.echo(f"error: {_one_line(error)}", err=True)
        sys.exit(EXIT_DATA_ERROR)
    sys.exit(result if isinstance(result, int) and not isinstance(result, bool) else 0)


def _one_line(error: BaseException) -> str:
    """The message of an exception on one line (first line of a multi-line message kept whole)."""
    text = str(error) or type(error).__name__
    return " ".join(text.split("\n")) if len(text) < 400 else text.splitlines()[0]
