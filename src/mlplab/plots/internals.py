"""What the network learned: hidden units' weights and activations, saturation, dead units."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .._validation import check_int
from ..activations import RANGES, SATURATION_MARGIN, saturated
from .base import (
    LITERAL,
    THETA,
    axis_label,
    check_image_shape,
    finish,
    grid_shape,
    image_tiles,
    layer_symbol,
    new_figure,
    note,
    padded_range,
    pair,
    plane_grid,
    titled,
)

#: Diverging colormap of weight images: blue < 0, white = 0, red > 0.
WEIGHT_CMAP = "RdBu_r"


# ---------------------------------------------------------------------- what the network learned
def _first_layer_weights(net_or_weights, n_pixels: int) -> np.ndarray:
    """W⁽¹⁾ of shape (u₂, n): from a Network, a θ⁽¹⁾ with its bias column, or W itself."""
    if hasattr(net_or_weights, "thetas"):
        return np.asarray(net_or_weights.thetas[0][:, 1:], dtype=np.float64)
    weights = np.asarray(net_or_weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"weights must be a 2-D matrix (units, inputs), got shape {weights.shape}")
    if weights.shape[1] == n_pixels + 1:
        return weights[:, 1:]  # θ⁽¹⁾ with the bias column 0: drop it
    if weights.shape[1] != n_pixels:
        raise ValueError(
            f"weights must have {n_pixels} columns (one per pixel) or {n_pixels + 1} "
            f"(θ⁽¹⁾ with its bias column), got shape {weights.shape}"
        )
    return weights


def hidden_unit_images(
    net,
    image_shape: tuple[int, int] = (8, 8),
    *,
    max_units: int = 100,
    title: str | None = None,
    path=None,
) -> Figure:
    """Each first-hidden-layer unit's incoming weights θ⁽¹⁾ᵢ,₁..ₙ drawn as an image.

    Unit i of layer 2 computes a⁽²⁾ᵢ = f(θ⁽¹⁾ᵢ₀ + Σⱼ θ⁽¹⁾ᵢⱼ xⱼ); reshaping its weights to
    the input image shows which pixels excite it (red) and which inhibit it (blue). Each
    panel is divided by its own largest |weight|, so white is always a weight of zero and
    a unit with small weights shows its pattern too; one colorbar reads them all.

    Parameters
    ----------
    net : Network or array-like of shape (u₂, n) or (u₂, n + 1)
        A network whose inputs are images, or its first weight matrix (with or without
        the bias column 0 of θ⁽¹⁾).
    image_shape : (int, int), default=(8, 8)
        (h, w) with h·w = n, the number of inputs.
    max_units : int, default=100
        Draw at most this many units (the first ones).
    title : str, optional
        Drawn literally.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        The units' images side by side in one axes (each titled "unit i"), then the
        colorbar's axes.
    """
    h, w = check_image_shape(image_shape)
    weights = _first_layer_weights(net, h * w)
    if weights.shape[1] != h * w:
        raise ValueError(
            f"the network has {weights.shape[1]} inputs, which do not form images of "
            f"shape {(h, w)}; pass the right image_shape"
        )
    max_units = check_int("max_units", max_units, minimum=1)
    n_units = weights.shape[0]
    shown = min(n_units, max_units)
    _, cols = grid_shape(shown, 10)
    images = weights[:shown].reshape(shown, h, w)
    finite = np.where(np.isfinite(images), np.abs(images), np.nan)
    limits = np.nanmax(finite.reshape(shown, -1), axis=1, initial=0.0)
    limits = np.where(limits > 0, limits, 1.0)
    # each unit on its own scale (weights that look like noise on a shared scale show
    # their pattern), in a diverging colormap centred on 0
    fig, ax, shown_image = image_tiles(
        images / limits[:, None, None],
        [f"unit {unit + 1}" for unit in range(shown)],
        columns=cols,
        cmap=WEIGHT_CMAP,
        vmin=-1.0,
        vmax=1.0,
        top_inches=0.75,
        right_inches=1.3,
        min_width=5.0,
    )
    box = ax.get_position()
    colorbar_ax = fig.add_axes((box.x1 + 0.25 / fig.get_figwidth(), box.y0 + 0.1 * box.height,
                                0.15 / fig.get_figwidth(), 0.8 * box.height))  # fmt: skip
    colorbar = fig.colorbar(shown_image, cax=colorbar_ax, ticks=[-1, 0, 1])
    colorbar.set_label("weight / largest |weight| of the unit", fontsize=8)
    colorbar.ax.set_yticklabels(["−max", "0", "+max"], fontsize=8)
    default = (
        f"Incoming weights {layer_symbol(THETA, 1)} of each hidden unit, each on its own "
        "scale\nred excites the unit, blue inhibits it, white is 0"
    )
    if shown < n_units:
        default += f"; first {shown} of {n_units} units"
    text, style = titled(title, default)
    fig.suptitle(text, fontsize=11, **style)
    return finish(fig, path)


def _parse_bounds(bounds, X) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the 2-D plane from explicit bounds or from the data X (padded 10%)."""
    if X is not None:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0 or not np.isfinite(X).all():
            raise ValueError(f"X must be finite with shape (m, 2), got shape {X.shape}")
        return padded_range(X)
    if bounds is None:
        raise ValueError(
            "pass the plane to draw: bounds=((x1_min, x1_max), (x2_min, x2_max)) or X=data"
        )
    try:
        box = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        box = None
    if box is None or box.shape != (2, 2) or not np.isfinite(box).all():
        raise ValueError(f"bounds must be ((x1_min, x1_max), (x2_min, x2_max)), got {bounds!r}")
    if not (box[:, 0] < box[:, 1]).all():
        raise ValueError(f"each bound must be (min, max) with min < max, got {bounds!r}")
    return box[:, 0], box[:, 1]


