"""``mlplab logic``: the slides' Boolean functions computed by hand-set sigmoid units."""

from __future__ import annotations

import click

NAMES = ("NOT", "NOR", "AND", "OR", "NAND", "XNOR", "XOR")


@click.command()
@click.argument("names", nargs=-1, type=click.Choice(NAMES, case_sensitive=False))
def logic(names: tuple[str, ...]) -> None:
    """Print truth tables computed by the lecture's hand-set networks.

    Each row shows the inputs, the true value y and the network's output h_θ(x) = f(z).

    \b
    Examples:
      mlplab logic             # all of them
      mlplab logic xnor xor    # the two-layer compositions
    """
    from ..logic import format_table

    for index, name in enumerate(names or NAMES):
        if index:
            click.echo()
        click.echo(format_table(name))
