"""Demo ``logic``: Boolean functions from sigmoid units with the slides' hand-set weights."""

from __future__ import annotations

import numpy as np

from ._common import DemoResult, new_figure, save_figures, single_threaded_blas

__all__ = ["LOGIC_FUNCTIONS", "demo_logic"]

#: The functions of the slides, in their order: four single units, then two layers.
LOGIC_FUNCTIONS = ("NOT", "NOR", "AND", "OR", "XNOR", "XOR")

_HIDDEN = "#2ca02c"  # not a class color: classes 0 and 1 are C0 and C1 in every figure


@single_threaded_blas
def demo_logic(*, out_dir=None, random_state=None, tolerance: float = 1e-4) -> DemoResult:
    """The slides' Boolean networks: their truth tables, checked, and their lines in the plane.

    A single sigmoid unit with weights ±20 and a bias of ±10 or −30 is a soft threshold:
    NOT x₁ = f(10 − 20x₁), (NOT x₁) AND (NOT x₂) = f(10 − 20x₁ − 20x₂),
    AND = f(−30 + 20x₁ + 20x₂), OR = f(−10 + 20x₁ + 20x₂). Each draws one line z = 0
    through the input plane. XNOR needs two: its hidden layer computes AND and NOR, and
    the output unit ORs them; XOR is the same hidden layer under a NOR.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for the PNG (``logic-units.png``); created if missing.
    random_state : None
        Not used: every weight is set by hand. Accepted so that all demos share a signature.
    tolerance : float, default=1e-4
        Largest |h_θ(x) − y| accepted for every row of every table.

    Returns
    -------
    DemoResult
        ``tables[name]``: the lecture-style table from :func:`mlplab.logic.format_table`;
        ``numbers["max_error"][name]``: max |h_θ(x) − y| over the rows, checked against
        :func:`mlplab.datasets.boolean_function`; ``numbers["h"][name]``: h_θ(x) per row;
        ``figures["units"]``: one panel per function.

    Raises
    ------
    RuntimeError
        If a network's table disagrees with the truth table by ``tolerance`` or more.
    """
    from .. import logic
    from ..datasets import boolean_function

    result = DemoResult("logic")
    max_error, outputs = {}, {}
    for name in LOGIC_FUNCTIONS:
        rows = logic.truth_table(name)
        oracle = boolean_function(name.lower())
        inputs = np.array([row.x for row in rows], dtype=float)
        h = np.array([row.h for row in rows])
        if inputs.shape != oracle.X.shape or not np.array_equal(inputs, oracle.X):
            raise RuntimeError(f"{name}: the network's rows {inputs.tolist()} are not the table's")
        error = float(np.max(np.abs(h - oracle.y)))
        if not error < tolerance:
            raise RuntimeError(
                f"{name}: the hand-set network is off by {error:.3g} >= {tolerance:g} "
                "from the truth table"
            )
        max_error[name] = error
        outputs[name] = h.tolist()
        result.tables[name] = logic.format_table(name)
    result.numbers = {
        "max_error": max_error,
        "h": outputs,
        "worst_error": max(max_error.values()),
        "tolerance": tolerance,
    }
    result.figures["units"] = _units_figure(logic)
    return save_figures(result, out_dir)