def hidden_unit_activations(
    net,
    bounds=None,
    *,
    X=None,
    layer: int = 2,
    feature_names=None,
    feature_units=None,
    resolution: int = 100,
    max_units: int = 36,
    title: str | None = None,
    path=None,
) -> Figure:
    """Each hidden unit's activation a⁽ˡ⁾ᵢ over the 2-D input plane, as small heat maps.

    "Features a⁽²⁾ are learned by the network": in layer 2 each unit is a logistic
    regression of the inputs, bright on one side of its own line z⁽²⁾ᵢ = 0 (dashed); deeper
    layers combine those half-planes into the curved regions the output needs.

    Parameters
    ----------
    net : Network
        A network with 2 inputs.
    bounds : ((float, float), (float, float)), optional
        ((x1_min, x1_max), (x2_min, x2_max)), the plane to draw.
    X : array-like of shape (m, 2), optional
        Data whose range (padded by 10%) gives the plane instead of ``bounds``.
    layer : int, default=2
        Which hidden layer l, in the lecture's numbering (2 is the first hidden layer).
    feature_names, feature_units : (str, str), optional
        Axis names and units, drawn literally (as in :func:`decision_regions`).
    resolution : int, default=100
        Grid points per axis.
    max_units : int, default=36
        Draw at most this many units (the first ones).
    title : str, optional
        Drawn literally.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per unit drawn plus one for the shared colorbar.
    """
    if net.layer_sizes[0] != 2:
        raise ValueError(
            f"hidden_unit_activations needs a network with 2 inputs, got {net.layer_sizes[0]}"
        )
    hidden = range(2, len(net.layer_sizes))  # layers 2..L-1 are hidden
    if layer not in hidden:
        raise ValueError(
            f"layer must be a hidden layer, one of {list(hidden)} for layer sizes "
            f"{list(net.layer_sizes)}, got {layer!r}"
        )
    resolution = check_int("resolution", resolution, minimum=2)
    max_units = check_int("max_units", max_units, minimum=1)
    low, high = _parse_bounds(bounds, X)
    names = pair(feature_names, "feature_names", ("x₁", "x₂"))
    units = pair(feature_units, "feature_units", (None, None))
    g1, g2, grid = plane_grid(low, high, resolution)
    layers = net.activations(grid)
    below = np.asarray(layers[layer - 2], dtype=np.float64)  # a⁽ˡ⁻¹⁾
    theta = np.asarray(net.thetas[layer - 2], dtype=np.float64)  # θ⁽ˡ⁻¹⁾
    activations = np.asarray(layers[layer - 1], dtype=np.float64)  # a⁽ˡ⁾
    logits = below @ theta[:, 1:].T + theta[:, 0]  # z⁽ˡ⁾, for the a = f(0) line
    n_units = activations.shape[1]
    shown = min(n_units, max_units)
    vmin, vmax = RANGES.get(net.activation, (float(activations.min()), float(activations.max())))
    if vmax <= vmin:
        vmax = vmin + 1.0

    rows, cols = grid_shape(shown, 6)
    fig = new_figure(max(5.5, 2.3 * cols + 1.2), 2.1 * rows + 0.9)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    image = None
    kept = []
    for unit, ax in enumerate(axes.flat):
        if unit >= shown:
            ax.remove()
            continue
        kept.append(ax)
        image = ax.imshow(
            activations[:, unit].reshape(g1.shape),
            origin="lower",
            extent=(low[0], high[0], low[1], high[1]),
            cmap="viridis",
            vmin=vmin,
            vmax=vmax,
            aspect="auto",
            interpolation="nearest",
        )
        z = logits[:, unit].reshape(g1.shape)
        if z.min() < 0 < z.max():
            ax.contour(g1, g2, z, levels=[0.0], colors="w", linestyles="--", linewidths=1)
        ax.set_title(f"unit {unit + 1}", fontsize=9)
        ax.tick_params(labelsize=7)
        if unit + cols >= shown:  # no panel below this one: it carries the x axis
            ax.set_xlabel(axis_label(names[0], units[0]), fontsize=8, **LITERAL)
            ax.tick_params(labelbottom=True)
        if unit % cols == 0:
            ax.set_ylabel(axis_label(names[1], units[1]), fontsize=8, **LITERAL)
    colorbar = fig.colorbar(image, ax=kept, shrink=0.9)
    colorbar.set_label(f"activation {layer_symbol('a', layer, 'i')} ({net.activation})")
    default = (
        f"Features {layer_symbol('a', layer)} learned by hidden layer {layer} "
        f"(dashed line: {layer_symbol('z', layer, 'i')} = 0)"
    )
    if shown < n_units:
        default += f", first {shown} of {n_units} units"
    text, style = titled(title, default)
    fig.suptitle(text, **style)
    return finish(fig, path)


