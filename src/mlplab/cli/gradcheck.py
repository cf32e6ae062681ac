"""``mlplab gradcheck``: backprop's gradient against central differences, per layer."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    ACTIVATIONS,
    MAX_SEED,
    FiniteFloat,
    HiddenLayers,
    count,
    data_errors,
    echo_err,
    format_hidden,
    option,
)
from ._errors import DataError


@click.command()
@option(
    "--hidden",
    "Units per hidden layer ('none': no hidden layer).",
    type=HiddenLayers(),
    default="5,4",
)
@option("--inputs", "n, input features.", type=count(), default=3)
@option("--outputs", "K, output units.", type=count(), default=3)
@option("--activation", "f of the hidden units.", type=click.Choice(ACTIVATIONS), default="sigmoid")
@option(
    "--output",
    "Output layer and its loss: binary cross-entropy, categorical cross-entropy, squared error.",
    type=click.Choice(("sigmoid", "softmax", "identity")),
    default="sigmoid",
)
@option(
    "--lam",
    "λ, so that the regularization gradient is checked too.",
    type=FiniteFloat(min=0.0),
    default=1.0,
)
@option("--examples", "m, random examples.", type=count(), default=5)
@option(
    "--seed",
    "Seeds the network and the examples.",
    type=click.IntRange(min=0, max=MAX_SEED),
    default=0,
)
@option(
    "--out",
    "Also write gradcheck.json and gradient_check.png there (a run folder's report then "
    "shows them).",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
)
def gradcheck(hidden, inputs, outputs, activation, output, lam, examples, seed, out) -> None:
    """Check backprop against numerical gradients on a small random network.

    Every parameter θⱼ is nudged by ±ε (ε = 1e-4) and (J(θ + εeⱼ) − J(θ − εeⱼ)) / 2ε is
    compared with backprop's ∂J/∂θⱼ by the relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), for
    each θ⁽ˡ⁾ and for all of them. Exits with 1 if the verdict is "wrong".

    \b
    Examples:
      mlplab gradcheck
      mlplab gradcheck --hidden 25,25 --activation tanh --output softmax --lam 0.1
    """
    import numpy as np

    from .. import Network, check_gradients
    from ..gradcheck import VERDICTS

    with data_errors():
        if output == "softmax" and outputs < 2:
            raise click.UsageError("--output softmax needs --outputs 2 or more")
        rng = np.random.default_rng(seed)
        net = Network(
            [inputs, *hidden, outputs], activation=activation, output=output, random_state=rng
        )
        X = rng.standard_normal((examples, inputs))
        if output == "identity":
            Y = rng.standard_normal((examples, outputs))
        elif output == "softmax" or outputs > 1:
            Y = np.eye(outputs)[rng.integers(outputs, size=examples)]
        else:
            Y = rng.integers(2, size=(examples, 1)).astype(np.float64)
        result = check_gradients(net, X, Y, lam=lam)
        click.echo(
            f"network {'-'.join(str(u) for u in net.layer_sizes)} ({activation} hidden, "
            f"{output} output), {result.examples} examples, λ = {lam:g}, {net.n_params} parameters"
        )
        click.echo(result.format_table())
        verdict = result.verdict()
        click.echo(f"verdict: {verdict}")
        if out is not None:
            _write(out, result, net, result.examples, lam, hidden, activation, output)
    if verdict == "wrong":
        raise DataError(
            f"gradient check failed: relative error {result.max_error:.2e} "
            f"(≥ {VERDICTS[-1][0]:g}); "
            "backprop disagrees with the numerical gradient"
        )


def _write(out: Path, result, net, examples, lam, hidden, activation, output) -> None:
    """gradcheck.json and gradient_check.png in ``out``; rebuild its report if it is a run."""
    from ..runs import RunFolder, run_lock

    run = RunFolder(out)
    with run_lock(out):
        figure = _write_locked(run, result, net, examples, lam, hidden, activation, output)
    echo_err(f"wrote {run.gradcheck_file} and {run.figure_file(figure['file'])}")


def _write_locked(run, result, net, examples, lam, hidden, activation, output) -> dict:
    """The writes of :func:`_write`, under the run folder's lock."""
    figure = run.write_gradcheck(
        result,
        {
            "network": "-".join(str(u) for u in net.layer_sizes),
            "hidden": format_hidden(hidden),
            "activation": activation,
            "output": output,
            "examples": examples,
            "λ": lam,
        },
    )
    if run.is_run():
        from ..runs import write_report

        write_report(run.path)
    return figure
