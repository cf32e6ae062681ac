"""Handwritten digits: the bundled images and the project's standard split."""

import subprocess
import sys

import numpy as np
import pytest

from mlplab.datasets import digits, digits_split


def test_digits_shape_values_and_names():
    ds = digits()
    assert ds.X.shape == (1797, 64)
    assert ds.X.dtype == np.float64
    assert ds.y.shape == (1797,)
    assert ds.y.dtype == np.int64
    assert ds.X.min() == 0.0
    assert ds.X.max() == 16.0
    np.testing.assert_array_equal(ds.X, np.round(ds.X))  # integer pixel counts
    np.testing.assert_array_equal(np.unique(ds.y), np.arange(10))
    assert ds.class_names == tuple("0123456789")
    assert ds.feature_names[0] == "pixel_0_0"
    assert ds.feature_names[9] == "pixel_1_1"  # row by row
    assert ds.feature_names[-1] == "pixel_7_7"


def test_digits_scaled_divides_by_16():
    np.testing.assert_array_equal(digits(scale=True).X, digits().X / 16.0)
    assert digits(scale=True).X.max() == 1.0


def test_split_sizes_and_determinism():
    a = digits_split()
    b = digits_split()
    assert [part.shape for part in a] == [(1347, 64), (450, 64), (1347,), (450,)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    other = digits_split(random_state=1)
    assert not np.array_equal(a[3], other[3])


def test_split_is_stratified():
    _, _, y_train, y_test = digits_split()
    share = np.bincount(digits().y) / 1797
    # stratified: every digit keeps its share in the test part, to within one example
    np.testing.assert_allclose(np.bincount(y_test, minlength=10), 450 * share, atol=1.0)
    np.testing.assert_allclose(np.bincount(y_train, minlength=10), 1347 * share, atol=1.0)


def test_split_partitions_the_data():
    X_train, X_test, _, _ = digits_split(random_state=3)
    rows = np.vstack([X_train, X_test])
    np.testing.assert_array_equal(np.unique(rows, axis=0), np.unique(digits().X, axis=0))
    assert rows.shape[0] == 1797


def test_int_seed_matches_scikit_learn():
    from sklearn.model_selection import train_test_split

    ds = digits()
    expected = train_test_split(ds.X, ds.y, test_size=0.25, stratify=ds.y, random_state=5)
    for got, want in zip(digits_split(random_state=5), expected):
        np.testing.assert_array_equal(got, want)


def test_split_accepts_a_generator_and_scale():
    a = digits_split(random_state=np.random.default_rng(0), scale=True)
    b = digits_split(random_state=np.random.default_rng(0), scale=True)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[0].max() <= 1.0


@pytest.mark.parametrize("bad", [0, 1, 1.0, -0.2, 450, "0.25"])
def test_split_rejects_bad_test_size(bad):
    with pytest.raises(ValueError, match=r"test_size must be a fraction in \(0, 1\), got"):
        digits_split(test_size=bad)


def test_split_rejects_negative_seed():
    with pytest.raises(ValueError, match="random_state must be a non-negative integer, got -3"):
        digits_split(random_state=-3)


def test_importing_datasets_does_not_import_sklearn():
    code = "import sys, mlplab.datasets; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
