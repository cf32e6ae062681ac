"""Demo ``xor``: no hidden layer cannot learn XOR; a hidden layer of two units can."""

from __future__ import annotations

from .. import metrics
from ._common import (
    EVERY_EPOCH,
    DemoResult,
    draw_hidden_lines,
    new_figure,
    save_figures,
    single_threaded_blas,
)

__all__ = ["XOR_SEED", "demo_xor", "fit_xor"]

#: The seed for which the documented 2-2-1 run reaches 100% (θ drawn from it).
XOR_SEED = 0

_HIDDEN = "#6a3d9a"  # the hidden units' lines, apart from both class colors

#: Solver settings that make each solver converge on the four XOR points.
SOLVER_SETTINGS = {
    "gd": {"learning_rate_init": 2.0, "max_iter": 3000},
    "adam": {"learning_rate_init": 0.05, "max_iter": 2000},
    "lbfgs": {"max_iter": 500},
}


@single_threaded_blas
def fit_xor(hidden_units: int, *, solver: str = "gd", random_state=XOR_SEED, **config):
    """Train a sigmoid network on the four XOR examples and score it on them.

    Parameters
    ----------
    hidden_units : int
        Units u₂ of the one hidden layer; 0 for no hidden layer (a single unit,
        logistic regression: layer sizes 2-1).
    solver : {"gd", "adam", "lbfgs", ...}, default="gd"
        The training solver; :data:`SOLVER_SETTINGS` gives η and the epochs for the
        three named there, ``config`` overrides them.
    random_state : None, int or numpy.random.Generator, default=XOR_SEED
        Seeds the initial θ (uniform in [−ε, ε]) and the batch order.
    **config
        More :class:`mlplab.training.TrainingConfig` fields.

    Returns
    -------
    net : Network
        The trained network, layer sizes ``[2, hidden_units, 1]`` or ``[2, 1]``.
    history : History
        One row per epoch (``train_loss`` is J(θ)).
    accuracy : float
        Fraction of the 4 examples with (h_θ(x) ≥ 0.5) = y.
    """
    from .._rng import as_generator
    from ..datasets import boolean_function
    from ..network import Network
    from ..training import train

    table = boolean_function("xor")
    X, Y = table.X, table.y.reshape(-1, 1).astype(float)
    sizes = [2, 1] if hidden_units == 0 else [2, int(hidden_units), 1]
    rng = as_generator(random_state)
    net = Network(sizes, activation="sigmoid", output="sigmoid", random_state=rng)
    # λ = 0: four examples, nothing to overfit
    settings = {"alpha": 0.0, **EVERY_EPOCH, **SOLVER_SETTINGS.get(solver, {}), **config}
    history = train(net, X, Y, task="binary", solver=solver, random_state=rng, **settings)
    accuracy = metrics.accuracy("binary", net.forward(X), Y)
    return net, history, accuracy


