"""The training targets are scikit-learn's LabelBinarizer output, built in the network's dtype."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import LabelBinarizer

from mlplab.estimators._targets import encode_targets

LABELS = {
    "one class": np.array([4, 4, 4]),
    "binary ints": np.array([3, 7, 7, 3, 7]),
    "binary strings": np.array(["dog", "cat", "dog"], dtype=object),
    "binary bools": np.array([True, False, False]),
    "multiclass": np.array([2, 0, 1, 2, 9, 0]),
    "multiclass strings": np.array(["b", "a", "c", "a"]),
    "multilabel": np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(LABELS))
def test_targets_match_the_label_binarizer_in_the_networks_dtype(case, dtype):
    y = LABELS[case]
    binarizer = LabelBinarizer().fit(y)
    Y = encode_targets(binarizer, y, dtype)
    assert Y.dtype == dtype
    assert Y.flags.c_contiguous
    assert np.array_equal(Y, binarizer.transform(y))


def test_a_subset_of_the_classes_gets_their_columns():
    binarizer = LabelBinarizer().fit(np.arange(5))  # partial_fit's classes=
    y = np.array([3, 1, 3])
    assert np.array_equal(encode_targets(binarizer, y, np.float32), binarizer.transform(y))
