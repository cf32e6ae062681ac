"""The gradient check's relative errors per θ⁽ˡ⁾, against the verdict bands."""

from __future__ import annotations

import itertools
import math

import numpy as np
from matplotlib.figure import Figure

from ..gradcheck import VERDICTS, verdict
from .base import THETA, finish, layer_symbol, new_figure, titled

_VERDICT_COLORS = {
    "good": "#2ca02c",
    "acceptable": "#bcbd22",
    "suspect": "#ff7f0e",
    "wrong": "#d62728",
}
_VERDICT_TEXT_COLORS = {
    "good": "#1d6b1d",
    "acceptable": "#6f7010",
    "suspect": "#a84f00",
    "wrong": "#a01c1c",
}


# ---------------------------------------------------------------------- gradient checking
def gradient_check_table(result, *, title: str | None = None, path=None) -> Figure:
    """The relative error of each θ⁽ˡ⁾ and of all parameters, on a log scale.

    Bands mark the usual reading of ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖): below 1e-7 backprop is right,
    up to 1e-4 acceptable, up to 1e-2 suspect, above that wrong.

    Parameters
    ----------
    result : GradientCheck
        From :func:`mlplab.check_gradients` (``relative_error``, ``layer_errors``,
        ``layer_shapes``).
    title : str, optional
        Drawn literally.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one bar per layer and one for all parameters.
    """
    try:
        layer_errors = [float(e) for e in result.layer_errors]
        overall = float(result.relative_error)
    except (AttributeError, TypeError, ValueError):
        raise TypeError(
            "result must be a GradientCheck (with relative_error and layer_errors), "
            f"got {type(result).__name__}"
        ) from None
    shapes = list(getattr(result, "layer_shapes", ()) or ())
    errors = [*layer_errors, overall]
    names = []
    for index in range(1, len(layer_errors) + 1):
        name = layer_symbol(THETA, index)
        if len(shapes) == len(layer_errors):
            rows, cols = shapes[index - 1]
            name += f"\n{rows}×{cols}"
        names.append(name)
    names.append("all")

    # Zero (an exact match) cannot sit on a log axis: draw it at the floor and say "0".
    finite_positive = [e for e in errors if np.isfinite(e) and e > 0]
    floor = min([1e-12, *(e / 10 for e in finite_positive)])
    ceiling = max([1.0, *(e * 10 for e in finite_positive)])
    top = ceiling * 10
    heights = [
        e if np.isfinite(e) and e > 0 else (ceiling if not np.isfinite(e) else floor)
        for e in errors
    ]

    fig = new_figure(max(6.0, 1.1 * len(errors) + 3.5), 4.6)
    ax = fig.add_subplot()
    ax.set_yscale("log")
    band_edges = [floor, *(mark for mark, _ in VERDICTS), top]
    band_names = [name for _, name in VERDICTS] + ["wrong"]
    for (lo, hi), name in zip(itertools.pairwise(band_edges), band_names):
        ax.axhspan(lo, hi, color=_VERDICT_COLORS[name], alpha=0.10, linewidth=0)
        ax.text(
            1.01,
            math.sqrt(lo * hi),
            name,
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=9,
            color=_VERDICT_TEXT_COLORS[name],
        )
    for mark, _ in VERDICTS:
        ax.axhline(mark, color="0.4", linestyle="--", linewidth=0.8)
    colors = [_VERDICT_COLORS[verdict(e)] for e in errors]
    positions = np.arange(len(errors))
    bars = ax.bar(positions, heights, color=colors, edgecolor="k", linewidth=0.6, width=0.6)
    for bar, error in zip(bars, errors):
        text = "0 (exact)" if error == 0 else f"{error:.1e}"
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() * 1.6,
            text,
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax.set_xticks(positions, labels=names)
    ax.set_ylim(floor, top)
    ax.set_xlabel("parameters checked (layer matrix and its shape)")
    ax.set_ylabel(r"relative error $\|g - \hat g\| \,/\, (\|g\| + \|\hat g\|)$", fontsize=9)
    worst = max(errors, key=lambda e: e if np.isfinite(e) else math.inf)
    text, style = titled(
        title, f"Gradient check: backprop vs central differences (verdict: {verdict(worst)})"
    )
    ax.set_title(text, **style)
    return finish(fig, path)