def _units_figure(logic):
    """One panel per function: the region h_θ(x) ≥ 0.5, the units' lines z = 0, the points."""
    from ..plots.base import MARKERS, class_colors, colormap, line_handle, patch_handle

    # y = 0 and y = 1 in the colors and markers of classes 0 and 1 everywhere else
    negative, positive = class_colors(2)
    regions = [tuple(0.75 + 0.25 * c for c in color[:3]) for color in (negative, positive)]

    fig = new_figure(12.0, 8.4)
    axes = fig.subplots(2, 3, sharex=True, sharey=True)
    side = np.linspace(-0.35, 1.35, 301)
    g1, g2 = np.meshgrid(side, side)
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    for ax, name in zip(axes.flat, LOGIC_FUNCTIONS):
        net = logic.logic_network(name)
        n_inputs = net.layer_sizes[0]
        h = net.forward(grid[:, :n_inputs])[:, 0].reshape(g1.shape)
        ax.imshow(
            h >= 0.5,
            origin="lower",
            extent=(side[0], side[-1], side[0], side[-1]),
            cmap=colormap(regions),
            vmin=0,
            vmax=1,
            interpolation="nearest",
        )
        if name in logic.UNITS:
            theta = logic.UNITS[name]
            z = theta[0] + sum(w * g for w, g in zip(theta[1:], (g1, g2)))
            ax.contour(g1, g2, z, levels=[0.0], colors="k", linewidths=1.8)
            unused = "   (x₂ unused)" if n_inputs == 1 else ""
            title = logic.TITLES[name]
            subtitle = f"h_θ(x) = {logic.unit_formula(theta)}{unused}"
        else:
            # the hidden units' lines z⁽²⁾ᵢ = 0, and the output's boundary h = 0.5
            # (steep units: the output's boundary runs along the hidden lines, so the
            # dashed hidden lines are drawn on top of it in a color of their own)
            hidden, output = logic.COMPOSITIONS[name]
            title = f"{logic.TITLES[name]} = {output}({', '.join(hidden)})"
            ax.contour(g1, g2, h, levels=[0.5], colors="k", linewidths=3.0)
            for theta in net.thetas[0]:
                z = theta[0] + theta[1] * g1 + theta[2] * g2
                ax.contour(g1, g2, z, levels=[0.0], colors=_HIDDEN, linewidths=1.6, linestyles="--")
            subtitle = f"hidden a⁽²⁾ = ({', '.join(hidden)}), output = {output}(a⁽²⁾)"
        h_corners = net.forward(corners[:, :n_inputs])[:, 0]
        y = np.array([logic.FUNCTIONS[name](*(bool(v) for v in c[:n_inputs])) for c in corners])
        for (x1, x2), label, value in zip(corners, y, h_corners):
            ax.scatter(
                x1,
                x2,
                s=150,
                zorder=3,
                edgecolors="k",
                linewidths=1.0,
                color=positive if label else negative,
                marker=MARKERS[int(label)],
            )
            ax.annotate(
                f"h = {value:.2g}" if 1e-3 <= value <= 0.999 else f"h ≈ {round(value)}",
                (x1, x2),
                xytext=(0, -17),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=9,
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": "white",
                    "alpha": 0.75,
                    "edgecolor": "none",
                },
            )
        ax.set_title(f"{title}\n{subtitle}", fontsize=10)
        ax.set_xlim(side[0], side[-1])
        ax.set_ylim(side[0], side[-1])
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_aspect("equal")
    for ax in axes[-1]:
        ax.set_xlabel("input x₁ (0 or 1)")
    for ax in axes[:, 0]:
        ax.set_ylabel("input x₂ (0 or 1)")
    handles = [
        line_handle(
            marker=MARKERS[1], linestyle="", color=positive, markeredgecolor="k", markersize=9
        ),
        line_handle(
            marker=MARKERS[0], linestyle="", color=negative, markeredgecolor="k", markersize=10
        ),
        patch_handle(facecolor=regions[1], edgecolor="0.6"),
        patch_handle(facecolor=regions[0], edgecolor="0.6"),
        line_handle(color="k", linewidth=1.8),
        line_handle(color=_HIDDEN, linewidth=1.6, linestyle="--"),
    ]
    labels = [
        "y = 1 (positive class)",
        "y = 0 (negative class)",
        "h_θ(x) ≥ 0.5: predicts 1",
        "h_θ(x) < 0.5: predicts 0",
        "output boundary (single unit: z = 0)",
        "hidden unit's line z⁽²⁾ᵢ = 0\n(AND: x₁ + x₂ = 1.5; NOR: x₁ + x₂ = 0.5)",
    ]
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=10)
    fig.suptitle(
        "Boolean functions from sigmoid units, weights set by hand: one unit draws one "
        "line;\nXNOR and XOR need a hidden layer (two lines)",
        fontsize=12,
    )
    return fig
