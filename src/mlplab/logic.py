"""Boolean functions computed by sigmoid units with hand-set weights (the lecture's examples).

A sigmoid unit with large weights is a soft threshold: f(z) ≈ 1 for z ≫ 0 and ≈ 0 for
z ≪ 0, and f(±10) is already within 5e-5 of 1 or 0. The slides set the weights by hand:

===========================  ==============================  =====================
function                     h_θ(x)                          θ (bias first)
===========================  ==============================  =====================
NOT x₁                       f(10 − 20x₁)                    [10, −20]
(NOT x₁) AND (NOT x₂) (NOR)  f(10 − 20x₁ − 20x₂)             [10, −20, −20]
x₁ AND x₂                    f(−30 + 20x₁ + 20x₂)            [−30, 20, 20]
x₁ OR x₂                     f(−10 + 20x₁ + 20x₂)            [−10, 20, 20]
NOT (x₁ AND x₂) (NAND)       f(30 − 20x₁ − 20x₂)             [30, −20, −20]
===========================  ==============================  =====================

A single unit draws one line through the input plane, and XOR / XNOR are not separable
by one line (Minsky & Papert, 1969). Composing units in a hidden layer is enough:
XNOR = OR(AND(x₁, x₂), NOR(x₁, x₂)) with hidden units a₁⁽²⁾ = AND, a₂⁽²⁾ = NOR, and
XOR = NOT XNOR = NOR(AND(x₁, x₂), NOR(x₁, x₂)).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from .datasets import BOOLEAN_OPERATIONS
from .network import Network

__all__ = [
    "FUNCTIONS",
    "MAX_INPUTS",
    "TITLES",
    "UNITS",
    "TableRow",
    "format_table",
    "logic_network",
    "truth_table",
    "unit_formula",
]

#: θ of the single units of the slides, bias weight first.
UNITS: dict[str, tuple[float, ...]] = {
    "NOT": (10.0, -20.0),
    "NOR": (10.0, -20.0, -20.0),
    "AND": (-30.0, 20.0, 20.0),
    "OR": (-10.0, 20.0, 20.0),
    "NAND": (30.0, -20.0, -20.0),
}

#: The Boolean functions themselves (:data:`mlplab.datasets.BOOLEAN_OPERATIONS`), the oracle
#: the networks are checked against.
FUNCTIONS = {name.upper(): function for name, function in BOOLEAN_OPERATIONS.items()}

#: Two-layer compositions: (hidden units, output unit).
COMPOSITIONS = {"XNOR": (("AND", "NOR"), "OR"), "XOR": (("AND", "NOR"), "NOR")}

#: How the slides write each function.
TITLES = {
    "NOT": "NOT x₁",
    "NOR": "(NOT x₁) AND (NOT x₂)",
    "AND": "x₁ AND x₂",
    "OR": "x₁ OR x₂",
    "NAND": "NOT (x₁ AND x₂)",
    "XNOR": "x₁ XNOR x₂",
    "XOR": "x₁ XOR x₂",
}


def logic_network(name: str) -> Network:
    """A sigmoid network with the slides' hand-set weights computing Boolean ``name``.

    Single units (NOT, NOR, AND, OR, NAND) have no hidden layer; XNOR and XOR have a
    hidden layer of two units, AND and NOR, feeding an OR (XNOR) or a NOR (XOR).
    """
    name = _check_name(name)
    if name in UNITS:
        theta = np.array(UNITS[name])
        net = Network(
            [theta.size - 1, 1], activation="sigmoid", output="sigmoid", initializer="zeros"
        )
        net.thetas = [theta.reshape(1, -1)]
        return net
    hidden, output = COMPOSITIONS[name]
    net = Network([2, 2, 1], activation="sigmoid", output="sigmoid", initializer="zeros")
    net.thetas = [np.array([UNITS[unit] for unit in hidden]), np.array([UNITS[output]])]
    return net


@dataclass(frozen=True)
class TableRow:
    """One row of a lecture-style truth table.

    Attributes
    ----------
    x : tuple of int
        The input bits x₁, x₂, ...
    y : int or None
        The true value of the Boolean function; None for a network with no name.
    z : float
        The output unit's z⁽ᴸ⁾ (first output unit).
    h : float
        h_θ(x) = f(z).
    hidden : tuple of tuple of float
        The hidden activations a⁽²⁾, ..., a⁽ᴸ⁻¹⁾, one tuple per hidden layer (empty for a
        single unit): the slide's a₁⁽²⁾, a₂⁽²⁾ columns of the XNOR table.
    """

    x: tuple[int, ...]
    y: int | None
    z: float
    h: float
    hidden: tuple[tuple[float, ...], ...] = ()


#: Largest number of inputs a table enumerates (2¹⁰ rows).
MAX_INPUTS = 10


def truth_table(network: str | Network) -> list[TableRow]:
    """Every binary input with y, the hidden activations, z and h_θ(x) = f(z).

    Parameters
    ----------
    network : str or Network
        A Boolean function's name (``"AND"``, ``"XNOR"``, ...; its hand-set network is
        :func:`logic_network`), or any network with one output unit and at most
        :data:`MAX_INPUTS` inputs, for example one whose θ you set by hand.

    Returns
    -------
    list of TableRow
        One row per input, in the slides' order (00, 01, 10, 11); ``y`` is None when
        ``network`` is a Network.
    """
    if isinstance(network, Network):
        net, function = network, None
    else:
        name = _check_name(network)
        net, function = logic_network(name), FUNCTIONS[name]
    n_inputs = net.layer_sizes[0]
    if n_inputs > MAX_INPUTS or net.layer_sizes[-1] != 1:
        raise ValueError(
            f"a truth table needs a network with 1 to {MAX_INPUTS} inputs and one output "
            f"unit, got layer sizes {list(net.layer_sizes)}"
        )
    inputs = np.array(list(product((0, 1), repeat=n_inputs)), dtype=float)
    activations = net.activations(inputs)
    z = net.decision_function(inputs)[:, 0]
    h = activations[-1][:, 0]
    return [
        TableRow(
            x=tuple(int(v) for v in row),
            y=None if function is None else int(function(*(bool(v) for v in row))),
            z=float(z[k]),
            h=float(h[k]),
            hidden=tuple(tuple(float(a) for a in layer[k]) for layer in activations[1:-1]),
        )
        for k, row in enumerate(inputs)
    ]


def format_table(network: str | Network, *, title: str | None = None) -> str:
    """The truth table as the slides print it: x₁ x₂ | a₁⁽²⁾ a₂⁽²⁾ | y | h_θ(x) = f(z) ≈ value.

    Parameters
    ----------
    network : str or Network
        A Boolean function's name, or any one-output network (for example one whose θ
        you set by hand): see :func:`truth_table`. Hidden layers get one column per unit,
        a⁽ˡ⁾ⱼ; the y column appears only for a named function.
    title : str, optional
        The first line; by default the function's formula, or the network's repr.

    Examples
    --------
    >>> net = Network([2, 1], initializer="zeros")
    >>> net.thetas = [[[-10.0, 20.0, 20.0]]]  # OR, set by hand
    >>> print(format_table(net, title="my OR"))
    my OR
     x₁   x₂   h_θ(x)
      0    0   = f(−10) ≈ 4.54e-05
      0    1   = f(10) ≈ 0.99995
      1    0   = f(10) ≈ 0.99995
      1    1   = f(30) ≈ 1.00000
    """
    rows = truth_table(network)
    if title is None:
        title = _default_title(network)
    n_inputs = len(rows[0].x)
    header = [f"x{_sub(j)}" for j in range(1, n_inputs + 1)]
    for layer, units in enumerate(rows[0].hidden, start=2):
        header += [f"a{_sub(j)}{_sup(layer)}" for j in range(1, len(units) + 1)]
    if rows[0].y is not None:
        header.append("y")
    body = []
    for row in rows:
        cells = [str(v) for v in row.x]
        cells += [_approx(a) for layer in row.hidden for a in layer]
        if row.y is not None:
            cells.append(str(row.y))
        body.append((cells, f"= f({_number(row.z)}) ≈ {_approx(row.h)}"))
    widths = [
        max(3, len(name), *(len(cells[i]) for cells, _ in body)) for i, name in enumerate(header)
    ]
    lines = [title, "  ".join(f"{h:>{w}}" for h, w in zip(header, widths)) + "   h_θ(x)"]
    for cells, output in body:
        lines.append("  ".join(f"{c:>{w}}" for c, w in zip(cells, widths)) + "   " + output)
    return "\n".join(lines)


def _default_title(network: str | Network) -> str:
    """The formula of a named function, or the network itself."""
    if isinstance(network, Network):
        return f"{network!r}, θ set by hand"
    name = _check_name(network)
    if name in UNITS:
        return f"{TITLES[name]}:  h_θ(x) = {unit_formula(UNITS[name])}"
    hidden, output = COMPOSITIONS[name]
    return f"{name}:  a⁽²⁾ = [{', '.join(hidden)}](x),  h_θ(x) = {output}(a⁽²⁾)"


def unit_formula(theta) -> str:
    """θ = (θ₀, θ₁, ...) as the slides write the unit: ``f(−30 + 20x₁ + 20x₂)``."""
    bias, *weights = (float(t) for t in theta)
    terms = [_number(bias)]
    terms += [f"{'+' if w > 0 else '−'} {abs(w):g}x{_sub(j)}" for j, w in enumerate(weights, 1)]
    return f"f({' '.join(terms)})"


def _number(value: float) -> str:
    """A number as the slides print it, with a true minus sign."""
    return f"{value:g}".replace("-", "−")


def _sub(index: int) -> str:
    """A subscript index: 1 → ₁."""
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(index))


def _sup(layer: int) -> str:
    """A layer superscript: 2 → ⁽²⁾."""
    return "⁽" + "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(layer)) + "⁾"


def _approx(value: float) -> str:
    """f(10) ≈ 0.99995, f(−10) ≈ 4.54e-05: enough digits to see how close to 0/1 it is."""
    return f"{value:.5f}" if value >= 1e-3 else f"{value:.3g}"


def _check_name(name: str) -> str:
    key = name.upper()
    if key not in FUNCTIONS:
        raise ValueError(
            f"unknown Boolean function {name!r}; valid names are {', '.join(FUNCTIONS)}"
        )
    return key
