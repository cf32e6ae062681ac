"""Truth tables: exact rows in the lecture's order and exact outputs."""

import numpy as np
import pytest

from mlplab.datasets import BOOLEAN_FUNCTIONS, boolean_function

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
    table = boolean_function(name)
    assert table.X.dtype == np.float64
    assert table.y.dtype == np.int64
    np.testing.assert_array_equal(table.X, TWO_INPUTS)
    np.testing.assert_array_equal(table.y, outputs)
    assert table.feature_names == ("x1", "x2")
    assert table.class_names == ("0", "1")
    assert table.name == name


def test_not_has_one_input():
    table = boolean_function("not")
    np.testing.assert_array_equal(table.X, [[0], [1]])
    np.testing.assert_array_equal(table.y, [1, 0])
    assert table.feature_names == ("x1",)


def test_names_are_case_insensitive():
    np.testing.assert_array_equal(boolean_function("XOR").y, boolean_function("xor").y)


def test_registry_lists_all_seven():
    assert set(BOOLEAN_FUNCTIONS) == {"not", "and", "or", "nor", "nand", "xor", "xnor"}


def test_unknown_name_lists_valid_names():
    with pytest.raises(
        ValueError, match=r"unknown Boolean function 'implies'; valid names: not, and"
    ):
        boolean_function("implies")


def test_the_data_set_is_not_named_like_the_logic_table():
    # mlplab.logic.truth_table is the slide's table of a network; the data set has its own name
    import mlplab.datasets
    from mlplab import logic

    assert "truth_table" not in mlplab.datasets.__all__
    with pytest.warns(DeprecationWarning, match="renamed boolean_function"):
        old = mlplab.datasets.truth_table
    assert old is boolean_function
    assert isinstance(logic.truth_table("XOR"), list)
