"""Demo ``features``: "features a⁽²⁾ are learned by the network"."""

from __future__ import annotations

import numpy as np

from .. import metrics
from ._common import DemoResult, save_figures, single_threaded_blas

__all__ = ["demo_features"]


@single_threaded_blas
def demo_features(
    *,
    out_dir=None,
    random_state=0,
    hidden_units: int = 5,
    digits_hidden_units: int = 16,
    digits_epochs: int = 40,
) -> DemoResult:
    """What the hidden units compute: half-planes in 2-D, stroke detectors on digits.

    The lecture's recap: h_θ(x) = f(θ⁽²⁾ a⁽²⁾) "is basically logistic regression, but now
    the features a⁽²⁾ are learned by the network". On two concentric circles each hidden
    unit a⁽²⁾ᵢ = f(θ⁽¹⁾ᵢ [1; x]) is bright on one side of its own line z⁽²⁾ᵢ = 0; the output
    unit then needs only to combine the half-planes into the inner disc. On the 8×8
    digits each hidden unit's incoming weights θ⁽¹⁾ᵢⱼ, drawn as an image, show the
    pixels that excite it (red) or inhibit it (blue), each unit on its own scale.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``features-units.png``, ``features-regions.png`` and
        ``features-digit-weights.png``.
    random_state : int, default=0
        Seeds the data and the networks.
    hidden_units : int, default=5
        Hidden units of the 2-D network (layer sizes 2-u-1): five lines enclose the
        inner circle in a pentagon.
    digits_hidden_units : int, default=16
        Hidden units of the digits network (layer sizes 64-u-10).
    digits_epochs : int, default=40
        Adam epochs of the digits network.

    Returns
    -------
    DemoResult
        ``numbers``: ``circles_accuracy`` (training set), ``digits_test_accuracy``.
    """
    from .. import plots
    from .._rng import as_generator
    from ..datasets import circles, digits_split, one_hot
    from ..network import Network
    from ..training import train

    rng = as_generator(random_state)
    data = circles(300, noise=0.1, random_state=rng)
    net = Network([2, hidden_units, 1], activation="sigmoid", output="sigmoid", random_state=rng)
    train(
        net,
        data.X,
        data.y.reshape(-1, 1),
        task="binary",
        solver="lbfgs",
        alpha=1e-3,
        max_iter=500,
        random_state=rng,
    )
    circles_accuracy = metrics.accuracy("binary", net.forward(data.X), data.y[:, None])

    X_train, X_test, y_train, y_test = digits_split(scale=True, random_state=rng)
    digits_net = Network(
        [64, digits_hidden_units, 10], activation="sigmoid", output="sigmoid", random_state=rng
    )
    train(
        digits_net,
        X_train,
        one_hot(y_train, classes=np.arange(10)),
        solver="adam",
        learning_rate_init=0.01,
        batch_size=32,
        alpha=1e-2,
        max_iter=digits_epochs,
        random_state=rng,
    )
    digits_accuracy = float(np.mean(digits_net.forward(X_test).argmax(axis=1) == y_test))

    result = DemoResult("features")
    result.numbers = {
        "circles_accuracy": circles_accuracy,
        "digits_test_accuracy": digits_accuracy,
        "hidden_units": hidden_units,
        "digits_hidden_units": digits_hidden_units,
    }
    result.figures["units"] = plots.hidden_unit_activations(
        net,
        X=data.X,
        title=(
            f"Features a⁽²⁾ learned by {hidden_units} hidden units on two circles:\n"
            "each is ≈ 1 on one side of its line z⁽²⁾ᵢ = 0 (dashed), ≈ 0 on the other"
        ),
    )
    result.figures["regions"] = _regions(plots, net, data, circles_accuracy)
    result.figures["digit-weights"] = plots.hidden_unit_images(
        digits_net,
        title=(
            f"Digits network 64-{digits_hidden_units}-10 (test accuracy {digits_accuracy:.1%}):\n"
            "incoming weights θ⁽¹⁾ of each hidden unit as 8×8 images\n"
            "each on its own scale: red excites the unit, blue inhibits it, white is 0"
        ),
    )
    return save_figures(result, out_dir)


def _regions(plots, net, data, accuracy: float):
    """The output's decision regions with every hidden unit's line z⁽²⁾ᵢ = 0 on top."""
    from ..plots.base import line_handle
    from ._common import draw_hidden_lines, new_figure

    fig = new_figure(8.0, 5.8)
    ax = fig.add_subplot()
    plots.decision_regions(
        net.forward,
        data.X,
        data.y,
        class_names=("outer circle (y = 0)", "inner circle (y = 1)"),
        ax=ax,
        title=(
            f"The output unit combines the {net.layer_sizes[1]} half-planes into a closed "
            f"region\n(training accuracy {accuracy:.1%})"
        ),
    )
    draw_hidden_lines(ax, net, "#6a3d9a", 1.3)
    legend = ax.get_legend()
    handles = [*legend.legend_handles, line_handle(color="#6a3d9a", linestyle="--")]
    labels = [t.get_text() for t in legend.get_texts()] + ["hidden unit's line z⁽²⁾ᵢ = 0"]
    ax.legend(
        handles, labels, title="class", loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9
    )
    ax.set_aspect("equal")
    return fig
