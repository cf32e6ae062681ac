"""The registry behind ``--data`` and load(), which also reads CSV files."""

from pathlib import Path

import numpy as np
import pytest

from mlplab.datasets import DATASETS, Dataset, load


def test_registry_names():
    assert set(DATASETS) == {
        "digits",
        "xor",
        "circles",
        "spirals",
        "cats-dogs",
        "cat-noncat",
        "animals",
    }


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_name_loads_a_dataset(name):
    ds = load(name)
    assert isinstance(ds, Dataset)
    assert ds.X.shape[0] == ds.y.shape[0] > 0
    assert ds.name == name


def test_load_is_seeded_by_default_and_accepts_a_seed():
    np.testing.assert_array_equal(load("spirals").X, load("spirals").X)
    assert not np.array_equal(load("spirals").X, load("spirals", random_state=1).X)


def test_names_ignore_case_and_underscores():
    np.testing.assert_array_equal(load("Cats_Dogs").X, load("cats-dogs").X)


def test_unknown_name_lists_valid_names():
    with pytest.raises(
        ValueError,
        match=r"unknown data set 'mnist'; valid names: digits, xor, circles, .*\.csv file",
    ):
        load("mnist")


def test_target_with_a_registered_name_is_an_error():
    with pytest.raises(ValueError, match="target applies only to CSV files; data set 'xor'"):
        load("xor", target="y")


def test_csv_paths_dispatch_to_load_csv(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("weight,length,kind\n4,50,cat\n30,90,dog\n")
    ds = load(str(path))
    assert ds.y.tolist() == ["cat", "dog"]
    assert ds.feature_names == ("weight", "length")
    assert ds.name == "pets"


def test_csv_target_and_path_objects(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("weight,kind,length\n4,1,50\n30,0,90\n")
    ds = load(path, target="kind")
    assert ds.feature_names == ("weight", "length")
    np.testing.assert_array_equal(ds.y, [1, 0])


def test_existing_file_without_csv_suffix(tmp_path, monkeypatch):
    (tmp_path / "table.txt").write_text("a,b\n1,2\n")
    monkeypatch.chdir(tmp_path)
    assert load("table.txt").X.tolist() == [[1.0]]


def test_missing_csv_names_the_path(tmp_path):
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match=r"no such CSV file: .*nope\.csv"):
        load(missing)


def test_load_rejects_other_types():
    with pytest.raises(TypeError, match="name_or_path must be a data set name or a path, got 3"):
        load(3)


def test_registry_name_wins_over_a_file(tmp_path, monkeypatch):
    Path(tmp_path / "xor").write_text("a,b\n1,2\n")
    monkeypatch.chdir(tmp_path)
    assert load("xor").name == "xor"
    assert load("xor").X.shape == (200, 2)
