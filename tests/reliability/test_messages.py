"""Messages and refusals at the edges: outputs that are inputs, malformed config.json files,
labels and parameters a model file cannot hold, directories named like checkpoints."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import mlplab
from mlplab import MLPClassifier
from mlplab.cli import cli
from mlplab.training.checkpoint import CheckpointWarning

from ._helpers import blobs, quiet_fit, snapshot


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A model on features x1, x2 and a CSV to predict."""
    folder = tmp_path_factory.mktemp("messages")
    X, y = blobs(30, 2, 2, seed=1)
    path = folder / "model.safetensors"
    mlplab.save(quiet_fit(MLPClassifier(hidden_layer_sizes=(2,), max_iter=2), X, y), path)
    return path


#: Output options naming one of the command's inputs: (arguments, option, what it is).
SAME_FILE = {
    "predict-out-is-the-csv": (lambda m, c: ["predict", m, c, "--out", c], "--out",
                               "the input CSV"),
    "predict-out-is-the-model": (lambda m, c: ["predict", m, c, "--out", m], "--out", "the model"),
    "predict-out-is-a-link-to-the-csv": (
        lambda m, c: ["predict", m, c, "--out", _link(c)], "--out", "the input CSV"),
    "export-onnx-is-the-model": (lambda m, c: ["export", m, "--onnx", m], "--onnx", "the model"),
}  # fmt: skip


def _link(path):
    link = path.with_name("alias.csv")
    if not link.exists():
        os.symlink(path, link)
    return link


@pytest.mark.parametrize("case", SAME_FILE)
def test_an_output_that_is_an_input_is_refused(model_file, tmp_path, case):
    make, option, what = SAME_FILE[case]
    model = tmp_path / "model.safetensors"
    model.write_bytes(model_file.read_bytes())
    data = tmp_path / "new.csv"
    data.write_text("x1,x2\n0.5,1.5\n", encoding="utf-8")
    args = make(model, data)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, [os.fspath(a) for a in args])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '{option}': {os.fspath(args[-1])!r} is {what}, which it "
        "would replace; write to another file"
    )
    assert snapshot(tmp_path) == before


MALFORMED = {
    "data-a-list": ({"data": [1]}, "'data' must be a JSON object, got list"),
    "split-a-list": ({"data": {"split": []}}, "'data.split' must be a JSON object, got list"),
    "seed-a-string": ({"data": {"split": {"seed": "x"}}},
                      "'data.split.seed' has a value of the wrong type (str)"),
    "metrics-a-list": ({"metrics": []}, "'metrics' has a value of the wrong type (list)"),
    "figures-an-object": ({"figures": {}}, "'figures' has a value of the wrong type (dict)"),
}  # fmt: skip


@pytest.mark.parametrize("command", ["evaluate", "report"])
@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_config_beside_a_model_is_one_line(model_file, tmp_path, case, command):
    content, problem = MALFORMED[case]
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.safetensors").write_bytes(model_file.read_bytes())
    (run / "config.json").write_text(json.dumps({"format": "mlplab-run", **content}))
    args = {
        "evaluate": ["evaluate", run / "model.safetensors", "--data", "xor", "--part", "test"],
        "report": ["report", run],
    }[command]
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, [os.fspath(a) for a in args])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: {run / 'config.json'} is malformed: {problem}; rebuild the run with mlplab train\n"
    )
    assert snapshot(tmp_path) == before


def test_what_a_model_file_cannot_hold_is_refused_at_save(tmp_path):
    X, y = blobs(30, 2, 3, seed=2)
    surrogate = quiet_fit(
        MLPClassifier(hidden_layer_sizes=(2,), max_iter=2), X, np.array(["a", "b", "\ud800"])[y]
    )
    with pytest.raises(ValueError, match=r"cannot save the class label '\\ud800': it is not valid"):
        mlplab.save(surrogate, tmp_path / "a.safetensors")
    for built, later in (("ovr", "ovo"), ("ovo", "native"), ("ovr", "native")):
        model = quiet_fit(
            MLPClassifier(hidden_layer_sizes=(2,), max_iter=2, multiclass=built), X, y
        )
        model.set_params(multiclass=later)
        with pytest.raises(ValueError, match=(
            f"cannot save this model: its multiclass parameter is '{later}', but it was "
            f"fitted as multiclass='{built}'"
        )):  # fmt: skip
            mlplab.save(model, tmp_path / "b.safetensors")
    assert os.listdir(tmp_path) == []


