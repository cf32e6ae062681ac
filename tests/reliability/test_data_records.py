"""A model file knows its data: columns by name wherever the file goes, the run's own split
only from the run's own data, and one prediction column per label of a multi-label model."""

from __future__ import annotations

import json
import os
import shutil
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import mlplab
import mlplab.fileformat as fileformat
from mlplab import MLPClassifier, ModelFileError
from mlplab.cli import cli

from ._helpers import blobs, quiet_fit, snapshot

NAMES = ["weight", "length", "age"]


def _invoke(*args):
    return CliRunner().invoke(cli, [os.fspath(a) for a in args])


def _write(path, header, columns, labels=None):
    """A CSV file of ``columns`` (rows) under ``header``, with a last column of labels."""
    lines = [",".join(header + (["species"] if labels is not None else []))]
    for k, row in enumerate(columns):
        cells = [repr(float(v)) for v in row]
        lines.append(",".join(cells + ([str(labels[k])] if labels is not None else [])))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, X, labels): a run trained on a CSV whose columns differ in scale."""
    folder = tmp_path_factory.mktemp("records")
    X, y = blobs(90, 3, 2, seed=11)
    X = X * np.array([1.0, 10.0, 100.0])
    labels = np.array(["cat", "dog"])[y]
    data = _write(folder / "data.csv", NAMES, X, labels)
    args = ["--hidden", "4", "--epochs", "60", "--no-early-stopping", "-q"]
    result = _invoke("train", "--data", data, *args, "--out", folder / "run")
    assert result.exit_code == 0, result.output
    return folder, X, labels


def _copy_out(trained, tmp_path):
    folder, X, labels = trained
    shutil.copy(folder / "run" / "model.safetensors", tmp_path / "model.safetensors")
    return tmp_path / "model.safetensors", X, labels


def _reference(trained):
    """What predict says on the training file inside the run folder."""
    folder, _, _ = trained
    result = _invoke("predict", folder / "run" / "model.safetensors", folder / "data.csv")
    assert result.exit_code == 0, result.output
    return result.stdout


# ---------------------------------------------------------------------- columns by name
#: Ways a user hands a copied model its columns: (header order, extra columns, labels?).
LAYOUTS = {
    "reversed": ([2, 1, 0], [], True),
    "rotated-no-target": ([1, 2, 0], [], False),
    "extra-columns-first": ([0, 1, 2], ["note", "id"], True),
    "extra-columns-between": ([2, 0, 1], ["zzz"], False),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_model_copied_out_of_its_run_takes_columns_by_name(trained, tmp_path, layout):
    """Outside its run folder (no config.json) predict and evaluate still match by name."""
    model, X, labels = _copy_out(trained, tmp_path)
    order, extra, with_labels = LAYOUTS[layout]
    columns = np.column_stack([np.arange(len(X))[:, None] * 1.0] * len(extra) + [X[:, order]])
    header = extra + [NAMES[j] for j in order]
    data = _write(tmp_path / "new.csv", header, columns, labels if with_labels else None)
    before = snapshot(tmp_path)
    predicted = _invoke("predict", model, data)
    assert predicted.exit_code == 0, predicted.output
    assert predicted.stdout == _reference(trained)
    if with_labels:
        scored = _invoke("evaluate", model, "--data", data, "--target", "species")
        inside = _invoke("evaluate", trained[0] / "run" / "model.safetensors", "--data",
                         trained[0] / "data.csv")  # fmt: skip
        assert scored.exit_code == 0, scored.output
        assert scored.stdout.split("\n", 1)[1] == inside.stdout.split("\n", 1)[1]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["weight", "length", "agee"], "'age'"),
        (["a", "b", "c"], "'weight', 'length', 'age'"),
        (["length", "weight"], "'age'"),
    ],
    ids=["misspelt", "other-names", "one-left-out"],
)
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_copied_model_refuses_a_file_without_its_columns(
    trained, tmp_path, header, missing, command
):
    """Never by position when the model knows its names: the missing columns are named."""
    model, X, labels = _copy_out(trained, tmp_path)
    data = _write(tmp_path / "new.csv", header, X[:, : len(header)], labels)
    before = snapshot(tmp_path)
    if command == "predict":
        result = _invoke("predict", model, data)
        expected = f"new.csv, line 1: the file has no column {missing} (the model takes 3"
    else:
        result = _invoke("evaluate", model, "--data", data, "--target", "species")
        expected = f"no column {missing} (columns are matched by name"
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_a_model_placed_in_another_runs_folder_keeps_its_own_names(trained, tmp_path):
    """The config.json of another run beside the model does not describe it: not used."""
    folder, X, labels = trained
    other = tmp_path / "other"
    renamed = _write(tmp_path / "renamed.csv", ["p", "q", "r"], X, labels)
    args = ["--hidden", "2", "--epochs", "3", "-q", "--out", other]
    assert _invoke("train", "--data", renamed, *args).exit_code == 0
    shutil.copy(folder / "run" / "model.safetensors", other / "model.safetensors")
    data = _write(tmp_path / "new.csv", [NAMES[j] for j in (2, 0, 1)], X[:, [2, 0, 1]])
    before = snapshot(tmp_path)
    result = _invoke("predict", other / "model.safetensors", data)
    assert result.exit_code == 0, result.output
    assert result.stdout == _reference(trained)
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------- the record itself
def test_a_model_file_records_names_and_labels_without_feature_names_in(tmp_path):
    """Names given to save come back from read_data_record; the loaded estimator has no
    feature_names_in_, so predicting on an array warns of nothing; a DataFrame fit keeps
    scikit-learn's feature_names_in_ and the record agrees."""
    import pandas as pd

    X, y = blobs(40, 3, 3, seed=2)
    labels = np.array(["b", "a", "c"])[y]
    model = quiet_fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=5), X, labels)
    path = tmp_path / "m.safetensors"
    mlplab.save(model, path, data={"feature_names": ("x", "y", "z"), "target": "t"})
    record = mlplab.read_data_record(path)
    assert record == {"feature_names": ["x", "y", "z"], "target": "t", "fingerprint": None}
    loaded = mlplab.load(path)
    assert not hasattr(loaded, "feature_names_in_")
    assert loaded.classes_.tolist() == ["a", "b", "c"]
    assert loaded.classes_.dtype.kind == "U"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (loaded.predict(X) == model.predict(X)).all()

    frame = pd.DataFrame(X, columns=["u", "v", "w"])
    named = quiet_fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=5), frame, y)
    mlplab.save(named, tmp_path / "n.safetensors")
    assert mlplab.read_data_record(tmp_path / "n.safetensors")["feature_names"] == ["u", "v", "w"]
    assert mlplab.load(tmp_path / "n.safetensors").feature_names_in_.tolist() == ["u", "v", "w"]
    assert mlplab.load(tmp_path / "n.safetensors").classes_.dtype.kind == "i"


