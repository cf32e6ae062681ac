"""Dataset, the result type, and one_hot, the lecture's one-hot targets."""

import numpy as np
import pytest

from mlplab.datasets import Dataset, one_hot


def test_dataset_normalizes_fields_and_fills_defaults():
    ds = Dataset(X=[[1, 2], [3, 4], [5, 6]], y=[0, 1, 0])
    assert ds.X.dtype == np.float64
    assert ds.X.shape == (3, 2)
    assert ds.feature_names == ("x1", "x2")
    assert ds.feature_units == ("", "")
    assert ds.class_names == ("0", "1")
    assert (ds.n_samples, ds.n_features) == (3, 2)
    np.testing.assert_array_equal(ds.classes, [0, 1])


def test_dataset_float_targets_have_no_class_names():
    ds = Dataset(X=np.zeros((2, 1)), y=np.array([0.5, 1.5]))
    assert ds.class_names == ()


def test_dataset_is_frozen():
    ds = Dataset(X=np.zeros((2, 1)), y=[0, 1])
    with pytest.raises(AttributeError):
        ds.name = "other"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": np.zeros(3), "y": [0, 1, 0]}, r"X must be a 2-D array .* got shape \(3,\)"),
        ({"X": np.zeros((3, 2)), "y": [0, 1]}, r"y must have shape \(3,\) to match X"),
        (
            {"X": np.zeros((3, 2)), "y": [0, 1, 0], "feature_names": ("a",)},
            r"feature_names must have 2 entries",
        ),
        (
            {"X": np.zeros((3, 2)), "y": [0, 1, 0], "feature_units": ("kg", "cm", "s")},
            r"feature_units must have 2 entries",
        ),
    ],
)
def test_dataset_rejects_inconsistent_fields(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Dataset(**kwargs)


def test_dataset_one_hot_uses_sorted_classes():
    ds = Dataset(X=np.zeros((3, 1)), y=np.array(["dog", "cat", "dog"]))
    np.testing.assert_array_equal(ds.one_hot(), [[0, 1], [1, 0], [0, 1]])


def test_one_hot_matches_the_lecture_vectors():
    classes = ["cat", "dog", "fox", "bird"]
    Y = one_hot(["bird", "cat", "fox", "dog"], classes)
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(Y, [[0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])


def test_one_hot_keeps_columns_for_absent_classes():
    Y = one_hot([2, 2], classes=[0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [0, 0, 1]])


def test_one_hot_rejects_unknown_labels():
    with pytest.raises(ValueError, match=r"labels not in classes: \['fox'\]"):
        one_hot(["cat", "fox"], classes=["cat", "dog"])


def test_one_hot_rejects_duplicate_classes_and_2d_y():
    with pytest.raises(ValueError, match="classes must be distinct"):
        one_hot([0, 1], classes=[0, 1, 1])
    with pytest.raises(ValueError, match=r"y must be a 1-D array of labels, got shape \(2, 1\)"):
        one_hot([[0], [1]])


def test_class_name_reads_labels_as_text():
    data = Dataset(X=np.zeros((3, 1)), y=np.array([0, 1, 1]), class_names=("cat", "dog"))
    assert [data.class_name(label) for label in (0, "1", np.int64(1))] == ["cat", "dog", "dog"]
    assert data.class_name(7) == "7"  # not a label of y: itself
    plain = Dataset(X=np.zeros((2, 1)), y=np.array(["b", "a"]))
    assert plain.class_name("a") == "a"