def activation_histograms(net, X, *, bins: int = 40, title: str | None = None, path=None) -> Figure:
    """A histogram of a⁽ˡ⁾ for each hidden layer, with saturated or dead units counted.

    Sigmoid and tanh units near their limits (within 0.01 of them, see
    :func:`mlplab.activations.saturated`) have f′ ≈ 0 and
    pass almost no gradient back: a pile-up at the ends means learning has stalled there.
    A relu unit that is 0 for every example is dead: it never gets a gradient again.

    Parameters
    ----------
    net : Network
        The network (its ``activations`` and ``activation``).
    X : array-like of shape (m, n_in)
        Inputs to run through it.
    bins : int, default=40
        Histogram bins.
    title : str, optional
        Drawn literally.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per hidden layer (one with a note if the network has none).
    """
    bins = check_int("bins", bins, minimum=1)
    layers = net.activations(X)
    hidden = [np.asarray(a, dtype=np.float64) for a in layers[1:-1]]
    name = net.activation
    default = f"Hidden activations on {layers[0].shape[0]} examples ({name} units)"
    if name in RANGES:
        default += f"\nred: saturated, within {SATURATION_MARGIN} of a limit, where f′ ≈ 0"
    text, style = titled(title, default)
    if not hidden:
        fig = new_figure(5.0, 2.2)
        ax = fig.add_subplot()
        ax.set_axis_off()
        note(ax, "this network has no hidden layer")
        fig.suptitle(text, **style)
        return finish(fig, path)

    cols = min(len(hidden), 3)
    rows = math.ceil(len(hidden) / cols)
    fig = new_figure(max(6.0, 4.3 * cols), 3.4 * rows + 0.7)
    value_range = RANGES.get(name)
    for index, values in enumerate(hidden):
        layer = index + 2
        ax = fig.add_subplot(rows, cols, index + 1)
        finite = values[np.isfinite(values)]
        ax.hist(finite.ravel(), bins=bins, range=value_range, color="C0", alpha=0.85)
        details = []
        if value_range is not None:
            lo, hi = value_range
            details.append(f"saturated {saturated(name, values).mean():.1%}")
            ax.axvspan(lo, lo + SATURATION_MARGIN, color="#d62728", alpha=0.15, linewidth=0)
            ax.axvspan(hi - SATURATION_MARGIN, hi, color="#d62728", alpha=0.15, linewidth=0)
            ax.set_xlim(lo, hi)
        if name == "relu":
            off = values <= 0
            dead = int(off.all(axis=0).sum())
            details.append(f"zero {off.mean():.1%}, dead units {dead} of {values.shape[1]}")
        heading = f"layer {layer}: {values.shape[1]} units"
        if details:
            heading += "\n" + ", ".join(details)
        ax.set_title(heading, fontsize=10)
        ax.set_xlabel(f"activation {layer_symbol('a', layer)}")
        ax.set_ylabel("count (examples × units)")
        ax.grid(alpha=0.3)
    fig.suptitle(text, **style)
    return finish(fig, path)