#: A data record that does not fit the 3-feature model, and the words of the refusal.
BAD_RECORDS = {
    "too-few-names": ({"feature_names": ["a", "b"]}, "2 names, but the model takes 3"),
    "a-name-twice": ({"feature_names": ["a", "b", "a"]}, "names 'a' twice"),
    "a-name-not-text": ({"feature_names": ["a", "b", 3]}, "a list of strings"),
    "target-among-features": (
        {"feature_names": ["a", "b", "c"], "target": "b"},
        "data.target 'b' is also one of data.feature_names",
    ),
    "nested-fingerprint": ({"fingerprint": {"a": [1]}}, "strings and integers"),
    "unknown-entry": ({"features": ["a", "b", "c"]}, "data has unknown entries features"),
    "lone-surrogate": ({"target": "t\udc80"}, "not valid Unicode text"),
}


@pytest.mark.parametrize("case", BAD_RECORDS)
def test_a_data_record_that_does_not_fit_the_model_is_refused_at_save_and_at_load(tmp_path, case):
    record, words = BAD_RECORDS[case]
    X, y = blobs(30, 3, 2, seed=4)
    model = quiet_fit(MLPClassifier(hidden_layer_sizes=(2,), max_iter=3), X, y)
    with pytest.raises(ValueError, match="cannot save this MLPClassifier: .*" + words):
        mlplab.save(model, tmp_path / "refused.safetensors", data=record)
    assert os.listdir(tmp_path) == []
    if case == "lone-surrogate":
        return  # no file can carry it, so none can be crafted
    # The same record behind a valid checksum: refused by load and read_data_record.
    path = tmp_path / "crafted.safetensors"
    mlplab.save(model, path)
    arrays, metadata = fileformat.read(path, kind="model")
    metadata["data"] = record
    fileformat.write(path, arrays, metadata, kind="model")
    before = snapshot(tmp_path)
    for read in (mlplab.load, mlplab.read_data_record):
        with pytest.raises(ModelFileError, match=f"{path}: .*{words}"):
            read(path)
    assert snapshot(tmp_path) == before


def test_a_record_that_contradicts_the_fitted_names_is_refused(tmp_path):
    import pandas as pd

    X, y = blobs(30, 3, 2, seed=4)
    frame = pd.DataFrame(X, columns=["u", "v", "w"])
    model = quiet_fit(MLPClassifier(hidden_layer_sizes=(2,), max_iter=3), frame, y)
    with pytest.raises(ValueError, match="differ from the names the estimator was fitted on"):
        mlplab.save(model, tmp_path / "m.safetensors", data={"feature_names": ["w", "v", "u"]})
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------- --part and its data
def _edit(X, labels, case):
    """A variant of the run's data set, as a hostile (or hurried) user would hand it over."""
    X, labels = X.copy(), labels.copy()
    if case == "one-cell-changed":
        X[7, 1] = np.nextafter(X[7, 1], np.inf)
        return X, labels, None
    if case == "rows-left-out":
        return X[:-5], labels[:-5], "90 examples in the run, 85 here"
    if case == "rows-shuffled":
        order = np.random.default_rng(0).permutation(len(X))
        return X[order], labels[order], None
    if case == "labels-renamed":
        return X, np.where(labels == "cat", "cats", "dogs"), None
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["one-cell-changed", "rows-left-out", "rows-shuffled", "labels-renamed"]
)
def test_evaluate_part_refuses_data_that_is_not_the_runs(trained, tmp_path, case):
    folder, X, labels = trained
    X2, labels2, counts = _edit(X, labels, case)
    data = _write(tmp_path / "new.csv", NAMES, X2, labels2)
    before = snapshot(folder), snapshot(tmp_path)
    model = folder / "run" / "model.safetensors"
    result = _invoke("evaluate", model, "--data", data, "--part", "test")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: --part test: {os.fspath(data)!r} is not the data the run was trained on ("
        + (counts or "same size, other values")
        + "), so the run's split cannot be taken from it; give the run's own data, or use "
        "--part all\n"
    )
    assert (snapshot(folder), snapshot(tmp_path)) == before


