"""What every demo shares: the result type, figure creation and saving, data helpers."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EVERY_EPOCH",
    "DemoResult",
    "draw_hidden_lines",
    "new_figure",
    "save_figures",
    "single_threaded_blas",
    "standardized_split",
]


#: Training settings that run every epoch asked for: no stopping rule cuts a long plateau
#: (XOR from small weights crosses one before it breaks its symmetry).
EVERY_EPOCH = {"tol": 0.0, "n_iter_no_change": 10**6}


@dataclass
class DemoResult:
    """The outcome of one demo: its figures, its numbers and its printed tables.

    Attributes
    ----------
    name : str
        The demo's name in :data:`mlplab.demos.DEMOS`.
    figures : dict of str to matplotlib.figure.Figure
        Figure key → figure. Saved as ``<out_dir>/<name>-<key>.png``.
    numbers : dict of str to object
        What the demo measured (accuracies, errors, counts), as plain Python values.
    tables : dict of str to str
        Plain-text tables, as the lecture prints them.
    paths : dict of str to pathlib.Path
        Figure key → saved PNG; empty unless the demo was given ``out_dir``.
    """

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def summary(self) -> str:
        """The tables and the top-level numbers as text, for a terminal."""
        parts = [*self.tables.values()]
        scalars = [
            f"{key}: {_format_value(value)}"
            for key, value in self.numbers.items()
            if isinstance(value, (bool, int, float, str))
        ]
        if scalars:
            parts.append("\n".join(scalars))
        if self.paths:
            parts.append("\n".join(f"wrote {path}" for path in self.paths.values()))
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        return (
            f"DemoResult(name={self.name!r}, figures={sorted(self.figures)}, "
            f"numbers={sorted(self.numbers)})"
        )


def single_threaded_blas(function):
    """Run ``function`` with BLAS limited to one thread.

    The demos' networks are tiny (tens of parameters, hundreds of examples). On such
    sizes OpenBLAS threads cost more than they save: their start-up and spinning slowed
    scipy's L-BFGS-B several times over (measured 0.1 s single-threaded against 0.75 to
    10 s with two threads for the same fit on 2 cores).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        # scipy ships its own OpenBLAS, loaded with scipy.linalg; threadpoolctl limits
        # only the libraries already loaded, so load it first.
        import scipy.linalg  # noqa: F401

        from ..training import one_blas_thread

        with one_blas_thread:
            return function(*args, **kwargs)

    return wrapper


def _format_value(value) -> str:
    """Floats with four significant digits, everything else as is."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def new_figure(width: float, height: float):
    """A figure on its own Agg canvas from :func:`mlplab.plots.new_figure` (no pyplot)."""
    from ..plots import new_figure as plots_new_figure

    return plots_new_figure(width, height)


def draw_hidden_lines(ax, net, color, linewidth: float) -> None:
    """Dashed, each first-hidden-layer unit's line z⁽²⁾ᵢ = 0 where it crosses ``ax``'s area."""
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    g1, g2 = np.meshgrid(np.linspace(x_low, x_high, 200), np.linspace(y_low, y_high, 200))
    for theta in net.thetas[0]:
        z = theta[0] + theta[1] * g1 + theta[2] * g2
        if z.min() < 0 < z.max():
            ax.contour(g1, g2, z, levels=[0.0], colors=color, linestyles="--", linewidths=linewidth)


def save_figures(result: DemoResult, out_dir) -> DemoResult:
    """Write each figure of ``result`` to ``out_dir/<name>-<key>.png``; return ``result``.

    ``out_dir`` is created if needed; ``None`` saves nothing.
    """
    if out_dir is None:
        return result
    from ..plots import save_figure

    folder = Path(os.fspath(out_dir))
    folder.mkdir(parents=True, exist_ok=True)
    for key, fig in result.figures.items():
        path = folder / f"{result.name}-{key}.png"
        save_figure(fig, path)
        result.paths[key] = path
    return result


def standardized_split(X, y, *, test_size: float, random_state):
    """A stratified train/test split and the scaler fitted on the training part.

    Weight in kg and length in cm differ in scale by an order of magnitude; sigmoid
    units learn far faster from inputs of order one, so the models see
    ``(x − mean) / sd`` with the mean and sd of the training set. The plots keep the
    original units by scaling each grid point the same way.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        In the original units.
    scaler : sklearn.preprocessing.StandardScaler
        Fitted on ``X_train``.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = train_test_split(
        np.asarray(X), np.asarray(y), test_size=test_size, stratify=y, random_state=random_state
    )
    return X_train, X_test, y_train, y_test, StandardScaler().fit(X_train)
