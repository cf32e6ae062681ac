"""What every figure shares: its Agg canvas, saving, literal text, colors and small checks.

The helpers here are public within :mod:`mlplab.plots` (the topic modules and the demos
use them); users see them only through the package's ``__all__`` where listed there.
"""

from __future__ import annotations

import base64
import io
import math
import os

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..fileformat import atomic_write_bytes

#: Resolution of saved PNGs, in dots per inch.
DPI = 110

#: Keyword arguments that make a matplotlib Text draw its string literally.
LITERAL = {"parse_math": False, "usetex": False}

#: Mathtext for θ, the lecture's parameters.
THETA = r"\theta"

#: Colors of the training and validation curves and of the gap between them.
TRAIN_COLOR = "C0"
VAL_COLOR = "C1"
GAP_COLOR = "C3"
#: Markers of the classes in a scatter plot, in class order.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


# ---------------------------------------------------------------------- saving and export
def save_figure(fig: Figure, path) -> None:
    """Write ``fig`` to ``path`` as a PNG, atomically.

    The PNG is rendered in memory and written by :func:`mlplab.fileformat.atomic_write_bytes`
    (temporary file in the same folder, fsync, rename), so a reader never sees half a PNG
    and a failure leaves no file behind (and an existing file at ``path`` untouched).

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.png``.
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    path = os.fspath(path)
    if not path.lower().endswith(".png"):
        raise ValueError(f"figures are saved as PNG, so path must end in '.png', got {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"cannot save the figure to {path!r}: folder {folder!r} does not exist; create it first"
        )
    atomic_write_bytes(path, figure_to_png_bytes(fig))


def figure_to_png_bytes(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes (for embedding or sending).

    The PNG carries the figure's words and numbers (:func:`figure_texts`) in its
    ``Description`` text chunk, so that a saved figure can be compared with a fresh one
    by what it says rather than by pixels, which differ between BLAS kernels and
    renderers.
    """
    buffer = io.BytesIO()
    metadata = {"Description": "\n".join(figure_texts(fig))}
    engine = fig.get_layout_engine()
    if engine is None or not fig.axes:
        fig.savefig(buffer, format="png", dpi=DPI, metadata=metadata)
        return buffer.getvalue()
    # With a layout engine, savefig draws the figure twice and lays it out each time.
    # Laid out once here, at the resolution saved, it is drawn once.
    with _dpi(fig, DPI):
        engine.execute(fig)
    fig.set_layout_engine(None)  # (with "none", savefig would still draw twice)
    try:
        fig.savefig(buffer, format="png", dpi=DPI, metadata=metadata)
    finally:
        fig.set_layout_engine(engine)
    return buffer.getvalue()


class _dpi:
    """Context manager: the figure at ``dpi`` inside, its own dpi again after."""

    def __init__(self, fig: Figure, dpi: float) -> None:
        self.fig, self.dpi, self.saved = fig, dpi, fig.dpi

    def __enter__(self) -> None:
        self.fig.dpi = self.dpi

    def __exit__(self, *exc) -> None:
        self.fig.dpi = self.saved


def figure_texts(fig: Figure) -> list[str]:
    """Every visible text of a figure but the tick labels: titles, labels, legends, notes.

    In drawing order; these carry the numbers a figure shows (accuracies, losses, ε).
    The walk skips the axes' ticks: asking an axis for them creates them, which for a
    figure of many small panels costs more than drawing it.
    """
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    found: list[str] = []

    def walk(artist) -> None:
        if isinstance(artist, Axis):
            children = [artist.label, artist.offsetText]
        else:
            children = artist.get_children()
        for child in children:
            walk(child)
        if isinstance(artist, Text) and artist.get_visible() and artist.get_text().strip():
            found.append(artist.get_text())

    walk(fig)
    return found


def png_texts(path) -> list[str]:
    """The texts a PNG saved by :func:`save_figure` carries (empty for other PNGs)."""
    from PIL import Image

    with Image.open(path) as image:
        description = image.text.get("Description", "")
    return description.split("\n") if description else []