@single_threaded_blas
def demo_xor(
    *,
    out_dir=None,
    random_state=XOR_SEED,
    solver: str = "gd",
    sweep_solvers=("gd", "adam", "lbfgs"),
    sweep_seeds=(0, 1, 2),
) -> DemoResult:
    """XOR: a single unit draws one line and stays at 75% or below; two hidden units solve it.

    Minsky and Papert (1969) showed that a perceptron cannot compute XOR: the positive
    points (0, 1), (1, 0) and the negative ones (0, 0), (1, 1) are not separable by a line,
    so at most 3 of the 4 can be right. A network with a hidden layer of two sigmoid
    units learns two lines and combines them. The demo trains both by batch gradient
    descent (θ := θ − ηD, η = 2, 3000 epochs) from the same seed, and repeats the
    no-hidden-layer fit for every solver and seed of the sweep.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``xor-boundaries.png``; created if missing.
    random_state : int, default=XOR_SEED
        Seed of the two drawn networks. With seed 0 and "gd" the 2-2-1 network scores 100%.
    solver : str, default="gd"
        Solver of the two drawn networks.
    sweep_solvers, sweep_seeds : sequences
        The no-hidden-layer network is also trained with each solver and seed.

    Returns
    -------
    DemoResult
        ``numbers``: ``accuracy_no_hidden``, ``accuracy_hidden``, ``final_loss_no_hidden``,
        ``final_loss_hidden``, ``sweep`` ({"solver/seed": accuracy}) and
        ``best_accuracy_no_hidden`` (the sweep's best, never above 0.75).
        ``figures["boundaries"]``: both decision regions and the loss curves.
    """
    linear, linear_history, linear_accuracy = fit_xor(0, solver=solver, random_state=random_state)
    hidden, hidden_history, hidden_accuracy = fit_xor(2, solver=solver, random_state=random_state)
    sweep = {}
    for name in sweep_solvers:
        for seed in sweep_seeds:
            # the linear unit reaches its optimum quickly: a shorter run is enough
            epochs = {"max_iter": 300} if name in ("gd", "adam") else {}
            sweep[f"{name}/{seed}"] = fit_xor(0, solver=name, random_state=seed, **epochs)[2]
    result = DemoResult("xor")
    result.numbers = {
        "solver": solver,
        "random_state": random_state,
        "accuracy_no_hidden": linear_accuracy,
        "accuracy_hidden": hidden_accuracy,
        "final_loss_no_hidden": float(linear_history["train_loss"][-1]),
        "final_loss_hidden": float(hidden_history["train_loss"][-1]),
        "sweep": sweep,
        "best_accuracy_no_hidden": max([linear_accuracy, *sweep.values()]),
    }
    result.tables["xor"] = _table(result.numbers)
    result.figures["boundaries"] = _figure(
        (linear, linear_history, linear_accuracy), (hidden, hidden_history, hidden_accuracy)
    )
    return save_figures(result, out_dir)


def _table(numbers: dict) -> str:
    """The accuracies as text."""
    lines = [
        f"no hidden layer (2-1):       accuracy {numbers['accuracy_no_hidden']:.0%}, "
        f"final J {numbers['final_loss_no_hidden']:.4f}",
        f"hidden layer of 2 (2-2-1):   accuracy {numbers['accuracy_hidden']:.0%}, "
        f"final J {numbers['final_loss_hidden']:.4f}",
        "no hidden layer, best over "
        + ", ".join(numbers["sweep"])
        + f": {numbers['best_accuracy_no_hidden']:.0%}",
    ]
    return "\n".join(lines)


def _figure(linear_run, hidden_run):
    """Decision regions of both networks and their loss curves, side by side."""
    from ..datasets import boolean_function
    from ..plots import decision_regions
    from ..plots.curves import loss_per_epoch

    table = boolean_function("xor")
    fig = new_figure(15.5, 4.9)
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 0.9])
    for ax, (net, _, accuracy), label in zip(
        axes, (linear_run, hidden_run), ("No hidden layer (2-1)", "Hidden layer of 2 units (2-2-1)")
    ):
        decision_regions(
            net.forward,
            table.X,
            table.y,
            class_names=("y = 0 (x₁ = x₂)", "y = 1 (x₁ ≠ x₂)"),
            resolution=150,
            marker_size=110,  # four examples only: bigger than a data cloud's points
            ax=ax,
            title=f"{label}: accuracy {accuracy:.0%}",
        )
        ax.set_aspect("equal")
    draw_hidden_lines(axes[1], hidden_run[0], _HIDDEN, 1.8)  # the two learned lines
    for ax, note, color in (
        (axes[0], "h_θ(x) ≈ 0.5 everywhere: no line gets more than 3 of 4 right", "0.25"),
        (axes[1], "purple dashes: the two hidden units' lines z⁽²⁾ᵢ = 0", _HIDDEN),
    ):
        ax.text(0.5, -0.2, note, transform=ax.transAxes, ha="center", fontsize=9, color=color)
    loss_per_epoch(
        axes[2],
        {"no hidden layer": (linear_run[1], "C3"), "hidden layer of 2": (hidden_run[1], "C0")},
        chance_label="J = ln 2 ≈ 0.693 (h = 0.5 everywhere)",
        xlabel="epoch (log scale; one step on all 4 examples)",
        title="Loss per epoch",
    )
    fig.suptitle("XOR is not linearly separable: one unit draws one line, a hidden layer draws two")
    return fig
