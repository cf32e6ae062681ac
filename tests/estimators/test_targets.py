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


# ---------------------------------------------------------------------- fast paths
def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_partial_fit_on_plain_arrays_trains_exactly_as_the_checked_path():
    from mlplab import MLPClassifier

    X, y = _digits()
    fast, checked = MLPClassifier((16,), random_state=0), MLPClassifier((16,), random_state=0)
    for model in (fast, checked):
        model.partial_fit(X[:32], y[:32], classes=np.arange(10))
    for k in range(1, 12):
        rows = slice(32 * k, 32 * k + 32)
        fast.partial_fit(X[rows], y[rows])
        checked.partial_fit(X[rows].tolist(), y[rows].tolist())  # lists: the full checks
    assert np.array_equal(fast.network_.theta, checked.network_.theta)
    assert fast.loss_curve_ == checked.loss_curve_
    assert fast.best_loss_ == checked.best_loss_ == min(fast.loss_curve_)
    assert np.array_equal(fast.predict_proba(X), checked.predict_proba(X.tolist()))


@pytest.mark.parametrize(
    ("X_change", "y_change", "error"),
    [
        (lambda X: np.where(X > 0.9, np.nan, X), None, "Input X contains NaN"),
        (lambda X: X[:, :10], None, "has 10 features"),
        (None, lambda y: np.where(y == 3, 42, y), "has classes not in"),
        (None, lambda y: y + 0.5, "Unknown label type"),
    ],
)
def test_the_fast_paths_leave_bad_input_to_the_full_checks(X_change, y_change, error):
    from mlplab import MLPClassifier

    X, y = _digits()
    X, y = X[:64], y[:64]
    model = MLPClassifier((8,), random_state=0).partial_fit(X, y, classes=np.arange(10))
    bad_X = X_change(X) if X_change else X
    bad_y = y_change(y) if y_change else y
    with pytest.raises(ValueError, match=error):
        model.partial_fit(bad_X, bad_y)
    if y_change is None:
        with pytest.raises(ValueError, match=error):
            model.predict_proba(bad_X)
