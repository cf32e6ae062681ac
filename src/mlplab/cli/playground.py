"""``mlplab playground``: serve the interactive page on this machine."""

from __future__ import annotations

import click

from ._common import FiniteFloat
from ._errors import DataError


@click.command(name="playground")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; anything but loopback exposes the page.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.option(
    "--max-pages",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="Most pages (tabs) open at once.",
)
@click.option(
    "--idle-timeout",
    type=FiniteFloat(10, 86400),
    default=600,
    show_default=True,
    help="Seconds after which an idle page is dropped.",
)
@click.option(
    "--max-epochs",
    type=click.IntRange(1, 1_000_000),
    default=10_000,
    show_default=True,
    help="Epochs per run; bounds a page's memory (about 2 MB per thousand epochs).",
)
def playground(
    host: str,
    port: int,
    open_browser: bool,
    max_pages: int,
    idle_timeout: float,
    max_epochs: int,
) -> None:
    """Train networks live in the browser: regions, hidden units, θ, curves, truth tables.

    The page trains a real MLPClassifier in a worker thread per browser tab and shows it
    live; it talks only to this server. Ctrl-C stops the server.

    \b
    Examples:
      mlplab playground --open
      mlplab playground --port 9000 --max-pages 5
    """
    try:
        from ..playground.config import Limits
        from ..playground.server import is_loopback, serve
    except ImportError as error:  # pragma: no cover - the extra is installed in dev
        raise DataError(
            f"the playground needs its optional parts ({error.name} is missing): "
            "pip install 'mlplab[playground]'"
        ) from None
    if not is_loopback(host):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine can use the "
            "playground (it has no login); use --host 127.0.0.1 to keep it local",
            err=True,
        )
    limits = Limits(max_pages=max_pages, idle_timeout=float(idle_timeout), max_epochs=max_epochs)

    def ready(url: str) -> None:
        click.echo(f"mlplab playground: {url}  (Ctrl-C to stop)")

    serve(host, port, limits=limits, open_browser=open_browser, on_ready=ready)