def figure_to_data_uri(fig: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, ready for an HTML ``<img src>``."""
    encoded = base64.b64encode(figure_to_png_bytes(fig)).decode("ascii")
    return f"data:image/png;base64,{encoded}"


# ---------------------------------------------------------------------- shared helpers
def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A figure on its own Agg canvas (no pyplot), laid out so nothing overlaps.

    ``layout=None`` leaves the placement to the caller: a grid of many small image panels
    is placed by ``subplots_adjust`` in microseconds, where the constrained layout
    measures every panel's text again for each draw (seconds for 64 panels).
    """
    fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def image_tiles(
    images: np.ndarray,
    labels,
    *,
    columns: int,
    label_lines: int = 1,
    tile_inches: float = 0.9,
    top_inches: float = 0.6,
    right_inches: float = 0.0,
    min_width: float = 4.5,
    fontsize: float = 8,
    cmap: str = "gray_r",
    **imshow,
):
    """A figure showing ``images`` (n, h, w) side by side in a grid, each labelled above.

    The tiles are one image in one axes (NaN gaps between them drawn white) and the
    labels one text each: an axes per tile would cost a layout, spines and ticks per tile
    and take seconds for a few dozen tiles. Pixels stay square; the figure's size
    follows from the grid. ``imshow`` goes to :meth:`matplotlib.axes.Axes.imshow`
    (``vmin``, ``vmax``).

    Returns
    -------
    (Figure, Axes, AxesImage)
        The figure, the axes of the tiles and the image (for a colorbar).
    """
    n, h, w = images.shape
    rows = math.ceil(n / columns)
    inch = tile_inches / max(h, w)  # inches per pixel
    label_px = math.ceil((label_lines * fontsize * 1.3 / 72 + 0.04) / inch)
    gap_px = max(1, math.ceil(0.12 / inch))
    cell_h, cell_w = label_px + h, w + gap_px
    mosaic = np.full((rows * cell_h, columns * cell_w - gap_px), np.nan)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * cell_h + label_px, column * cell_w
        mosaic[top : top + h, left : left + w] = image
    width, height = mosaic.shape[1] * inch, mosaic.shape[0] * inch
    margin = 0.1
    fig_width = max(min_width, width + 2 * margin + right_inches)
    fig_height = height + top_inches + margin
    fig = new_figure(fig_width, fig_height, layout=None)
    left = (fig_width - right_inches - width) / 2
    box = (left / fig_width, margin / fig_height, width / fig_width, height / fig_height)
    ax = fig.add_axes(box)
    colors = colormaps[cmap].with_extremes(bad="white")
    shown = ax.imshow(mosaic, cmap=colors, interpolation="nearest", aspect="auto", **imshow)
    ax.set_axis_off()
    for index, label in enumerate(labels):
        row, column = divmod(index, columns)
        x = column * cell_w + (w - 1) / 2
        y = row * cell_h + label_px - 0.5 - 0.04 / inch  # just above the tile's top edge
        ax.text(x, y, str(label), ha="center", va="bottom", fontsize=fontsize, **LITERAL)
    return fig, ax, shown


def finish(fig: Figure, path) -> Figure:
    """Save ``fig`` when a path is given; return it."""
    if path is not None:
        save_figure(fig, path)
    return fig


def root_figure(ax) -> Figure:
    """The top-level figure holding ``ax`` (not a subfigure), the one that can be saved."""
    fig = ax.figure
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure points to its parent
        fig = fig.figure
    return fig


def literal_legend(ax, handles, labels, *, math: bool = False, **kwargs):
    """A legend from explicit handles and labels whose texts are drawn literally.

    Explicit handles also keep labels starting with "_", which matplotlib would otherwise
    drop from a legend. ``math=True`` is for this module's own labels that use mathtext.
    """
    legend = ax.legend(handles, [str(label) for label in labels], **kwargs)
    if not math:
        for text in (*legend.get_texts(), legend.get_title()):
            text.set_parse_math(False)
            text.set_usetex(False)
    return legend


def note(ax, message: str) -> None:
    """Write ``message`` in the middle of an empty axes."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="0.35",
        wrap=True,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9},
        **LITERAL,
    )


def grid_shape(n: int, max_columns: int) -> tuple[int, int]:
    """(rows, columns) of a near-square grid holding n panels, at most ``max_columns`` wide."""
    columns = max(1, min(max_columns, math.ceil(math.sqrt(n))))
    return math.ceil(n / columns), columns


def layer_symbol(symbol: str, layer: int, subscript: str = "") -> str:
    """Mathtext for the lecture's layer notation: ``("a", 2)`` -> a⁽²⁾ drawn properly."""
    return f"${symbol}^{{({layer})}}{'_' + subscript if subscript else ''}$"


def titled(title, default: str) -> tuple[str, dict]:
    """The text and style of a title: the user's drawn literally, or the default (may use math)."""
    if title is None:
        return default, {}
    return str(title), dict(LITERAL)


def class_colors(k: int) -> list:
    """k distinct colors, the default cycle first (tab10, then tab20, then a rainbow)."""
    if k <= 10:
        return list(colormaps["tab10"].colors[:k])
    if k <= 20:
        return list(colormaps["tab20"].colors[:k])
    return [colormaps["turbo"](i / (k - 1)) for i in range(k)]


def sci(value: float) -> str:
    """1e-4 rather than 0.0001 or 1e-04."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def axis_label(name: str, unit: str | None) -> str:
    """``"weight", "kg"`` -> ``"weight (kg)"``."""
    return f"{name} ({unit})" if unit else str(name)


def pair(value, what: str, default: tuple) -> tuple:
    """A length-2 tuple of per-feature values (names or units), or a ValueError."""
    if value is None:
        return default
    if isinstance(value, str) or len(value) != 2:
        raise ValueError(f"{what} must hold one entry per input feature (2), got {value!r}")
    return tuple(value)


def check_image_shape(image_shape) -> tuple[int, int]:
    """(h, w) as positive ints, or a ValueError."""
    try:
        h, w = (int(side) for side in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width), got {image_shape!r}") from None
    if h < 1 or w < 1:
        raise ValueError(f"image_shape must be positive, got {image_shape!r}")
    return h, w


# ---------------------------------------------------------------------- the input plane
def padded_range(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) per feature of X: its range padded by 10% (by 1 if a feature is constant)."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = np.where(high > low, 0.1 * (high - low), 1.0)
    return low - pad, high + pad


def plane_grid(low, high, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A resolution × resolution grid over [low, high]: (g1, g2, points of shape (r², 2))."""
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    return g1, g2, np.column_stack([g1.ravel(), g2.ravel()])


# ---------------------------------------------------------------------- parts for custom figures
def label_bars(ax, bars, texts) -> None:
    """Write each text just above its bar."""
    for bar, text in zip(bars, texts):
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
        )


def line_handle(**style) -> Line2D:
    """A legend entry drawn as a line or marker with matplotlib ``Line2D`` ``style``."""
    return Line2D([], [], **style)


def patch_handle(**style) -> Patch:
    """A legend entry drawn as a filled box with matplotlib ``Patch`` ``style``."""
    return Patch(**style)


def colormap(colors) -> ListedColormap:
    """A colormap of exactly these colors, in order (class 0 gets ``colors[0]``)."""
    return ListedColormap(colors)
