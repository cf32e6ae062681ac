"""Figures: learning curves, decision regions, learned features and diagnostics.

Every function draws from recorded results (a training history, a trained network, the
outcome of a gradient check) and never runs inside the training loop. Each returns a
:class:`matplotlib.figure.Figure` and, given ``path``, also writes it as a PNG.

================================  ==============================================================
function                          what it shows (the lecture's name for it)
================================  ==============================================================
:func:`learning_curves`           babysitting: training/validation loss and accuracy per epoch
:func:`update_ratios`             babysitting: ‖Δθ⁽ˡ⁾‖ / ‖θ⁽ˡ⁾‖ per epoch, healthy near 1e-3
:func:`decision_regions`          cats vs dogs: classes over the 2-D input plane
:func:`hidden_unit_activations`   "features a⁽²⁾ are learned by the network", one map per unit
:func:`hidden_unit_images`        incoming weights θ⁽¹⁾[:, 1:] of each hidden unit as an image
:func:`activation_histograms`     a⁽ˡ⁾ per hidden layer: saturated sigmoids, dead relus
:func:`gradient_check_table`      relative error per θ⁽ˡ⁾ against the 1e-7 / 1e-4 / 1e-2 marks
:func:`confusion_matrix`          which classes are mistaken for which
:func:`misclassified_examples`    the images the classifier got wrong
================================  ==============================================================

Why no pyplot: pyplot keeps a global list of open figures and picks a GUI backend, which
a library must not do behind its user's back. Figures here are built with the
object-oriented API on their own Agg canvas, so they are safe in scripts, servers and
notebooks alike, and are freed like any other object.

Text that comes from the user (titles, class and feature names) is drawn literally: a
class called ``"cost_$5"`` keeps its dollar sign instead of starting mathtext.
"""

from __future__ import annotations

import base64
import contextlib
import io
import itertools
import math
import numbers
import os
import re
import uuid
from collections.abc import Callable, Mapping

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

__all__ = [
    "DPI",
    "activation_histograms",
    "confusion_matrix",
    "decision_regions",
    "figure_to_data_uri",
    "figure_to_png_bytes",
    "gradient_check_table",
    "hidden_unit_activations",
    "hidden_unit_images",
    "learning_curves",
    "misclassified_examples",
    "save_figure",
    "update_ratios",
]

#: Resolution of saved PNGs, in dots per inch.
DPI = 110

#: Keyword arguments that make a matplotlib Text draw its string literally.
LITERAL = {"parse_math": False, "usetex": False}

#: Mathtext for θ, the lecture's parameters.
THETA = r"\theta"

#: Update-to-weight ratios inside this band are considered healthy (around 1e-3).
HEALTHY_UPDATE_RATIO = (1e-4, 1e-2)

#: Relative-error marks of a gradient check and the verdict below each.
GRADCHECK_MARKS = ((1e-7, "good"), (1e-4, "acceptable"), (1e-2, "suspect"))

_TRAIN_COLOR = "C0"
_VAL_COLOR = "C1"
_GAP_COLOR = "C3"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
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


# ---------------------------------------------------------------------- saving and export
def save_figure(fig: Figure, path) -> None:
    """Write ``fig`` to ``path`` as a PNG, atomically.

    The image is written to a hidden temporary file in the same folder and then renamed
    over ``path``, so a reader never sees half a PNG and a failure leaves no file behind
    (and an existing file at ``path`` untouched).

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
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        # mode "x" creates the file with the usual permissions (0o666 minus the umask).
        with open(temporary, "xb") as handle:
            fig.savefig(handle, format="png", dpi=DPI)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def figure_to_png_bytes(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes (for embedding or sending)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def figure_to_data_uri(fig: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, ready for an HTML ``<img src>``."""
    encoded = base64.b64encode(figure_to_png_bytes(fig)).decode("ascii")
    return f"data:image/png;base64,{encoded}"


# ---------------------------------------------------------------------- shared helpers
def _new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas (no pyplot), laid out so nothing overlaps."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _finish(fig: Figure, path) -> Figure:
    """Save ``fig`` when a path is given; return it."""
    if path is not None:
        save_figure(fig, path)
    return fig


def _root_figure(ax) -> Figure:
    """The top-level figure holding ``ax`` (not a subfigure), the one that can be saved."""
    fig = ax.figure
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure points to its parent
        fig = fig.figure
    return fig


def _literal_legend(ax, handles, labels, *, math: bool = False, **kwargs):
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


def _note(ax, message: str) -> None:
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


def _grid_shape(n: int, max_columns: int) -> tuple[int, int]:
    """(rows, columns) of a near-square grid holding n panels, at most ``max_columns`` wide."""
    columns = max(1, min(max_columns, math.ceil(math.sqrt(n))))
    return math.ceil(n / columns), columns


def _layer_symbol(symbol: str, layer: int, subscript: str = "") -> str:
    """Mathtext for the lecture's layer notation: ``("a", 2)`` -> a⁽²⁾ drawn properly."""
    return f"${symbol}^{{({layer})}}{'_' + subscript if subscript else ''}$"


