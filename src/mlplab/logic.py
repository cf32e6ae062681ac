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

from .network import Network

__all__ = ["FUNCTIONS", "UNITS", "TableRow", "format_table", "logic_network", "truth_table"]

#: θ of the single units of the slides, bias weight first.
UNITS: dict[str, tuple[float, ...]] = {
    "NOT": (10.0, -20.0),
    "NOR": (10.0, -20.0, -20.0),
    "AND": (-30.0, 20.0, 20.0),
    "OR": (-10.0, 20.0, 20.0),
    "NAND": (30.0, -20.0, -20.0),
}

#: The Boolean functions themselves, the oracle the networks are checked against.
FUNCTIONS = {
    "NOT": lambda x1: not x1,
    "NOR": lambda x1, x2: not (x1 or x2),
    "AND": lambda x1, x2: x1 and x2,
    "OR": lambda x1, x2: x1 or x2,
    "NAND": lambda x1, x2: not (x1 and x2),
    "XNOR": lambda x1, x2: x1 == x2,
    "XOR": lambda x1, x2: x1 != x2,
}

#: Two-layer compositions: (hidden units, output unit).
COMPOSITIONS = {"XNOR": (("AND", "NOR"), "OR"), "XOR": (("AND", "NOR"), "NOR")}


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
    """One row of a lecture-style truth table."""

    x: tuple[int, ...]
    y: int
    z: float
    h: float


def truth_table(name: str) -> list[TableRow]:
    """Every input of ``name`` with the true value y, the output unit's z and h_θ(x) = f(z)."""
    name = _check_name(name)
    net = logic_network(name)
    n_inputs = net.layer_sizes[0]
    inputs = np.array(list(product((0, 1), repeat=n_inputs)), dtype=float)
    z = net.decision_function(inputs)[:, 0]
    h = net.forward(inputs)[:, 0]
    return [
        TableRow(
            x=tuple(int(v) for v in row),
            y=int(FUNCTIONS[name](*(bool(v) for v in row))),
            z=float(z_k),
            h=float(h_k),
        )
        for row, z_k, h_k in zip(inputs, z, h)
    ]


def format_table(name: str) -> str:
    """The truth table as the slides print it: x₁ (x₂) | y | h_θ(x) = f(z) ≈ value."""
    name = _check_name(name)
    rows = truth_table(name)
    n_inputs = len(rows[0].x)
    if name in UNITS:
        theta = UNITS[name]
        terms = [_number(theta[0])] + [
            f"{'+' if w > 0 else '−'} {abs(w):g}x{_sub(j)}" for j, w in enumerate(theta[1:], 1)
        ]
        title = f"{_title(name)}:  h_θ(x) = f({' '.join(terms)})"
    else:
        hidden, output = COMPOSITIONS[name]
        title = f"{name}:  a⁽²⁾ = [{', '.join(hidden)}](x),  h_θ(x) = {output}(a⁽²⁾)"
    header = [f"x{_sub(j)}" for j in range(1, n_inputs + 1)] + ["y", "h_θ(x)"]
    lines = [title, "  ".join(f"{h:>3}" for h in header[:-1]) + "   " + header[-1]]
    for row in rows:
        cells = "  ".join(f"{v:>3}" for v in (*row.x, row.y))
        lines.append(f"{cells}   = f({_number(row.z)}) ≈ {_approx(row.h)}")
    return "\n".join(lines)


def _title(name: str) -> str:
    return {
        "NOT": "NOT x₁",
        "NOR": "(NOT x₁) AND (NOT x₂)",
        "AND": "x₁ AND x₂",
        "OR": "x₁ OR x₂",
        "NAND": "NOT (x₁ AND x₂)",
    }[name]


def _number(value: float) -> str:
    """A number as the slides print it, with a true minus sign."""
    return f"{value:g}".replace("-", "−")


def _sub(index: int) -> str:
    return "₀₁₂₃₄₅₆₇₈₉"[index]


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
