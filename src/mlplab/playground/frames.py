"""What a page draws, computed from the network as it is now: one frame.

A frame is plain JSON: the decision regions over the input plane (class and confidence on
a grid), each hidden unit's activation a⁽ˡ⁾ⱼ over the same plane (coarser), and θ of every
layer. Grids travel as base64 bytes (0–255), a few kilobytes per frame. The points and
the axes do not change while training and are sent once (:func:`describe_data`).
"""

from __future__ import annotations

import base64
import math

import numpy as np

from .data import PageData

__all__ = ["GRID", "UNIT_GRID", "describe_data", "network_frame", "plane"]

#: Cells per axis of the decision regions, and of each hidden unit's picture.
GRID = 60
UNIT_GRID = 24


def plane(bounds: np.ndarray, n: int) -> np.ndarray:
    """The centres of an n × n grid over ``bounds``, row by row from the top (x₂ max).

    Returns
    -------
    ndarray of shape (n², 2)
        Raw coordinates (x₁, x₂); row r, column c is entry r·n + c.
    """
    x1 = np.linspace(bounds[0, 0], bounds[0, 1], n)
    x2 = np.linspace(bounds[1, 1], bounds[1, 0], n)
    g1, g2 = np.meshgrid(x1, x2)
    return np.column_stack([g1.ravel(), g2.ravel()])


def describe_data(data: PageData) -> dict:
    """The points, their classes and split, the axes' names: sent once per data set.

    ``colors`` are the figures' class colours (:func:`mlplab.plots.class_colors`),
    so that a class has one colour on the page and in its PNGs.
    """
    from ..plots import class_colors

    classes = data.classes
    points = np.vstack([data.raw_train, data.raw_val])
    labels = np.concatenate([data.y_train, data.y_val])
    names = list(data.dataset.feature_names) or ["x₁", "x₂"]
    units = list(data.dataset.feature_units) or ["", ""]
    return {
        "name": data.dataset.name,
        "features": [f"{name} ({unit})" if unit else name for name, unit in zip(names, units)],
        "classes": data.class_names(),
        "colors": [
            "#" + "".join(f"{round(255 * c):02x}" for c in rgb[:3])
            for rgb in class_colors(len(classes))
        ],
        "bounds": data.bounds.tolist(),
        "points": np.round(points, 6).tolist(),
        "labels": np.searchsorted(classes, labels).tolist(),
        "n_train": int(data.raw_train.shape[0]),
    }


def network_frame(net, data: PageData) -> dict:
    """Decision regions, hidden-unit pictures and θ of ``net`` on ``data``'s plane.

    Parameters
    ----------
    net : Network
        Trained on standardized features; read, not modified.
    data : PageData

    Returns
    -------
    dict
        ``regions``: {"n", "cls", "conf"} with base64 bytes, row-major from the top:
        the predicted class index and the confidence (the winning probability, or
        |2p − 1| for one sigmoid output, scaled to 0–255). ``units``: per hidden layer
        l = 2, ..., L−1 a list of {"img", "low", "high"}: a⁽ˡ⁾ⱼ on a UNIT_GRID grid scaled
        from [low, high] to 0–255. ``thetas``: θ⁽ˡ⁾ as nested lists, bias column first.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        outputs = net.forward(data.standardize(plane(data.bounds, GRID)))
        hidden = net.activations(data.standardize(plane(data.bounds, UNIT_GRID)))[1:-1]
    if outputs.shape[1] == 1:
        p = outputs[:, 0]
        cls = (p >= 0.5).astype(np.uint8)
        conf = np.abs(2.0 * p - 1.0)
    else:
        cls = outputs.argmax(axis=1).astype(np.uint8)
        # K sigmoid outputs need not sum to one: the winner's share of the sum
        total = outputs.sum(axis=1)
        conf = outputs.max(axis=1) / np.where(total > 0, total, 1.0)
        k = outputs.shape[1]
        conf = (conf - 1.0 / k) / (1.0 - 1.0 / k)  # 0 at a k-way tie, 1 when certain
    units = []
    for A in hidden:
        layer = []
        for column in A.T:
            low, high = _unit_range(net.activation, column)
            layer.append({"img": _bytes((column - low) / (high - low)), "low": low, "high": high})
        units.append(layer)
    return {
        "regions": {"n": GRID, "cls": _encode(cls), "conf": _bytes(conf)},
        "units": units,
        "thetas": [theta.tolist() for theta in net.thetas],
    }


def _unit_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """The colour scale of a unit: f's range for sigmoid and tanh, the values' otherwise."""
    if activation == "sigmoid":
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    finite = values[np.isfinite(values)]
    low = float(finite.min()) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 1.0
    if activation == "relu":
        low = 0.0
    if not high - low > 1e-12 * max(1.0, abs(low)):
        high = low + 1.0
    if not (math.isfinite(low) and math.isfinite(high)):
        return 0.0, 1.0
    return low, high


def _bytes(fraction: np.ndarray) -> str:
    """Values in [0, 1] (others clipped, NaN → 0) as base64 bytes 0–255."""
    scaled = np.nan_to_num(np.clip(fraction, 0.0, 1.0), nan=0.0) * 255.0
    return _encode(np.rint(scaled).astype(np.uint8))


def _encode(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=np.uint8).tobytes()).decode()
