"""``mlplab demo``: run one of the lecture's demos and save its figures."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import data_errors


@click.command()
@click.argument("name", required=False)
@click.option("--list", "list_demos", is_flag=True, help="List the demos and exit.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("mlplab-demos"),
    show_default=True,
    help="Folder for the demo's figures (<name>-<figure>.png).",
)
@click.pass_context
def demo(ctx: click.Context, name: str | None, list_demos: bool, out: Path) -> None:
    """Run one of the lecture's demos: print its numbers and tables, save its figures.

    \b
    Examples:
      mlplab demo --list
      mlplab demo xor
      mlplab demo digits --out figures
    """
    from ..demos import DEMOS, DESCRIPTIONS

    if list_demos:
        width = max(len(n) for n in DEMOS)
        for demo_name in DEMOS:
            click.echo(f"{demo_name.ljust(width)}  {DESCRIPTIONS.get(demo_name, '')}")
        return
    if name is None:
        raise click.UsageError("name a demo (mlplab demo --list shows them)", ctx)
    key = name.strip().lower().replace("_", "-")
    if key not in DEMOS:
        raise click.BadParameter(
            f"unknown demo {name!r}; valid demos are {', '.join(DEMOS)}",
            ctx,
            param_hint="NAME",
        )
    with data_errors():
        out.mkdir(parents=True, exist_ok=True)
        result = DEMOS[key](out_dir=out)
    summary = getattr(result, "summary", None)
    click.echo(summary() if callable(summary) else str(result))
