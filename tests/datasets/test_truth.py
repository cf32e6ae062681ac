"""Truth tables: exact rows in the lecture's order and exact outputs."""

import numpy as np
import pytest

from mlplab.datasets import TRUTH_TABLES, truth_table

TWO_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize(
    ("name", "outputs"),
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("nor", [1, 0, 0, 0]),
        ("nand", [1, 1, 1, 0]),
        ("xor", [0, 1, 1, 0]),
        ("xnor", [1, 0, 0, 1]),
    ],
)
def test_two_input_tables(name, outputs):
    table = truth_table(name)
    assert table.X.dtype == np.float64
    assert table.y.dtype == np.int64
    np.testing.assert_array_equal(table.X, TWO_INPUTS)
    np.testing.assert_array_equal(table.y, outputs)
    assert table.feature_names == ("x1", "x2")
    assert table.class_names == ("0", "1")
    assert table.name == name


def test_not_has_one_input():
    table = truth_table("not")
    np.testing.assert_array_equal(table.X, [[0], [1]])
    np.testing.assert_array_equal(table.y, [1, 0])
    assert table.feature_names == ("x1",)


def test_names_are_case_insensitive():
    np.testing.assert_array_equal(truth_table("XOR").y, truth_table("xor").y)


def test_registry_lists_all_seven():
    assert set(TRUTH_TABLES) == {"not", "and", "or", "nor", "nand", "xor", "xnor"}


def test_unknown_name_lists_valid_names():
    with pytest.raises(
        ValueError, match=r"unknown Boolean function 'implies'; valid names: not, and"
    ):
        truth_table("implies")
