"""The commands' data handling: splits, scaling folded into θ⁽¹⁾, feature-only CSV files."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.cli._data import load_dataset, prepare, read_features, split_indices
from mlplab.cli._scaling import Scaling
from mlplab.datasets import CSVFormatError, digits_split
from mlplab.network import Network


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["standardize", "divide"])
def test_folding_the_scaling_keeps_the_outputs(rng, dtype, kind):
    X = rng.normal(loc=[5.0, -300.0, 0.0], scale=[2.0, 50.0, 1e-3], size=(40, 3))
    X[:, 2] = 7.0  # a constant feature: its scale is taken as 1
    scaling = Scaling.fit(X, kind)
    if kind == "standardize":
        np.testing.assert_allclose(scaling.scale[:2], X[:, :2].std(axis=0))
        assert scaling.scale[2] == 1.0
    net = Network([3, 5, 2], activation="tanh", output="softmax", random_state=0, dtype=dtype)
    expected = net.forward(scaling.transform(X).astype(dtype))
    scaling.fold_into(net)
    tolerance = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(net.forward(X.astype(dtype)), expected, atol=tolerance)


def test_digits_split_is_the_projects():
    data = prepare(load_dataset("digits"), source="digits", validation_fraction=0.0)
    X_train, X_test, y_train, y_test = digits_split(test_size=0.25, random_state=0)
    np.testing.assert_array_equal(data.X_train, X_train)
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_train, y_train)
    np.testing.assert_array_equal(data.y_test, y_test)
    assert data.scaling.kind == "divide"
    assert data.image_shape == (8, 8)


def test_validation_part_is_stratified_and_disjoint():
    data = prepare(load_dataset("animals"), source="animals", seed=3)
    parts = [data.X_train, data.X_val, data.X_test]
    assert sum(p.shape[0] for p in parts) == 400
    rows = {tuple(row) for p in parts for row in p}
    assert len(rows) == 400
    # four balanced classes stay balanced in the validation part
    _, counts = np.unique(data.y_val, return_counts=True)
    assert counts.max() - counts.min() <= 1
    # the scaling comes from the training part alone
    np.testing.assert_allclose(data.scaling.mean, data.X_train.mean(axis=0))


def test_split_fractions():
    y = np.repeat([0, 1], 10)
    kept, held = split_indices(y, 0.0, 0, stratify=True)
    assert held.size == 0
    assert kept.size == 20
    with pytest.raises(ValueError, match="leaves none to train on"):
        split_indices(np.arange(2), 0.9, 0, stratify=False)
    with pytest.raises(ValueError, match="test_fraction must be in"):
        prepare(load_dataset("xor"), source="xor", test_fraction=1.0)


def test_read_features_by_name_drops_other_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("b,label,a\n2,cat,1\n4,dog,3\n", encoding="utf-8")
    X, names = read_features(path, feature_names=["a", "b"], n_features=2, drop=("label",))
    assert names == ["a", "b"]
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])


def test_read_features_without_names(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("\ufeffp,q\r\n1.5,-2e3\r\n\r\n0,7\r\n", encoding="utf-8")
    X, names = read_features(path, n_features=2)
    assert names == ["p", "q"]
    np.testing.assert_array_equal(X, [[1.5, -2000.0], [0.0, 7.0]])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n1,2,3\n", "line 2, column 3: extra field '3': the row has 3 fields, the header 2"),
        ("a,b\n1,\n", r"line 2, column 2 \('b'\): empty cell"),
        ("a,b\n1,nan\n", r"column 2 \('b'\): 'nan' is a non-finite value"),
        ("a,b\n1,1_000\n", "'1_000' is not a number"),
        ("a,b\n", "no data rows"),
        ("a,b,c\n1,2,3\n", "the model takes 2 features, but the file has 3 columns"),
    ],
)
def test_read_features_errors(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CSVFormatError, match=message):
        read_features(path, n_features=2)


def test_read_features_invalid_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("größe,b\n1,2\n".encode("latin-1"))
    with pytest.raises(CSVFormatError, match="invalid UTF-8"):
        read_features(path, n_features=2)
