"""Demo ``init``: random initialization breaks the symmetry that zero weights never break."""

from __future__ import annotations

import numpy as np

from .. import metrics
from ._common import EVERY_EPOCH, DemoResult, new_figure, save_figures, single_threaded_blas

__all__ = ["demo_init"]


@single_threaded_blas
def demo_init(
    *,
    out_dir=None,
    random_state=0,
    hidden_units: int = 4,
    epochs: int = 2000,
    learning_rate: float = 2.0,
) -> DemoResult:
    """Zero initialization against θ ~ U[−ε, ε], on noisy XOR, by batch gradient descent.

    "Initializing all weights to zero does not work with neural networks": every hidden
    unit then computes the same a⁽²⁾ᵢ, receives the same δ⁽²⁾ᵢ and the same update, and
    stays a copy of the others, so the layer acts as one unit. Drawing every θ⁽ˡ⁾ᵢⱼ
    uniformly in [−ε, ε] breaks the symmetry. The two networks below differ only in
    their initial θ.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``init-symmetry.png``.
    random_state : int, default=0
        Seeds the data and the random initialization.
    hidden_units : int, default=4
        u₂ of both 2-u-1 networks.
    epochs : int, default=2000
        Gradient-descent epochs (one step on all examples each).
    learning_rate : float, default=2.0
        η of θ := θ − ηD.

    Returns
    -------
    DemoResult
        ``numbers[init]`` for init in ``("zeros", "uniform")``: ``accuracy`` (training
        set), ``final_loss`` and ``unit_spread``, the largest difference between any
        hidden unit's θ⁽¹⁾ᵢ row and the first unit's (0 up to rounding: the units are
        copies).
    """
    from .._rng import as_generator
    from ..datasets import xor_blobs
    from ..network import Network
    from ..training import train

    rng = as_generator(random_state)
    data = xor_blobs(200, noise=0.2, random_state=rng)
    Y = data.y.reshape(-1, 1).astype(float)
    runs = {}
    for init in ("zeros", "uniform"):
        net = Network(
            [2, hidden_units, 1],
            activation="sigmoid",
            output="sigmoid",
            initializer=init,
            random_state=rng,
        )
        settings = {"learning_rate_init": learning_rate, "max_iter": epochs, **EVERY_EPOCH}
        history = train(
            net, data.X, Y, task="binary", solver="gd", alpha=0.0, random_state=rng, **settings
        )
        first = net.thetas[0]
        runs[init] = {
            "net": net,
            "history": history,
            "accuracy": metrics.accuracy("binary", net.forward(data.X), data.y[:, None]),
            "final_loss": float(history["train_loss"][-1]),
            "unit_spread": float(np.max(np.abs(first - first[0]))),
        }
    result = DemoResult("init")
    result.numbers = {
        init: {k: v for k, v in run.items() if k not in ("net", "history")}
        for init, run in runs.items()
    }
    result.tables["theta1"] = "\n\n".join(
        f"θ⁽¹⁾ after training, {init} initialization (rows: hidden units; bias, w₁, w₂):\n"
        + np.array2string(run["net"].thetas[0], precision=3, suppress_small=True)
        for init, run in runs.items()
    )
    result.figures["symmetry"] = _figure(data, runs, hidden_units)
    return save_figures(result, out_dir)


def _figure(data, runs, hidden_units: int):
    """Decision regions of both networks and their loss curves."""
    from ..plots import decision_regions
    from ..plots.curves import loss_per_epoch

    fig = new_figure(15.5, 5.0)
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 0.9])
    titles = {
        "zeros": "All θ = 0 at the start",
        "uniform": "θ ~ U[−ε, ε] at the start",
    }
    for ax, (init, run) in zip(axes, runs.items()):
        spread = run["unit_spread"]
        units = (
            "the hidden units' θ⁽¹⁾ᵢ are identical (differ by < 1e-6)"
            if spread < 1e-6
            else f"the hidden units' θ⁽¹⁾ᵢ differ by up to {spread:.2g}"
        )
        decision_regions(
            # h rounded to 6 decimals: a network answering h = 0.5 ± rounding noise
            # everywhere gets one region, not a coin flip of BLAS rounding per point
            lambda X, net=run["net"]: np.round(net.forward(X), 6),
            data.X,
            data.y,
            class_names=("y = 0", "y = 1"),
            ax=ax,
            resolution=150,
            title=f"{titles[init]}: accuracy {run['accuracy']:.0%}\n{units}",
        )
        ax.set_aspect("equal")
    loss_per_epoch(
        axes[2],
        {
            titles[init]: (run["history"], color)
            for (init, run), color in zip(runs.items(), ["C3", "C0"])
        },
        chance_label="J = ln 2",
        xlabel="epoch (log scale)",
        title="Loss per epoch (batch gradient descent)",
    )
    fig.suptitle(
        f"Symmetry breaking on noisy XOR, 2-{hidden_units}-1 network: started at zero, the "
        f"{hidden_units} hidden units stay identical and act as one"
    )
    return fig
