"""Babysitting figures drawn from a recorded training history: loss, accuracy, update ratios."""

from __future__ import annotations

import math
import re

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .base import (
    GAP_COLOR,
    LITERAL,
    THETA,
    TRAIN_COLOR,
    VAL_COLOR,
    class_colors,
    finish,
    layer_symbol,
    literal_legend,
    new_figure,
    note,
    sci,
    titled,
)

#: Update-to-weight ratios inside this band are considered healthy (around 1e-3).
HEALTHY_UPDATE_RATIO = (1e-4, 1e-2)


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


def _training_and_validation(ax, epochs, train, validation, style) -> tuple[list, list]:
    """Plot the training and the validation curve, each (values or None, legend label);
    return the legend's handles and labels."""
    handles, labels = [], []
    for (values, label), color in ((train, TRAIN_COLOR), (validation, VAL_COLOR)):
        if values is not None:
            (line,) = ax.plot(epochs, values, color=color, **style)
            handles.append(line)
            labels.append(label)
    return handles, labels


def _mark_best(ax, handles, labels, epoch, validation, index, value_format: str) -> None:
    """A dashed line at the best epoch, its legend entry naming the validation value there."""
    label = f"best epoch {epoch}"
    if validation is not None and np.isfinite(validation[index]):
        label += f" ({value_format.format(validation[index])})"
    handles.append(ax.axvline(epoch, color="0.3", linestyle="--", linewidth=1))
    labels.append(label)


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

    fig = new_figure(11.0 if has_accuracy else 6.5, 4.4)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    text, style = titled(title, "Learning curves")
    fig.suptitle(text, **style)
    style = _line_style(n)

    # -- panel 1: loss
    ax = axes[0]
    finite_train = train_loss if np.isfinite(train_loss).any() else None
    handles, labels = _training_and_validation(
        ax,
        epochs,
        (finite_train, "training J(θ), λ term included"),
        (val_loss, "validation data loss, no λ term"),
        style,
    )
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
        note(ax, "no epochs recorded")
    elif not np.isfinite(train_loss).any():
        note(ax, "no finite training loss (diverged from the start)")
    if best_index is not None:
        _mark_best(ax, handles, labels, best_epoch, val_loss, best_index, "val loss {:.4g}")
    if loss_scale == "log" and (np.nan_to_num(train_loss) > 0).any():
        ax.set_yscale("log")
    ax.set_title("Loss")
    _epoch_axis(ax, epochs)
    ax.set_ylabel(r"loss $J(\theta)$" + (" (log scale)" if ax.get_yscale() == "log" else ""))
    ax.grid(alpha=0.3)
    if handles:
        literal_legend(ax, handles, labels, loc="best", fontsize=9)

    # -- panel 2: accuracy and the train/validation gap
    if has_accuracy:
        ax = axes[1]
        train_pct = None if train_acc is None else _as_percent(train_acc)
        val_pct = None if val_acc is None else _as_percent(val_acc)
        handles, labels = _training_and_validation(
            ax, epochs, (train_pct, "training"), (val_pct, "validation"), style
        )
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
                    color=GAP_COLOR,
                    alpha=0.15,
                    linewidth=0,
                )
                handles.append(shade)
                labels.append(f"train − val gap: {gap:+.1f} points at epoch {epochs[last]:g}")
                ax.annotate(
                    "",
                    xy=(epochs[last], val_pct[last]),
                    xytext=(epochs[last], train_pct[last]),
                    arrowprops={"arrowstyle": "<->", "color": GAP_COLOR, "linewidth": 1.2},
                )
        if best_index is not None:
            _mark_best(ax, handles, labels, best_epoch, val_pct, best_index, "val acc {:.1f}%")
        ax.set_title("Accuracy")
        _epoch_axis(ax, epochs)
        ax.set_ylabel("accuracy (%)")
        ax.grid(alpha=0.3)
        literal_legend(ax, handles, labels, loc="best", fontsize=9)
    return finish(fig, path)


def loss_per_epoch(ax, curves, *, chance_label: str, xlabel: str, title: str) -> None:
    """Training loss J(θ) of a few runs on a log epoch axis, against J = ln 2 of h = ½.

    ``curves`` maps a legend label to (history, color); used by the demos' panels.
    """
    for label, (history, color) in curves.items():
        ax.plot(history["epoch"], history["train_loss"], color=color, label=label)
    ax.axhline(math.log(2), color="0.4", linestyle=":", linewidth=1.2, label=chance_label)
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("training loss J(θ)")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")


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

    fig = new_figure(7.0, 4.4)
    ax = fig.add_subplot()
    text, style = titled(title, "Update-to-weight ratio per layer")
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
        labels.append(f"{layer_symbol(THETA, layer)}: layer {layer} → {layer + 1}")
        plotted += 1
    ax.set_yscale("log")
    if not plotted:
        ax.set_ylim(low / 10, high * 10)
        note(
            ax,
            "no update ratios recorded" if not found else "no positive finite update ratios",
        )
    handles += [band, target]
    labels += [f"healthy band ({sci(low)} to {sci(high)})", "target ≈ 1e-3"]
    _epoch_axis(ax, epochs)
    ax.set_ylabel(r"update ratio $\|\Delta\theta^{(l)}\| \,/\, \|\theta^{(l)}\|$ (log scale)")
    ax.grid(alpha=0.3, which="major")
    literal_legend(
        ax, handles, labels, math=True, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9
    )
    return finish(fig, path)


def network_losses(
    histories, *, title: str | None = None, max_legend: int = 12, path=None
) -> Figure:
    """Training loss J(θ) per epoch of several binary networks (one-vs-rest, one-vs-one).

    Each binary network outputs h = ½ before it has learned anything, a loss of ln 2;
    the dotted line marks it. Epochs are on a log axis so that short and long runs both
    show.

    Parameters
    ----------
    histories : mapping of str to history
        Legend label (e.g. ``"cat vs rest"``) → that network's history (a ``train_loss``
        column, optionally ``epoch``).
    title : str, optional
        Drawn literally. Default names the number of networks.
    max_legend : int, default=12
        With more networks than this the legend is left out (a note says how many).
    path : str or path-like, optional
        Where to save the figure as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes.
    """
    histories = dict(histories)
    if not histories:
        raise ValueError("histories is empty: pass one history per binary network")
    colors = class_colors(len(histories))
    curves = {}
    for (label, history), color in zip(histories.items(), colors):
        columns = _History(history)
        loss = columns.raw("train_loss")
        if loss is None:
            raise ValueError(f"the history of {label!r} has no 'train_loss' column")
        curves[str(label)] = ({"epoch": columns.epochs(len(loss)), "train_loss": loss}, color)
    fig = new_figure(7.5, 4.4)
    ax = fig.add_subplot()
    loss_per_epoch(
        ax,
        curves,
        chance_label="ln 2: h = ½, nothing learned",
        xlabel="epoch (log scale)",
        title="",
    )
    legend = ax.get_legend()
    if len(curves) > max_legend:
        legend.remove()
        note_text = f"{len(curves)} networks (legend left out)"
        ax.text(0.99, 0.98, note_text, transform=ax.transAxes, ha="right", va="top", **LITERAL)
    else:
        for text in legend.get_texts():
            text.set_parse_math(False)
        legend.set_loc("upper right")
    default = f"Training loss of each of the {len(curves)} binary networks"
    text, style = titled(title, default)
    fig.suptitle(text, **style)
    return finish(fig, path)