def test_a_directory_named_like_a_checkpoint_is_skipped(tmp_path):
    X, y = blobs(30, 2, 2, seed=3)
    quiet_fit(
        MLPClassifier(hidden_layer_sizes=(2,), max_iter=3, checkpoint_dir=str(tmp_path)), X, y
    )
    (tmp_path / "checkpoint-999999.safetensors").mkdir()
    resumed = MLPClassifier(hidden_layer_sizes=(2,), max_iter=5, checkpoint_dir=str(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed.fit(X, y, resume_from=tmp_path)
    skipped = [w for w in caught if issubclass(w.category, CheckpointWarning)]
    assert len(skipped) == 1
    assert "checkpoint-999999.safetensors: is a directory" in str(skipped[0].message)
    assert resumed.n_iter_ == 5


# ---------------------------------------------------------------------- values beyond the dtype
ROWS = [(1, 2, 0.5), (3, 3, 1.5), (2, 2, 0.1), (3, 1, 0.2), (5, 5, 1.0), (6, 6, 2.0)] * 2
#: (cell to put in, where (row, column), options, message after "error: ").
OVERFLOW = {
    "feature-beyond-float32": ("1e300", (1, 0), ["--dtype", "float32", "--no-scale"],
                               "{csv}, line 3, column 1 ('a'): '1e300' is too large, beyond the "
                               "largest float32 (3.403e+38); rescale the column, or use --dtype "
                               "float64"),
    "target-beyond-float32": ("1e300", (1, 2), ["--dtype", "float32"],
                              "{csv}, line 3, column 3 ('t'): '1e300' is too large, beyond the "
                              "largest float32 (3.403e+38); rescale it, or use --dtype float64"),
    "target-beyond-float32-later-row": ("-4e38", (9, 2), ["--dtype", "float32"],
                                        "{csv}, line 11, column 3 ('t'): '-4e38' is too large, "
                                        "beyond the largest float32 (3.403e+38); rescale it, or "
                                        "use --dtype float64"),
    "target-beyond-float64": ("1e400", (1, 2), [],
                              "{csv}, line 3, column 3 ('t'): '1e400' is a non-finite value (too "
                              "large for a float64)"),
    "feature-beyond-float64": ("-1e400", (2, 1), [],
                               "{csv}, line 4, column 2 ('b'): '-1e400' is a non-finite value "
                               "(too large for a float64)"),
    "feature-beyond-the-scaling": ("1e308", (1, 0), [],
                                   "{csv}, line 3, column 1 ('a'): '1e308' is too large to "
                                   "standardize in float64 (its square overflows); rescale the "
                                   "column (e.g. to other units) or use --no-scale"),
    "feature-beyond-the-scaling-as-text": ("17.5E+307", (7, 1), [],
                                   "{csv}, line 9, column 2 ('b'): '17.5E+307' is too large to "
                                   "standardize in float64 (its square overflows); rescale the "
                                   "column (e.g. to other units) or use --no-scale"),
}  # fmt: skip


@pytest.mark.parametrize("case", OVERFLOW)
def test_values_the_dtype_or_the_scaling_cannot_hold_are_refused(tmp_path, case):
    cell, (row, column), options, message = OVERFLOW[case]
    cells = [list(map(str, r)) for r in ROWS]
    cells[row][column] = cell
    csv = tmp_path / "data.csv"
    csv.write_text("a,b,t\n" + "".join(",".join(r) + "\n" for r in cells), encoding="utf-8")
    before = snapshot(tmp_path)
    args = ["train", "--data", csv, "--task", "regression", "--epochs", "2", *options]
    result = CliRunner().invoke(cli, [os.fspath(a) for a in [*args, "--out", tmp_path / "r"]])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {message.format(csv=csv)}\n"
    assert snapshot(tmp_path) == before
    assert os.listdir(tmp_path) == ["data.csv"]


@pytest.mark.parametrize(
    "arguments",
    [["predict", "{model}", "{new}"], ["evaluate", "{model}", "--data", "{csv}"], ["logic"]],
    ids=["predict", "evaluate", "logic"],
)
def test_a_closed_standard_output_is_an_error(model_file, tmp_path, arguments):
    """Started with stdout closed (``>&-``): exit 1 and say so, never exit 0 having written
    nothing."""
    import subprocess
    import sys

    from ._helpers import CHILD_ENV

    data, new = tmp_path / "data.csv", tmp_path / "new.csv"
    data.write_text("x1,x2,y\n0.5,1.5,0\n1,2,1\n", encoding="utf-8")
    new.write_text("x1,x2\n0.5,1.5\n", encoding="utf-8")
    args = [a.format(model=model_file, csv=data, new=new) for a in arguments]
    process = subprocess.run(
        [sys.executable, "-m", "mlplab", *args],
        stderr=subprocess.PIPE, text=True, env=CHILD_ENV, timeout=120, check=False,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert process.returncode == 1, process.stderr
    assert process.stderr.splitlines()[-1] == (
        "error: standard output is closed, so the results cannot be written; redirect it to "
        "a file (or give --out where the command has it)"
    )


# ---------------------------------------------------------------------- writes into nowhere
@pytest.mark.parametrize(
    "arguments",
    [
        ["predict", "{model}", "{csv}", "--out", "{out}"],
        ["export", "{model}", "--onnx", "{out}"],
    ],
    ids=["predict-out", "export-onnx"],
)
def test_a_write_into_a_missing_folder_names_the_file_asked_for(model_file, tmp_path, arguments):
    """Never the hidden temporary beside it: the user's own path, one line, nothing left."""
    csv = tmp_path / "new.csv"
    csv.write_text("x1,x2\n0.5,1.5\n", encoding="utf-8")
    out = os.path.join("no-such-folder", "deeper", "out.file")
    values = {"model": os.fspath(model_file), "csv": os.fspath(csv), "out": out}
    before = snapshot(tmp_path)
    with _working_folder(tmp_path):
        result = CliRunner().invoke(cli, [a.format(**values) for a in arguments])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: No such file or directory: {out!r}\n"
    assert snapshot(tmp_path) == before
    path = tmp_path / "missing" / "m.safetensors"
    with pytest.raises(FileNotFoundError) as caught:
        mlplab.save(mlplab.load(model_file), path)
    assert caught.value.filename == os.fspath(path)


def _working_folder(path):
    import contextlib

    @contextlib.contextmanager
    def inside():
        previous = os.getcwd()
        os.chdir(path)
        try:
            yield
        finally:
            os.chdir(previous)

    return inside()


@pytest.mark.parametrize(
    ("cell", "row"), [("x0", 0), ("n/a", 3), ("1,5", 5)], ids=["word", "n/a", "comma"]
)
def test_evaluate_refuses_text_targets_for_a_regressor_naming_the_cell(tmp_path, cell, row):
    X, _ = blobs(12, 2, 2, seed=6)
    model = quiet_fit(mlplab.MLPRegressor(hidden_layer_sizes=(2,), max_iter=3), X, X[:, 0])
    path = tmp_path / "model.safetensors"
    mlplab.save(model, path)
    cells = [repr(float(v)) for v in X[:, 0]]
    cells[row] = f'"{cell}"' if "," in cell else cell
    data = tmp_path / "data.csv"
    rows = "".join(f"{float(a)!r},{float(b)!r},{t}\n" for (a, b), t in zip(X, cells))
    data.write_text("x1,x2,t\n" + rows, encoding="utf-8")
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["evaluate", os.fspath(path), "--data", os.fspath(data)])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: {data}, line {row + 2}, column 3 ('t'): {cell!r} is not a number, but the "
        "model is a regressor: give the target column of numbers it was trained on "
        "(--target)\n"
    )
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------- inputs beyond the model
@pytest.fixture(scope="module")
def small_models(tmp_path_factory):
    """A float32 classifier and a float64 regressor on features a, b, c."""
    folder = tmp_path_factory.mktemp("beyond")
    X, y = blobs(40, 3, 2, seed=9)
    names = {"feature_names": ["a", "b", "c"]}
    classifier = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, dtype=np.float32)
    regressor = mlplab.MLPRegressor(hidden_layer_sizes=(3,), max_iter=5)
    mlplab.save(quiet_fit(classifier, X, np.array(["cat", "dog"])[y]), folder / "f32.safetensors",
                data=names)  # fmt: skip
    quiet_fit(regressor, X, X @ [1.0, 2.0, 3.0])
    regressor.coefs_[0] = np.full((3, 3), 10.0)  # 1.7e308 overflows the hidden layer
    mlplab.save(regressor, folder / "f64.safetensors", data=names)
    return folder


