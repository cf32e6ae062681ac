"""Classification results: the confusion matrix, misclassified images, decision regions."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.figure import Figure

from .._validation import check_int
from .base import (
    LITERAL,
    MARKERS,
    axis_label,
    check_image_shape,
    class_colors,
    colormap,
    finish,
    grid_shape,
    image_tiles,
    line_handle,
    literal_legend,
    new_figure,
    note,
    padded_range,
    pair,
    plane_grid,
    root_figure,
    titled,
)

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
    fig = new_figure(side + 0.9, side)
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
    text, style = titled(
        title, f"Confusion matrix ({y_true.size} examples, accuracy {accuracy:.1%})"
    )
    # Over the whole figure: a title over the matrix's axes alone runs under the colour bar.
    fig.suptitle(text, **style)
    return finish(fig, path)


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
        The images side by side in one axes, each titled "true …\npred …" (an empty
        axes with a note when nothing is wrong).
    """
    X = np.asarray(X, dtype=np.float64)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    h, w = check_image_shape(image_shape)
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(
            f"X must have shape (m, {h * w}) for images of shape {(h, w)}, got {X.shape}"
        )
    if y_true.shape != (X.shape[0],) or y_pred.shape != (X.shape[0],):
        raise ValueError(
            f"y_true and y_pred must have shape ({X.shape[0]},), got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    max_images = check_int("max_images", max_images, minimum=1)
    wrong = np.flatnonzero(y_true != y_pred)
    shown = wrong[:max_images]
    if title is None:
        share = wrong.size / X.shape[0] if X.shape[0] else 0.0
        title = f"Misclassified examples: {wrong.size} of {X.shape[0]} ({share:.1%})"
        if wrong.size > shown.size:
            title += f", first {shown.size} shown"
    if shown.size == 0:
        fig = new_figure(4.5, 2.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        note(ax, "no misclassified examples")
        fig.suptitle(str(title), **LITERAL)
        return finish(fig, path)

    _, cols = grid_shape(shown.size, 8)
    finite = X[np.isfinite(X)]
    # One intensity scale for every panel, so a faint stroke looks faint.
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    fig, _, _ = image_tiles(
        X[shown].reshape(shown.size, h, w),
        [f"true {y_true[index]}\npred {y_pred[index]}" for index in shown],
        columns=cols,
        label_lines=2,
        tile_inches=1.25,
        top_inches=0.45,
        fontsize=9,
        vmin=vmin,
        vmax=vmax,
    )
    fig.suptitle(str(title), **LITERAL)
    return finish(fig, path)


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
    marker_size: float = 36,
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
    marker_size : float, default=36
        Area of each example's marker, in points² (larger for a handful of examples).
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
    resolution = check_int("resolution", resolution, minimum=2)
    names = pair(feature_names, "feature_names", ("x₁", "x₂"))
    units = pair(feature_units, "feature_units", (None, None))

    low, high = padded_range(X)
    g1, g2, grid = plane_grid(low, high, resolution)

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
        fig = new_figure(7.6, 5.4)
        ax = fig.add_subplot()
    else:
        fig = root_figure(ax)
    colors = class_colors(k)
    ax.imshow(
        regions,
        origin="lower",
        extent=(low[0], high[0], low[1], high[1]),
        cmap=colormap(colors),
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
                marker=MARKERS[index % len(MARKERS)],
                edgecolors="k",
                linewidths=0.6,
                s=marker_size,
                zorder=3,
            )
        )
    labels = list(legend_names)
    if levels:
        handles.append(line_handle(color="k", linewidth=0.9))
        labels.append("decision boundary")
    literal_legend(
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
    ax.set_xlabel(axis_label(names[0], units[0]), **LITERAL)
    ax.set_ylabel(axis_label(names[1], units[1]), **LITERAL)
    text, style = titled(
        title, f"Decision regions (accuracy on the {X.shape[0]} points shown: {accuracy:.1%})"
    )
    ax.set_title(text, **style)
    return finish(fig, path)