def test_evaluate_part_takes_the_runs_own_data_in_any_column_order(trained, tmp_path):
    folder, X, labels = trained
    model = folder / "run" / "model.safetensors"
    same = _invoke("evaluate", model, "--data", folder / "data.csv", "--part", "test")
    order = [1, 2, 0]
    data = _write(tmp_path / "reordered.csv", [NAMES[j] for j in order], X[:, order], labels)
    reordered = _invoke("evaluate", model, "--data", data, "--part", "test")
    assert [same.exit_code, reordered.exit_code] == [0, 0], same.output + reordered.output
    assert same.stdout.split("\n", 1)[1] == reordered.stdout.split("\n", 1)[1]


def test_evaluate_part_refuses_a_run_that_recorded_no_fingerprint(trained, tmp_path):
    """A run of an older mlplab (no fingerprint in config.json nor in the model file)."""
    folder, _, _ = trained
    run = tmp_path / "run"
    shutil.copytree(folder / "run", run)
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    del config["data"]["fingerprint"]
    (run / "config.json").write_text(json.dumps(config), encoding="utf-8")
    mlplab.save(mlplab.load(run / "model.safetensors"), run / "model.safetensors")
    before = snapshot(tmp_path)
    result = _invoke("evaluate", run / "model.safetensors", "--data", folder / "data.csv",
                     "--part", "validation")  # fmt: skip
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "error: --part validation needs the fingerprint of the run's data, which neither the "
        "model file nor the run's config.json records (a run of an older mlplab); use --part "
        "all, or train the run again\n"
    )
    assert snapshot(tmp_path) == before


def test_evaluate_part_refuses_the_split_of_another_runs_folder(trained, tmp_path):
    """A model copied into another run's folder: that run's split is not the model's."""
    folder, X, labels = trained
    other = tmp_path / "other"
    args = ["--hidden", "2", "--epochs", "3", "-q", "--seed", "5", "--out", other]
    assert _invoke("train", "--data", folder / "data.csv", *args).exit_code == 0
    (other / "model.safetensors").unlink()
    shutil.copy(folder / "run" / "model.safetensors", other / "model.safetensors")
    X2, labels2, _ = _edit(X, labels, "one-cell-changed")
    data = _write(tmp_path / "new.csv", NAMES, X2, labels2)
    config = json.loads((other / "config.json").read_text(encoding="utf-8"))
    config["data"]["fingerprint"] = {"kind": "features+targets sha256", "sha256": "0"}
    (other / "config.json").write_text(json.dumps(config), encoding="utf-8")
    before = snapshot(tmp_path)
    result = _invoke("evaluate", other / "model.safetensors", "--data", data, "--part", "test")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: --part test: the config.json in {os.fspath(other)!r} is about another model "
        "(its data or features differ from those the model file records), so its split is "
        "not this model's; use --part all, or the model's own run folder\n"
    )
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------- multi-label models
def test_predict_writes_one_column_per_label_of_a_multilabel_model(tmp_path):
    X, _ = blobs(60, 3, 2, seed=8)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(int)
    model = quiet_fit(MLPClassifier(hidden_layer_sizes=(5,), max_iter=40), X, Y)
    path = tmp_path / "multi.safetensors"
    mlplab.save(model, path, data={"feature_names": ["a", "b", "c"]})
    data = _write(tmp_path / "new.csv", ["c", "a", "b"], X[:, [2, 0, 1]])
    before = snapshot(tmp_path)
    result = _invoke("predict", path, data)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "prediction_0,prediction_1,prediction_2,p_0,p_1,p_2"
    rows = [line.split(",") for line in lines[1:]]
    assert np.array([[int(v) for v in r[:3]] for r in rows]).tolist() == model.predict(X).tolist()
    proba = np.array([[float(v) for v in r[3:]] for r in rows])
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5)
    assert (proba.sum(axis=1) > 1.01).any()  # label by label, not a distribution
    refused = _invoke("evaluate", path, "--data", data)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"error: {os.fspath(path)!r} is a multi-label model")
    assert snapshot(tmp_path) == before