#: (model, CSV rows after the header "b,a,c,t", where, message after the place).
BEYOND = {
    "float32-model": ("f32", ["1,2,3,cat", "1,-4e38,3,dog"], "line 3, column 2 ('a')",
                      "'-4e38' is too large for the model, beyond the largest float32 "
                      "(3.403e+38); give values on the scale the model was trained on"),
    "float32-model-first-row": ("f32", ["1e39,2,3,cat", "1,2,3,dog"], "line 2, column 1 ('b')",
                                "'1e39' is too large for the model, beyond the largest "
                                "float32 (3.403e+38); give values on the scale the model was "
                                "trained on"),
    "float64-output-overflows": ("f64", ["1,2,3,4", "1.7e308,1.7e308,1.7e308,5"], "line 3",
                                 "the model's output for this row is not a finite number: its "
                                 "features are too large for the network; give values on the "
                                 "scale the model was trained on"),
}  # fmt: skip


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize("case", BEYOND)
def test_inputs_the_model_cannot_hold_are_refused_naming_the_place(
    small_models, tmp_path, case, command
):
    """Never NaN probabilities with exit 0, nor a score computed from them."""
    name, rows, where, message = BEYOND[case]
    data = tmp_path / "new.csv"
    data.write_text("b,a,c,t\n" + "\n".join(rows) + "\n", encoding="utf-8")
    model = os.fspath(small_models / f"{name}.safetensors")
    args = [model, os.fspath(data)] if command == "predict" else [model, "--data", os.fspath(data)]
    before = snapshot(tmp_path), snapshot(small_models)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow warnings included
        result = CliRunner().invoke(cli, [command, *args])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {data}, {where}: {message}\n"
    assert (snapshot(tmp_path), snapshot(small_models)) == before