def _titled(title, default: str) -> tuple[str, dict]:
    """The text and style of a title: the user's drawn literally, or the default (may use math)."""
    if title is None:
        return default, {}
    return str(title), dict(LITERAL)


def _class_colors(k: int) -> list:
    """k distinct colors, the default cycle first (tab10, then tab20, then a rainbow)."""
    if k <= 10:
        return list(colormaps["tab10"].colors[:k])
    if k <= 20:
        return list(colormaps["tab20"].colors[:k])
    return [colormaps["turbo"](i / (k - 1)) for i in range(k)]


def _sci(value: float) -> str:
    """1e-4 rather than 0.0001 or 1e-04."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _axis_label(name: str, unit: str | None) -> str:
    """``"weight", "kg"`` -> ``"weight (kg)"``."""
    return f"{name} ({unit})" if unit else str(name)


def _pair(value, what: str, default: tuple) -> tuple:
    """A length-2 tuple of per-feature values (names or units), or a ValueError."""
    if value is None:
        return default
    if isinstance(value, str) or len(value) != 2:
        raise ValueError(f"{what} must hold one entry per input feature (2), got {value!r}")
    return tuple(value)


# ---------------------------------------------------------------------- training history
def _history_columns(history) -> list[str]:
    """Column names of a history (dict keys or DataFrame columns)."""
    keys = history.keys() if hasattr(history, "keys") else history
    return [str(key) for key in keys]


def _read_column(history, name: str) -> np.ndarray | None:
    """``history[name]`` as a 1-D float array (±inf turned into NaN), or None if absent."""
    if name not in history:
        return None
    try:
        values = np.asarray(history[name], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"history column {name!r} must hold numbers") from None
    if values.ndim != 1:
        raise ValueError(
            f"history column {name!r} must be 1-D (one value per epoch), got shape {values.shape}"
        )
    values = values.copy()
    values[~np.isfinite(values)] = np.nan  # a diverged epoch is a gap in the curve
    return values


class _History:
    """The columns of a training history as float arrays of one common length."""

    def __init__(self, history) -> None:
        if not all(hasattr(history, name) for name in ("keys", "__getitem__", "__contains__")):
            raise TypeError(
                "history must map column names to per-epoch values (a dict or a pandas "
                f"DataFrame), got {type(history).__name__}"
            )
        self._history = history
        self.names = _history_columns(history)
        self.n_epochs = None
        self.epoch = None

    def get(self, name: str) -> np.ndarray | None:
        """The column as floats, or None if it is missing or has no finite value."""
        values = _read_column(self._history, name)
        if values is None:
            return None
        self._check_length(name, values)
        return values if np.isfinite(values).any() else None

    def raw(self, name: str) -> np.ndarray | None:
        """The column as floats even if every entry is NaN, or None if it is missing."""
        values = _read_column(self._history, name)
        if values is not None:
            self._check_length(name, values)
        return values

    def epochs(self, n: int) -> np.ndarray:
        """The epoch column, or 1, 2, ..., n when the history has none."""
        epoch = _read_column(self._history, "epoch")
        if epoch is None:
            return np.arange(1, n + 1, dtype=np.float64)
        if len(epoch) != n:
            raise ValueError(f"history column 'epoch' has {len(epoch)} entries, expected {n}")
        return epoch

    def _check_length(self, name: str, values: np.ndarray) -> None:
        if self.n_epochs is None:
            self.n_epochs = len(values)
        elif len(values) != self.n_epochs:
            raise ValueError(
                f"history column {name!r} has {len(values)} entries, but the other "
                f"columns have {self.n_epochs}: every column needs one value per epoch"
            )


def _epoch_axis(ax, epochs: np.ndarray | None) -> None:
    """Label the x axis "epoch" and tick it at whole epochs only."""
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    finite = np.asarray([] if epochs is None else epochs, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size and finite.max() - finite.min() < 2:
        # One or two epochs: widen the axis so whole-epoch ticks exist on it.
        ax.set_xlim(finite.min() - 1, finite.max() + 1)


def _line_style(n_points: int) -> dict:
    """Markers on short curves, so a single epoch is still visible; plain lines on long."""
    return {"marker": "o", "markersize": 3.5} if n_points <= 60 else {}


def _as_percent(values: np.ndarray) -> np.ndarray:
    """Accuracy as percent: fractions in [0, 1] are scaled by 100, percents kept."""
    finite = values[np.isfinite(values)]
    if finite.size and finite.max() <= 1.0 + 1e-9:
        return values * 100.0
    return values


def _last_finite(values: np.ndarray) -> int | None:
    """Index of the last finite entry, or None."""
    finite = np.flatnonzero(np.isfinite(values))
    return int(finite[-1]) if finite.size else None


def learning_curves(
    history,
    *,
    best_epoch: int | None = None,
    title: str | None = None,
    loss_scale: str = "linear",
    path=None,
) -> Figure:
    """The babysitting figure: loss and accuracy per epoch, training against validation.

    Panel 1 shows the training and validation loss J(θ); panel 2 (only when the history
    has accuracies) the training and validation accuracy, with the area between them
    shaded: a large gap between training and validation accuracy means overfitting. The
    best epoch is marked on both panels by a vertical line.

    Parameters
    ----------
    history : mapping of str to 1-D sequence
        A dict of lists or arrays, or a pandas DataFrame, one entry per epoch. Used
        columns: ``train_loss`` (required), ``val_loss``, ``train_accuracy``,
        ``val_accuracy`` (fractions in [0, 1], drawn as percent) and ``epoch`` (1-based;
        defaults to 1, 2, ...). Missing or all-NaN columns are left out; NaN or infinite
        entries (a diverged epoch) leave gaps and are marked with red crosses.
    best_epoch : int, optional
        The epoch to mark. Default: the epoch of the lowest validation loss, if any.
    title : str, optional
        Figure title, drawn literally. Default ``"Learning curves"``.
    loss_scale : {"linear", "log"}, default="linear"
        Scale of the loss axis; "log" keeps an early spike from flattening the rest.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (loss) or two (loss, accuracy).
    """
    if loss_scale not in ("linear", "log"):
        raise ValueError(f"loss_scale must be 'linear' or 'log', got {loss_scale!r}")
    columns = _History(history)
    train_loss = columns.raw("train_loss")
    if train_loss is None:
        raise ValueError(
            "history has no 'train_loss' column; its columns are "
            f"{columns.names}. Pass the history recorded by training"
        )
    n = len(train_loss)
    epochs = columns.epochs(n)
    val_loss = columns.get("val_loss")
    train_acc = columns.get("train_accuracy")
    val_acc = columns.get("val_accuracy")
    has_accuracy = train_acc is not None or val_acc is not None

    if best_epoch is None and val_loss is not None:
        best_epoch = int(epochs[int(np.nanargmin(val_loss))])
    best_index = None
    if best_epoch is not None:
        matches = np.flatnonzero(epochs == best_epoch)
        if matches.size == 0:
            recorded = f"{epochs[0]:g}..{epochs[-1]:g}" if n else "none"
            raise ValueError(
                f"best_epoch must be one of the recorded epochs ({recorded}), got {best_epoch!r}"
            )
        best_index = int(matches[0])

    fig = _new_figure(11.0 if has_accuracy else 6.5, 4.4)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    text, style = _titled(title, "Learning curves")
    fig.suptitle(text, **style)
    style = _line_style(n)

    # -- panel 1: loss
    ax = axes[0]
    handles, labels = [], []
    if np.isfinite(train_loss).any():
        (line,) = ax.plot(epochs, train_loss, color=_TRAIN_COLOR, **style)
        handles.append(line)
        labels.append("training")
    if val_loss is not None:
        (line,) = ax.plot(epochs, val_loss, color=_VAL_COLOR, **style)
        handles.append(line)
        labels.append("validation")
    diverged = ~np.isfinite(train_loss)
    if diverged.any():
        # Crosses along the bottom edge: x in epochs, y in axes fraction.
        crosses = ax.scatter(
            epochs[diverged],
            np.full(int(diverged.sum()), 0.03),
            transform=ax.get_xaxis_transform(),
            marker="x",
            color="#d62728",
            zorder=3,
        )
        handles.append(crosses)
        labels.append(f"non-finite loss ({int(diverged.sum())} epochs)")
    if n == 0:
        _note(ax, "no epochs recorded")
    elif not np.isfinite(train_loss).any():
        _note(ax, "no finite training loss (diverged from the start)")
    if best_index is not None:
        best_label = f"best epoch {best_epoch}"
        if val_loss is not None and np.isfinite(val_loss[best_index]):
            best_label += f" (val loss {val_loss[best_index]:.4g})"
        handles.append(ax.axvline(best_epoch, color="0.3", linestyle="--", linewidth=1))
        labels.append(best_label)
    if loss_scale == "log" and (np.nan_to_num(train_loss) > 0).any():
        ax.set_yscale("log")
    ax.set_title("Loss")
    _epoch_axis(ax, epochs)
    ax.set_ylabel(r"loss $J(\theta)$" + (" (log scale)" if ax.get_yscale() == "log" else ""))
    ax.grid(alpha=0.3)
    if handles:
        _literal_legend(ax, handles, labels, loc="best", fontsize=9)

    # -- panel 2: accuracy and the train/validation gap
    if has_accuracy:
        ax = axes[1]
        handles, labels = [], []
        train_pct = None if train_acc is None else _as_percent(train_acc)
        val_pct = None if val_acc is None else _as_percent(val_acc)
        if train_pct is not None:
            (line,) = ax.plot(epochs, train_pct, color=_TRAIN_COLOR, **style)
            handles.append(line)
            labels.append("training")
        if val_pct is not None:
            (line,) = ax.plot(epochs, val_pct, color=_VAL_COLOR, **style)
            handles.append(line)
            labels.append("validation")
        if train_pct is not None and val_pct is not None:
            both = np.isfinite(train_pct) & np.isfinite(val_pct)
            last = _last_finite(np.where(both, train_pct, np.nan))
            if last is not None:
                gap = train_pct[last] - val_pct[last]
                shade = ax.fill_between(
                    epochs,
                    np.where(both, train_pct, 0.0),
                    np.where(both, val_pct, 0.0),
                    where=both,
                    color=_GAP_COLOR,
                    alpha=0.15,
                    linewidth=0,
                )
                handles.append(shade)
                labels.append(f"train − val gap: {gap:+.1f} points at epoch {epochs[last]:g}")
                ax.annotate(
                    "",
                    xy=(epochs[last], val_pct[last]),
                    xytext=(epochs[last], train_pct[last]),
                    arrowprops={"arrowstyle": "<->", "color": _GAP_COLOR, "linewidth": 1.2},
                )
        if best_index is not None:
            best_label = f"best epoch {best_epoch}"
            if val_pct is not None and np.isfinite(val_pct[best_index]):
                best_label += f" (val acc {val_pct[best_index]:.1f}%)"
            handles.append(ax.axvline(best_epoch, color="0.3", linestyle="--", linewidth=1))
            labels.append(best_label)
        ax.set_title("Accuracy")
        _epoch_axis(ax, epochs)
        ax.set_ylabel("accuracy (%)")
        ax.grid(alpha=0.3)
        _literal_legend(ax, handles, labels, loc="best", fontsize=9)
    return _finish(fig, path)


def update_ratios(history, *, title: str | None = None, path=None) -> Figure:
    """Update-to-weight ratio ‖Δθ⁽ˡ⁾‖ / ‖θ⁽ˡ⁾‖ per layer over the epochs, on a log scale.

    A healthy learning rate moves each layer's weights by about a thousandth of their size
    per step (the shaded band, 1e-4 to 1e-2): far below, learning crawls; far above, it is
    unstable.

    Parameters
    ----------
    history : mapping of str to 1-D sequence
        Columns ``update_ratio_1``, ..., ``update_ratio_{L-1}`` (one per θ⁽ˡ⁾) and
        optionally ``epoch``. Zero, negative, NaN and infinite entries are left out.
    title : str, optional
        Drawn literally; default ``"Update-to-weight ratio per layer"``.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes.
    """
    columns = _History(history)
    found = []
    for name in columns.names:
        match = re.fullmatch(r"update_ratio_(\d+)", name)
        if match:
            found.append((int(match.group(1)), name))
    found.sort()

    fig = _new_figure(7.0, 4.4)
    ax = fig.add_subplot()
    text, style = _titled(title, "Update-to-weight ratio per layer")
    fig.suptitle(text, **style)
    low, high = HEALTHY_UPDATE_RATIO
    band = ax.axhspan(low, high, color="#2ca02c", alpha=0.12, linewidth=0)
    target = ax.axhline(1e-3, color="#2ca02c", linestyle=":", linewidth=1)
    handles, labels = [], []
    plotted = 0
    n_epochs = 0
    epochs = None
    for layer, name in found:
        values = columns.raw(name)
        n_epochs = len(values)
        values = np.where(values > 0, values, np.nan)  # log scale: only positive ratios
        epochs = columns.epochs(len(values))
        if not np.isfinite(values).any():
            continue
        (line,) = ax.plot(epochs, values, color=f"C{(layer - 1) % 10}", **_line_style(n_epochs))
        handles.append(line)
        labels.append(f"{_layer_symbol(THETA, layer)}: layer {layer} → {layer + 1}")
        plotted += 1
    ax.set_yscale("log")
    if not plotted:
        ax.set_ylim(low / 10, high * 10)
        _note(
            ax,
            "no update ratios recorded" if not found else "no positive finite update ratios",
        )
    handles += [band, target]
    labels += [f"healthy band ({_sci(low)} to {_sci(high)})", "target ≈ 1e-3"]
    _epoch_axis(ax, epochs)
    ax.set_ylabel(r"update ratio $\|\Delta\theta^{(l)}\| \,/\, \|\theta^{(l)}\|$ (log scale)")
    ax.grid(alpha=0.3, which="major")
    _literal_legend(
        ax, handles, labels, math=True, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9
    )
    return _finish(fig, path)


# ---------------------------------------------------------------------- classification results
_COLORBAR_LABELS = {
    None: "number of examples",
    "true": "fraction of the true class (rows sum to 1)",
    "pred": "fraction of the predicted class (columns sum to 1)",
    "all": "fraction of all examples",
}


def confusion_matrix(
    y_true,
    y_pred,
    labels=None,
    *,
    class_names=None,
    normalize: str | None = None,
    title: str | None = None,
    path=None,
) -> Figure:
    """The confusion matrix: row = true class, column = predicted class.

    Drawn by scikit-learn's ``ConfusionMatrixDisplay`` onto this module's own figure.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (m,)
        True and predicted labels.
    labels : array-like of shape (K,), optional
        Which labels to show, in this order. Default: every label in either array, sorted.
    class_names : sequence of str of length K, optional
        Names for the tick labels, drawn literally. Default: the labels themselves.
    normalize : {None, "true", "pred", "all"}, default=None
        Counts (None) or fractions over rows ("true": per-class recall), columns or all.
    title : str, optional
        Drawn literally. Default names the number of examples and the accuracy.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the matrix and its colorbar.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must be 1-D with one label per example, got shapes "
            f"{y_true.shape} and {y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError("y_true and y_pred hold no examples")
    shown = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    names = [str(label) for label in shown] if class_names is None else list(class_names)
    if len(names) != len(shown):
        raise ValueError(f"class_names must have {len(shown)} entries (one per label), got {names}")
    k = len(names)
    side = max(4.8, 0.55 * k + 3.0)
    fig = _new_figure(side + 0.9, side)
    ax = fig.add_subplot()
    display = ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=shown,
        display_labels=names,
        normalize=normalize,
        values_format=".2f" if normalize else "d",
        cmap="Blues",
        ax=ax,
        colorbar=True,
    )
    display.im_.colorbar.set_label(_COLORBAR_LABELS[normalize])
    # Tick labels are class names: set them again so they are drawn literally. Rotate
    # them only when they would not fit side by side.
    rotate = max(len(name) for name in names) * k > 40
    ax.set_xticks(
        range(k),
        labels=names,
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor",
        **LITERAL,
    )
    ax.set_yticks(range(k), labels=names, **LITERAL)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = float(np.mean(y_true == y_pred))
    text, style = _titled(
        title, f"Confusion matrix ({y_true.size} examples, accuracy {accuracy:.1%})"
    )
    ax.set_title(text, **style)
    return _finish(fig, path)


