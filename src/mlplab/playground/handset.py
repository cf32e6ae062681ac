"""Hand-set mode: type θ of sigmoid units and read their truth table as the slides print it.

The presets are the lecture's networks from :func:`mlplab.logic.logic_network`; the table
is :func:`mlplab.logic.truth_table` / :func:`mlplab.logic.format_table` of the network
built from the typed weights, so the page shows exactly what the library computes.
"""

from __future__ import annotations

import math

import numpy as np

from .. import logic
from ..network import Network
from .config import ConfigError

__all__ = ["MAX_HIDDEN_UNITS", "PRESETS", "handset_table", "preset_weights"]

#: The presets offered by the page, in the slides' order.
PRESETS = ("NOT", "AND", "OR", "NOR", "XNOR")
#: A hand-set network has 1 or 2 inputs, at most one hidden layer of this many units.
MAX_HIDDEN_UNITS = 4
#: Largest |θ| accepted: sigmoid units are saturated long before.
MAX_WEIGHT = 1000.0


def preset_weights() -> dict[str, list]:
    """θ⁽¹⁾, θ⁽²⁾, ... of every preset (nested lists, bias column first)."""
    return {name: [t.tolist() for t in logic.logic_network(name).thetas] for name in PRESETS}


def handset_table(thetas, preset: str | None = None) -> dict:
    """The truth table of a sigmoid network with the given θ.

    Parameters
    ----------
    thetas : list of list of list of float
        θ⁽¹⁾ (u₂ × (n + 1)) and, for two layers, θ⁽²⁾ (1 × (u₂ + 1)); n is 1 or 2.
    preset : str, optional
        The preset the page started from; when θ is still the preset's own, the table
        is the slide's (its formula as title, the y column of the Boolean function).

    Returns
    -------
    dict
        ``text``: :func:`mlplab.logic.format_table`; ``rows``: x, hidden a⁽²⁾, y, z, h;
        ``layers``: the layer sizes.

    Raises
    ------
    ConfigError
        Wrong shapes (naming the layer and what it needs), non-numbers, |θ| > 1000.
    """
    matrices = _check_thetas(thetas)
    sizes = [matrices[0].shape[1] - 1] + [m.shape[0] for m in matrices]
    net = Network(sizes, activation="sigmoid", output="sigmoid", initializer="zeros")
    net.thetas = matrices
    rows = logic.truth_table(net)
    name = None
    if preset is not None:
        if preset not in PRESETS:
            raise ConfigError(f"preset must be one of {', '.join(PRESETS)}; got {preset!r:.20}")
        same = [np.array_equal(a, b) for a, b in zip(logic.logic_network(preset).thetas, matrices)]
        if len(same) == len(matrices) and all(same):
            name = preset  # the slide's own weights: its formula and the y column
    truth = logic.FUNCTIONS[name] if name else None
    text = logic.format_table(name) if name else logic.format_table(net, title="θ set by hand")
    return {
        "text": text,
        "layers": sizes,
        "rows": [
            {
                "x": list(row.x),
                "hidden": [list(layer) for layer in row.hidden],
                "y": None if truth is None else int(truth(*(bool(v) for v in row.x))),
                "z": row.z,
                "h": row.h,
            }
            for row in rows
        ],
    }


def _check_thetas(thetas) -> list[np.ndarray]:
    """θ matrices of a 1- or 2-input sigmoid network with at most one hidden layer."""
    if not isinstance(thetas, list) or not 1 <= len(thetas) <= 2:
        raise ConfigError("thetas must be a list of one or two weight matrices (θ⁽¹⁾, θ⁽²⁾)")
    matrices = []
    for layer, theta in enumerate(thetas, start=1):
        if (
            not isinstance(theta, list)
            or not theta
            or not all(isinstance(row, list) for row in theta)
        ):
            raise ConfigError(f"θ⁽{layer}⁾ must be a list of rows, one per unit")
        values = [v for row in theta for v in row]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ConfigError(f"θ⁽{layer}⁾ holds {v!r:.20}: every weight must be a number")
            if abs(v) > MAX_WEIGHT:
                raise ConfigError(f"θ⁽{layer}⁾ holds {v:g}: weights are limited to ±{MAX_WEIGHT:g}")
        if len({len(row) for row in theta}) != 1:
            raise ConfigError(f"θ⁽{layer}⁾: every unit needs the same number of weights")
        matrices.append(np.array(theta, dtype=np.float64))
    inputs = matrices[0].shape[1] - 1
    if inputs not in (1, 2):
        raise ConfigError(
            f"θ⁽¹⁾ rows have {inputs + 1} weights; a hand-set unit takes the bias θ₀ and "
            "1 or 2 inputs (2 or 3 weights)"
        )
    if len(matrices) == 1 and matrices[0].shape[0] != 1:
        raise ConfigError("a one-layer network has one output unit: θ⁽¹⁾ must have one row")
    if len(matrices) == 2:
        hidden = matrices[0].shape[0]
        if hidden > MAX_HIDDEN_UNITS:
            raise ConfigError(f"at most {MAX_HIDDEN_UNITS} hidden units, got {hidden}")
        if matrices[1].shape != (1, hidden + 1):
            raise ConfigError(
                f"θ⁽²⁾ must be one row of {hidden + 1} weights (bias and one per hidden "
                f"unit), got shape {matrices[1].shape[0]}×{matrices[1].shape[1]}"
            )
    return matrices
