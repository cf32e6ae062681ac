"""The slides' Boolean networks: tables checked against the truth tables and recomputed."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from mlplab.datasets import boolean_function
from mlplab.demos import demo_logic

# The slides' weights, written out here independently of mlplab.logic (bias first).
SLIDE_UNITS = {
    "NOT": (10.0, -20.0),
    "NOR": (10.0, -20.0, -20.0),
    "AND": (-30.0, 20.0, 20.0),
    "OR": (-10.0, 20.0, 20.0),
}
# XNOR = OR(AND, NOR) and XOR = NOR(AND, NOR): hidden units AND and NOR.
SLIDE_COMPOSITIONS = {"XNOR": "OR", "XOR": "NOR"}
FUNCTIONS = ("NOT", "NOR", "AND", "OR", "XNOR", "XOR")
# x bits, hidden activations a⁽²⁾ (two-layer networks only), y, then "= f(z) ≈ h"
ROW = re.compile(r"^\s*((?:[01]\s+)+)((?:[-+.\de]+\s+)*?)([01])\s+=\s*f\(([^)]+)\)\s*≈\s*(\S+)\s*$")


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def slide_z(name: str, x: tuple[int, ...]) -> float:
    """z of the output unit for input x, from the slides' weights."""
    if name in SLIDE_UNITS:
        theta = SLIDE_UNITS[name]
        return theta[0] + sum(w * v for w, v in zip(theta[1:], x))
    hidden = [sigmoid(slide_z(unit, x)) for unit in ("AND", "NOR")]
    theta = SLIDE_UNITS[SLIDE_COMPOSITIONS[name]]
    return theta[0] + theta[1] * hidden[0] + theta[2] * hidden[1]


def parse_table(text: str) -> list[tuple[tuple[int, ...], int, float, float]]:
    """Rows (x, y, z, printed h) of a lecture-style table such as ``0  1  1  = f(10) ≈ 0.99995``."""
    return [(x, y, z, h) for x, _, y, z, h in parse_rows(text)]


def parse_rows(text: str) -> list[tuple[tuple[int, ...], tuple[float, ...], int, float, float]]:
    """Rows (x, hidden activations, y, z, printed h) of a table, hidden columns included."""
    rows = []
    for line in text.splitlines():
        match = ROW.match(line)
        if match:
            x = tuple(int(v) for v in match.group(1).split())
            hidden = tuple(float(v) for v in match.group(2).split())
            z = float(match.group(4).replace("−", "-"))
            rows.append((x, hidden, int(match.group(3)), z, float(match.group(5))))
    return rows


@pytest.fixture(scope="module")
def logic_result(demo_run):
    return demo_run("logic")[0]


def test_every_table_is_reproduced_within_1e_4(logic_result):
    assert list(logic_result.tables) == list(FUNCTIONS)
    for name in FUNCTIONS:
        oracle = boolean_function(name.lower())
        h = np.array(logic_result.numbers["h"][name])
        assert h.shape == oracle.y.shape
        assert np.all(np.abs(h - oracle.y) < 1e-4), name
        assert logic_result.numbers["max_error"][name] < 1e-4
    # f(10) is the least saturated value on the slides: 1 − f(10) = f(−10) ≈ 4.54e-5
    assert logic_result.numbers["worst_error"] == pytest.approx(sigmoid(-10.0), rel=1e-2)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_printed_values_are_f_of_the_slide_weights(logic_result, name):
    rows = parse_table(logic_result.tables[name])
    oracle = boolean_function(name.lower())
    assert len(rows) == oracle.n_samples
    for (x, y, z, printed), x_true, y_true in zip(rows, oracle.X, oracle.y):
        assert x == tuple(int(v) for v in x_true)
        assert y == y_true
        # z is printed with 6 significant digits (%g); h with 5 decimals or 3 digits
        assert z == pytest.approx(slide_z(name, x), rel=1e-5, abs=1e-9)
        assert printed == pytest.approx(sigmoid(slide_z(name, x)), rel=2e-3)


def test_single_unit_tables_print_the_slide_formula(logic_result):
    assert "f(10 − 20x₁)" in logic_result.tables["NOT"]
    assert "f(10 − 20x₁ − 20x₂)" in logic_result.tables["NOR"]
    assert "f(−30 + 20x₁ + 20x₂)" in logic_result.tables["AND"]
    assert "f(−10 + 20x₁ + 20x₂)" in logic_result.tables["OR"]
    # the slide's NOT rows: f(10) ≈ 1 for x₁ = 0, f(−10) ≈ 0 for x₁ = 1
    assert [row[2] for row in parse_table(logic_result.tables["NOT"])] == [10.0, -10.0]


@pytest.mark.parametrize("name", ["XNOR", "XOR"])
def test_two_layer_tables_show_the_hidden_activations_as_on_the_slide(logic_result, name):
    text = logic_result.tables[name]
    assert text.splitlines()[1].split() == ["x₁", "x₂", "a₁⁽²⁾", "a₂⁽²⁾", "y", "h_θ(x)"]
    rows = parse_rows(text)
    assert len(rows) == 4
    for x, hidden, _, _, _ in rows:
        # a₁⁽²⁾ is the AND unit, a₂⁽²⁾ the NOR unit, from the slides' weights
        expected = [sigmoid(slide_z("AND", x)), sigmoid(slide_z("NOR", x))]
        assert hidden == pytest.approx(expected, rel=2e-3)


def test_any_hand_set_network_gets_a_table():
    from mlplab import Network
    from mlplab.logic import format_table

    net = Network([2, 2, 1], initializer="zeros")
    net.thetas = [[[-30.0, 20.0, 20.0], [10.0, -20.0, -20.0]], [[-10.0, 20.0, 20.0]]]  # XNOR
    text = format_table(net, title="XNOR by hand")
    lines = text.splitlines()
    assert lines[0] == "XNOR by hand"
    assert lines[1].split() == ["x₁", "x₂", "a₁⁽²⁾", "a₂⁽²⁾", "h_θ(x)"]  # no y: no function
    printed = [float(line.split("≈")[1]) for line in lines[2:]]
    assert [round(h) for h in printed] == [1, 0, 0, 1]
    with pytest.raises(ValueError, match="one output unit"):
        format_table(Network([2, 3]))


def test_figure_has_one_panel_per_function(logic_result):
    fig = logic_result.figures["units"]
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == len(FUNCTIONS)
    assert titles[2].startswith("x₁ AND x₂")
    assert "f(−30 + 20x₁ + 20x₂)" in titles[2]
    assert titles[4].startswith("x₁ XNOR x₂")


def test_a_tolerance_the_slides_cannot_meet_is_reported():
    # f(10) = 0.9999546: off from 1 by 4.5e-5, so 1e-6 is too strict
    with pytest.raises(RuntimeError, match=r"NOT: the hand-set network is off by 4\.54e-05"):
        demo_logic(tolerance=1e-6)