def misclassified_examples(
    X,
    y_true,
    y_pred,
    image_shape: tuple[int, int] = (8, 8),
    max_images: int = 16,
    *,
    title: str | None = None,
    path=None,
) -> Figure:
    """The first ``max_images`` examples whose prediction is wrong, as gray images.

    Parameters
    ----------
    X : array-like of shape (m, h·w)
        One flattened image per row (e.g. the 8×8 digits, 64 columns).
    y_true, y_pred : array-like of shape (m,)
        True and predicted labels; each panel is titled with both, drawn literally.
    image_shape : (int, int), default=(8, 8)
        (h, w) of one image.
    max_images : int, default=16
        At most this many panels.
    title : str, optional
        Drawn literally. Default counts the mistakes.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per image shown (one empty axes with a note when nothing is wrong).
    """
    X = np.asarray(X, dtype=np.float64)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    h, w = _check_image_shape(image_shape)
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(
            f"X must have shape (m, {h * w}) for images of shape {(h, w)}, got {X.shape}"
        )
    if y_true.shape != (X.shape[0],) or y_pred.shape != (X.shape[0],):
        raise ValueError(
            f"y_true and y_pred must have shape ({X.shape[0]},), got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    max_images = _check_int(max_images, "max_images", minimum=1)
    wrong = np.flatnonzero(y_true != y_pred)
    shown = wrong[:max_images]
    if title is None:
        share = wrong.size / X.shape[0] if X.shape[0] else 0.0
        title = f"Misclassified examples: {wrong.size} of {X.shape[0]} ({share:.1%})"
        if wrong.size > shown.size:
            title += f", first {shown.size} shown"
    if shown.size == 0:
        fig = _new_figure(4.5, 2.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        _note(ax, "no misclassified examples")
        fig.suptitle(str(title), **LITERAL)
        return _finish(fig, path)

    rows, cols = _grid_shape(shown.size, 8)
    fig = _new_figure(max(4.5, 1.45 * cols), 1.75 * rows + 0.6)
    finite = X[np.isfinite(X)]
    # One intensity scale for every panel, so a faint stroke looks faint.
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    for position, index in enumerate(shown, start=1):
        ax = fig.add_subplot(rows, cols, position)
        ax.imshow(
            X[index].reshape(h, w), cmap="gray_r", vmin=vmin, vmax=vmax, interpolation="nearest"
        )
        ax.set_title(f"true {y_true[index]}\npred {y_pred[index]}", fontsize=9, **LITERAL)
        ax.set_axis_off()
    fig.suptitle(str(title), **LITERAL)
    return _finish(fig, path)


def _check_int(value, name: str, *, minimum: int) -> int:
    """``value`` as an int >= minimum, or a ValueError naming it."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_image_shape(image_shape) -> tuple[int, int]:
    """(h, w) as positive ints, or a ValueError."""
    try:
        h, w = (int(side) for side in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width), got {image_shape!r}") from None
    if h < 1 or w < 1:
        raise ValueError(f"image_shape must be positive, got {image_shape!r}")
    return h, w


# ---------------------------------------------------------------------- decision regions
def _resolve_predictor(predict_fn) -> Callable:
    """A callable from a function, a fitted estimator (its ``predict``) or a Network."""
    if callable(predict_fn):
        return predict_fn
    for name in ("predict", "forward"):
        method = getattr(predict_fn, name, None)
        if callable(method):
            return method
    raise TypeError(
        "predict_fn must be a callable such as model.predict_proba or model.predict, "
        f"got {type(predict_fn).__name__}"
    )


def _predict_points(predict: Callable, points: np.ndarray) -> np.ndarray:
    """The model's output for ``points``: scores (m, K) or labels (m,), checked."""
    output = np.asarray(predict(points))
    if output.ndim not in (1, 2) or output.shape[0] != points.shape[0]:
        raise ValueError(
            f"predict_fn must return scores of shape ({points.shape[0]}, K) or labels of "
            f"shape ({points.shape[0]},) for {points.shape[0]} points, got shape {output.shape}"
        )
    return output


class _ClassSpace:
    """Class indices 0..K-1 shared by model outputs and true labels.

    Scores (m, K): class k is column k, named by the k-th sorted label of y (scikit-learn's
    ``classes_`` order) or by k itself when y holds indices. Labels (m,): the classes are
    every label seen, sorted.
    """

    def __init__(self, y: np.ndarray, outputs: list[np.ndarray]) -> None:
        self.scores = outputs[0].ndim == 2
        if self.scores:
            columns = outputs[0].shape[1]
            k = max(2, columns)  # one column: P(class 1) of a binary model
            labels = np.unique(y)
            if len(labels) == k:
                self.classes = labels
            elif np.issubdtype(y.dtype, np.integer) and y.min() >= 0 and y.max() < k:
                self.classes = np.arange(k)
            else:
                raise ValueError(
                    f"predict_fn returned {columns} score columns, but y has "
                    f"{len(labels)} classes {labels.tolist()}; pass y with one class per "
                    "column or use model.predict, which returns labels"
                )
        else:
            self.classes = np.unique(np.concatenate([y, *outputs]))

    def indices(self, output: np.ndarray) -> np.ndarray:
        """The class index of each row of a model output."""
        if not self.scores:
            return self.label_indices(output)
        if output.shape[1] == 1:
            return (output[:, 0] >= 0.5).astype(int)
        return np.argmax(output, axis=1)

    def label_indices(self, labels: np.ndarray) -> np.ndarray:
        """Positions of ``labels`` in the sorted class list."""
        return np.searchsorted(self.classes, labels)


def decision_regions(
    predict_fn,
    X,
    y,
    *,
    feature_names=None,
    feature_units=None,
    class_names=None,
    resolution: int = 200,
    ax=None,
    title: str | None = None,
    path=None,
) -> Figure:
    """Which class the model predicts over the 2-D input plane, with the data on top.

    The lecture's cats-vs-dogs picture: each point of a grid covering the data is colored
    by its predicted class, black lines mark the decision boundaries, and the examples are
    drawn in their true class's color and marker.

    Parameters
    ----------
    predict_fn : callable or estimator
        ``predict_proba``-like, returning scores of shape (m, K) (argmax wins; one column
        is read as P(class 1) and thresholded at 0.5), or ``predict``-like, returning
        labels of shape (m,). An estimator (its ``predict``) or a Network (its
        ``forward``) is accepted too.
    X : array-like of shape (m, 2)
        The examples; their range, padded by 10%, sets the plotted area.
    y : array-like of shape (m,)
        True labels. With scores, class k is the k-th sorted label (scikit-learn's
        ``classes_`` order), or y itself when y holds indices 0..K-1.
    feature_names : (str, str), optional
        Axis names, drawn literally. Default ``("x₁", "x₂")``.
    feature_units : (str or None, str or None), optional
        Units appended to the axis names: ``"weight (kg)"``.
    class_names : sequence of str or mapping of label to str, optional
        Legend names, drawn literally. Default: the labels.
    resolution : int, default=200
        Grid points per axis.
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    title : str, optional
        Drawn literally. Default gives the accuracy on the plotted examples.
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes (one axes when ``ax`` is not given).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            "decision_regions needs exactly 2 input features (one per axis), "
            f"got X of shape {X.shape}"
        )
    if y.shape != (X.shape[0],) or X.shape[0] == 0:
        raise ValueError(f"y must have shape ({X.shape[0]},) with m >= 1, got {y.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values; remove those examples first")
    resolution = _check_int(resolution, "resolution", minimum=2)
    names = _pair(feature_names, "feature_names", ("x₁", "x₂"))
    units = _pair(feature_units, "feature_units", (None, None))

    # The plotted area: the data's range, padded by 10% (or by 1 if a feature is constant).
    low, high = X.min(axis=0), X.max(axis=0)
    pad = np.where(high > low, 0.1 * (high - low), 1.0)
    low, high = low - pad, high + pad
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([g1.ravel(), g2.ravel()])

    predict = _resolve_predictor(predict_fn)
    grid_output = _predict_points(predict, grid)
    point_output = _predict_points(predict, X)
    if grid_output.ndim != point_output.ndim:
        raise ValueError("predict_fn must return the same kind of output (scores or labels)")
    space = _ClassSpace(y, [grid_output, point_output])
    regions = space.indices(grid_output).reshape(g1.shape)
    point_index = space.label_indices(y)
    accuracy = float(np.mean(space.indices(point_output) == point_index))
    k = len(space.classes)
    if class_names is None:
        legend_names = [str(label) for label in space.classes]
    elif isinstance(class_names, Mapping):
        legend_names = [str(class_names.get(label, label)) for label in space.classes]
    else:
        legend_names = [str(name) for name in class_names]
        if len(legend_names) != k:
            raise ValueError(
                f"class_names must have {k} entries (one per class "
                f"{[str(c) for c in space.classes]}), got {legend_names}"
            )

    if ax is None:
        fig = _new_figure(7.6, 5.4)
        ax = fig.add_subplot()
    else:
        fig = _root_figure(ax)
    colors = _class_colors(k)
    ax.imshow(
        regions,
        origin="lower",
        extent=(low[0], high[0], low[1], high[1]),
        cmap=ListedColormap(colors),
        vmin=-0.5,
        vmax=k - 0.5,
        alpha=0.28,
        interpolation="nearest",
        aspect="auto",
    )
    # Boundary lines lie between neighbouring class indices; contour only levels that occur.
    levels = [i + 0.5 for i in range(k - 1) if regions.min() < i + 0.5 < regions.max()]
    if levels:
        ax.contour(g1, g2, regions, levels=levels, colors="k", linewidths=0.9)
    handles = []
    for index in range(k):
        members = point_index == index
        handles.append(
            ax.scatter(
                X[members, 0],
                X[members, 1],
                color=colors[index],
                marker=_MARKERS[index % len(_MARKERS)],
                edgecolors="k",
                linewidths=0.6,
                s=36,
                zorder=3,
            )
        )
    labels = list(legend_names)
    if levels:
        handles.append(Line2D([], [], color="k", linewidth=0.9))
        labels.append("decision boundary")
    _literal_legend(
        ax,
        handles,
        labels,
        title="class",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=9,
    )
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel(_axis_label(names[0], units[0]), **LITERAL)
    ax.set_ylabel(_axis_label(names[1], units[1]), **LITERAL)
    text, style = _titled(
        title, f"Decision regions (accuracy on the {X.shape[0]} points shown: {accuracy:.1%})"
    )
    ax.set_title(text, **style)
    return _finish(fig, path)


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
    the input image shows which pixels excite it (white) and which inhibit it (black).
    Each panel has its own symmetric scale, so mid-gray is always a weight of zero.

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
        One axes per unit drawn.
    """
    h, w = _check_image_shape(image_shape)
    weights = _first_layer_weights(net, h * w)
    if weights.shape[1] != h * w:
        raise ValueError(
            f"the network has {weights.shape[1]} inputs, which do not form images of "
            f"shape {(h, w)}; pass the right image_shape"
        )
    max_units = _check_int(max_units, "max_units", minimum=1)
    n_units = weights.shape[0]
    shown = min(n_units, max_units)
    rows, cols = _grid_shape(shown, 10)
    fig = _new_figure(max(5.0, 1.15 * cols), 1.25 * rows + 0.9)
    for unit in range(shown):
        ax = fig.add_subplot(rows, cols, unit + 1)
        image = weights[unit].reshape(h, w)
        limit = float(np.nanmax(np.abs(image))) if np.isfinite(image).any() else 1.0
        limit = limit if limit > 0 else 1.0
        ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(f"unit {unit + 1}", fontsize=8)
        ax.set_axis_off()
    default = (
        f"Incoming weights {_layer_symbol(THETA, 1)} of each hidden unit\n"
        "white > 0, gray = 0, black < 0"
    )
    if shown < n_units:
        default += f"; first {shown} of {n_units} units"
    text, style = _titled(title, default)
    fig.suptitle(text, fontsize=11, **style)
    return _finish(fig, path)


def _parse_bounds(bounds, X) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the 2-D plane from explicit bounds or from the data X (padded 10%)."""
    if X is not None:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0 or not np.isfinite(X).all():
            raise ValueError(f"X must be finite with shape (m, 2), got shape {X.shape}")
        low, high = X.min(axis=0), X.max(axis=0)
        pad = np.where(high > low, 0.1 * (high - low), 1.0)
        return low - pad, high + pad
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


_ACTIVATION_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}

#: A sigmoid or tanh unit within this distance of its limits counts as saturated: there
#: f′ is below 0.05 (sigmoid, a(1 − a)) or 0.1 (tanh, 1 − a²).
SATURATION_MARGIN = 0.05


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
    resolution = _check_int(resolution, "resolution", minimum=2)
    max_units = _check_int(max_units, "max_units", minimum=1)
    low, high = _parse_bounds(bounds, X)
    names = _pair(feature_names, "feature_names", ("x₁", "x₂"))
    units = _pair(feature_units, "feature_units", (None, None))
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    layers = net.activations(grid)
    below = np.asarray(layers[layer - 2], dtype=np.float64)  # a⁽ˡ⁻¹⁾
    theta = np.asarray(net.thetas[layer - 2], dtype=np.float64)  # θ⁽ˡ⁻¹⁾
    activations = np.asarray(layers[layer - 1], dtype=np.float64)  # a⁽ˡ⁾
    logits = below @ theta[:, 1:].T + theta[:, 0]  # z⁽ˡ⁾, for the a = f(0) line
    n_units = activations.shape[1]
    shown = min(n_units, max_units)
    vmin, vmax = _ACTIVATION_RANGES.get(
        net.activation, (float(activations.min()), float(activations.max()))
    )
    if vmax <= vmin:
        vmax = vmin + 1.0

    rows, cols = _grid_shape(shown, 6)
    fig = _new_figure(max(5.5, 2.3 * cols + 1.2), 2.1 * rows + 0.9)
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
            ax.set_xlabel(_axis_label(names[0], units[0]), fontsize=8, **LITERAL)
            ax.tick_params(labelbottom=True)
        if unit % cols == 0:
            ax.set_ylabel(_axis_label(names[1], units[1]), fontsize=8, **LITERAL)
    colorbar = fig.colorbar(image, ax=kept, shrink=0.9)
    colorbar.set_label(f"activation {_layer_symbol('a', layer, 'i')} ({net.activation})")
    default = (
        f"Features {_layer_symbol('a', layer)} learned by hidden layer {layer} "
        f"(dashed line: {_layer_symbol('z', layer, 'i')} = 0)"
    )
    if shown < n_units:
        default += f", first {shown} of {n_units} units"
    text, style = _titled(title, default)
    fig.suptitle(text, **style)
    return _finish(fig, path)


def activation_histograms(net, X, *, bins: int = 40, title: str | None = None, path=None) -> Figure:
    """A histogram of a⁽ˡ⁾ for each hidden layer, with saturated or dead units counted.

    Sigmoid and tanh units near their limits (|a| within 0.05 of them) have f′ ≈ 0 and
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
    bins = _check_int(bins, "bins", minimum=1)
    layers = net.activations(X)
    hidden = [np.asarray(a, dtype=np.float64) for a in layers[1:-1]]
    name = net.activation
    default = f"Hidden activations on {layers[0].shape[0]} examples ({name} units)"
    if name in _ACTIVATION_RANGES:
        default += f"\nred: saturated, within {SATURATION_MARGIN} of a limit, where f′ ≈ 0"
    text, style = _titled(title, default)
    if not hidden:
        fig = _new_figure(5.0, 2.2)
        ax = fig.add_subplot()
        ax.set_axis_off()
        _note(ax, "this network has no hidden layer")
        fig.suptitle(text, **style)
        return _finish(fig, path)

    cols = min(len(hidden), 3)
    rows = math.ceil(len(hidden) / cols)
    fig = _new_figure(max(6.0, 4.3 * cols), 3.4 * rows + 0.7)
    value_range = _ACTIVATION_RANGES.get(name)
    for index, values in enumerate(hidden):
        layer = index + 2
        ax = fig.add_subplot(rows, cols, index + 1)
        finite = values[np.isfinite(values)]
        ax.hist(finite.ravel(), bins=bins, range=value_range, color="C0", alpha=0.85)
        details = []
        if value_range is not None:
            lo, hi = value_range
            saturated = (values <= lo + SATURATION_MARGIN) | (values >= hi - SATURATION_MARGIN)
            details.append(f"saturated {saturated.mean():.1%}")
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
        ax.set_xlabel(f"activation {_layer_symbol('a', layer)}")
        ax.set_ylabel("count (examples × units)")
        ax.grid(alpha=0.3)
    fig.suptitle(text, **style)
    return _finish(fig, path)


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
        name = _layer_symbol(THETA, index)
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

    fig = _new_figure(max(6.0, 1.1 * len(errors) + 3.5), 4.6)
    ax = fig.add_subplot()
    ax.set_yscale("log")
    band_edges = [floor, *(mark for mark, _ in GRADCHECK_MARKS), top]
    band_names = [name for _, name in GRADCHECK_MARKS] + ["wrong"]
    for (lo, hi), verdict in zip(itertools.pairwise(band_edges), band_names):
        ax.axhspan(lo, hi, color=_VERDICT_COLORS[verdict], alpha=0.10, linewidth=0)
        ax.text(
            1.01,
            math.sqrt(lo * hi),
            verdict,
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=9,
            color=_VERDICT_TEXT_COLORS[verdict],
        )
    for mark, _ in GRADCHECK_MARKS:
        ax.axhline(mark, color="0.4", linestyle="--", linewidth=0.8)
    colors = [_VERDICT_COLORS[_verdict(e)] for e in errors]
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
    text, style = _titled(
        title, f"Gradient check: backprop vs central differences (verdict: {_verdict(worst)})"
    )
    ax.set_title(text, **style)
    return _finish(fig, path)


def _verdict(error: float) -> str:
    """The reading of a relative error: good, acceptable, suspect or wrong (NaN is wrong)."""
    for mark, name in GRADCHECK_MARKS:
        if error < mark:
            return name
    return "wrong"
