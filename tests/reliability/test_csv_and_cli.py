"""CSV files and the command line: one-line errors that point at the cell, and exit codes.

A malformed CSV is refused with one line naming the file, the line and (where there is
one) the column, whether it is read by :func:`mlplab.datasets.load_csv` or by ``mlplab``
on the command line; there, usage errors exit with 2, data and model errors with 1, and
nothing prints a traceback. A refused command writes nothing: an earlier run in the
output folder is left exactly as it was.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import mlplab
from mlplab import MLPClassifier
from mlplab.datasets import CSVFormatError, load_csv

from ._helpers import blobs, quiet_fit, snapshot, start_mlplab

#: Malformed files: name → (bytes, target column or None, message after "<file>").
BAD_CSV = {
    "ragged-short": (b"a,b,label\n1,2,x\n3,4\n", None, ", line 3, column 3 ('label'): missing "
                     "field: the row has 2 fields, the header 3"),
    "ragged-long": (b"a,b,label\n1,2,x,9\n", None, ", line 2, column 4: extra field '9': the "
                    "row has 4 fields, the header 3"),
    "non-numeric": (b"a,b,label\n1,2,x\n1,abc,y\n", None, ", line 3, column 2 ('b'): 'abc' is "
                    "not a number"),
    "empty": (b"", None, ": the file is empty; expected a header row naming the columns, then "
              "data rows"),
    "header-only": (b"a,b,label\n", None, ": no data rows: the file has only the header "
                    "(line 1)"),
    "missing-target": (b"a,b,label\n1,2,x\n", "species", ": target column 'species' not found; "
                       "available columns: 'a', 'b', 'label'"),
    "duplicate-target": (b"a,label,label\n1,2,x\n", "label", ", line 1, column 3 ('label'): "
                         "duplicate column name (also column 2); column names must be unique"),
    "unterminated-quote": (b'a,b,label\n1,2,x\n4,"5,y\n7,8,z\n', None, ", line 3, column 2: "
                           "unterminated quoted field: a '\"' opens a field that is never closed"),
    "invalid-utf8": (b"a,b,label\n1,\xff,x\n", None, ", line 2: invalid UTF-8: byte 0xff at byte "
                     "3 of the line (byte 13 of the file); save the file as UTF-8"),
    "nan-cell": (b"a,b,label\n1,nan,x\n", None, ", line 2, column 2 ('b'): 'nan' is a "
                 "non-finite value; only finite numbers are allowed"),
    "inf-cell": (b"a,b,label\n-Infinity,1,x\n", None, ", line 2, column 1 ('a'): '-Infinity' "
                 "is a non-finite value; only finite numbers are allowed"),
    "nan-target": (b"a,b,label\n1,2,NaN\n", None, ", line 2, column 3 ('label'): 'NaN' is a "
                   "non-finite value; only finite numbers are allowed"),
}  # fmt: skip


def _write(folder: Path, case: str) -> Path:
    path = folder / f"{case}.csv"
    path.write_bytes(BAD_CSV[case][0])
    return path


@pytest.mark.parametrize("case", BAD_CSV)
def test_a_malformed_csv_is_refused_with_one_line_naming_the_place(tmp_path, case):
    path = _write(tmp_path, case)
    content, target, message = BAD_CSV[case]
    with pytest.raises(CSVFormatError) as caught:
        load_csv(path, target=target)
    assert str(caught.value) == f"{path}{message}"
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert path.read_bytes() == content  # read, never touched


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbfweight,length,species\r\n4.5,46,cat\r\n30,95.5,dog\r\n")
    data = load_csv(path)
    assert data.feature_names == ("weight", "length")  # no BOM glued to the first name
    assert data.X.tolist() == [[4.5, 46.0], [30.0, 95.5]]
    assert data.y.tolist() == ["cat", "dog"]  # no "\r" glued to the labels


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory) -> Path:
    """A run trained by ``mlplab train`` on columns a, b and the target label."""
    from tests.cli._helpers import invoke

    folder = tmp_path_factory.mktemp("csv-run")
    rows = [f"{i % 7},{(3 * i) % 5},{'x' if i % 2 else 'y'}" for i in range(40)]
    good = folder / "good.csv"
    good.write_text("a,b,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("train", "--data", good, "--epochs", 2, "--quiet", "--out", folder / "run")
    assert result.exit_code == 0, result.output
    return folder / "run"


@pytest.mark.parametrize("case", [case for case, (_, target, _) in BAD_CSV.items() if not target])
def test_train_predict_and_evaluate_refuse_a_malformed_csv_alike(tmp_path, labelled_run, case):
    """One reader: the three commands accept the same cells and refuse with the same line."""
    from tests.cli._helpers import invoke

    path = _write(tmp_path, case)
    model = labelled_run / "model.safetensors"
    commands = {
        "train": ("train", "--data", path, "--quiet", "--out", tmp_path / "run"),
        "predict": ("predict", model, path),
        "evaluate": ("evaluate", model, "--data", path),
    }
    for name, args in commands.items():
        result = invoke(*args)
        assert result.exit_code == 1, (name, result.output)
        assert result.stderr == f"error: {path}{BAD_CSV[case][2]}\n", name
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------------- the command line
@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The bad CSVs, a model with 2 features, a corrupt model, a previous run folder."""
    folder = tmp_path_factory.mktemp("cli")
    paths = {case: _write(folder, case) for case in BAD_CSV}
    X, y = blobs(40, 2, 2, seed=0)
    model = quiet_fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0), X, y)
    paths["model"] = folder / "model.safetensors"
    mlplab.save(model, paths["model"])
    paths["corrupt"] = folder / "corrupt.safetensors"
    paths["corrupt"].write_bytes(paths["model"].read_bytes()[:-5])
    paths["predict-nan"] = folder / "new.csv"
    paths["predict-nan"].write_text("x1,x2\n0.5,1.5\n1,nan\n", encoding="utf-8")
    paths["predict-columns"] = folder / "three.csv"
    paths["predict-columns"].write_text("p,q,r\n1,2,3\n", encoding="utf-8")
    run = folder / "previous-run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"format": "mlplab-run"}), encoding="utf-8")
    mlplab.save(model, run / "model.safetensors")
    paths["run"] = run
    return paths


#: Commands and what they must do: (arguments, exit code, a regex the first line must match).
def _commands(files):
    out = ["--out", files["run"], "--force", "-q"]  # even replacing it, a failure keeps it
    commands = {}
    for case, (_, target, message) in BAD_CSV.items():
        option = ["--target", target] if target else []
        # one copy of the previous run each: a run folder has one writer at a time
        own = ["--out", _copy_of_run(files, case), "--force", "-q"]
        commands[f"train-{case}"] = (
            ["train", "--data", files[case], *option, *own],
            1,
            re.escape(f"error: {files[case]}{message}"),
        )
    corrupt = re.escape(f"error: {files['corrupt']}: ")
    commands |= {
        "predict-nan-cell": (
            ["predict", files["model"], files["predict-nan"]],
            1,
            re.escape(
                f"error: {files['predict-nan']}, line 3, column 2 ('x2'): 'nan' is a non-finite "
                "value; only finite numbers are allowed"
            ),
        ),
        "predict-wrong-columns": (
            ["predict", files["model"], files["predict-columns"]],
            1,
            re.escape(
                f"error: {files['predict-columns']}, line 1: the model takes 2 features, but "
                "the file has 3 columns ('p', 'q', 'r')"
            ),
        ),
        "evaluate-corrupt-model": (
            ["evaluate", files["corrupt"], "--data", "xor"],
            1,
            corrupt + r"tensor 'theta_0' has data offsets \[0, \d+\] outside the file",
        ),
        "export-corrupt-model": (
            ["export", files["corrupt"], "--onnx", files["run"] / "model.onnx"],
            1,
            corrupt + r"tensor 'theta_0' has data offsets \[0, \d+\] outside the file",
        ),
        "predict-missing-model": (
            ["predict", files["run"] / "absent.safetensors", files["predict-nan"]],
            1,
            re.escape(f"error: {files['run'] / 'absent.safetensors'}: no such file"),
        ),
        "usage-bad-hidden": (["train", "--hidden", "x", *out], 2, "Usage: mlplab train "),
        "usage-zero-epochs": (["train", "--epochs", "0", *out], 2, "Usage: mlplab train "),
        "usage-unknown-option": (["train", "--learning", "1", *out], 2, "Usage: mlplab train "),
        "usage-bad-solver": (["train", "--solver", "newton", *out], 2, "Usage: mlplab train "),
        "usage-missing-argument": (["predict"], 2, "Usage: mlplab predict "),
        "usage-unknown-command": (["trian"], 2, "Usage: mlplab "),
    }
    return commands


def _copy_of_run(files, case: str) -> Path:
    """The previous run's copy that the train command of ``case`` is pointed at."""
    return files["run"].with_name(f"previous-run-{case}")


#: The commands' names (the table needs real files, which only the fixture makes).
_FILE_NAMES = ["run", "model", "corrupt", "predict-nan", "predict-columns", *BAD_CSV]
COMMAND_NAMES = list(_commands(dict.fromkeys(_FILE_NAMES, Path("x"))))


@pytest.fixture(scope="module")
def results(files):
    """Every command of the table run at once, in parallel child processes."""
    import shutil

    for case in BAD_CSV:
        copy = _copy_of_run(files, case)
        if not copy.exists():
            shutil.copytree(files["run"], copy)
    before = snapshot(files["run"].parent)
    commands = _commands(files)
    processes = {name: start_mlplab(*args) for name, (args, _, _) in commands.items()}
    done = {name: (*process.communicate(timeout=120), process.returncode)
            for name, process in processes.items()}  # fmt: skip
    return commands, done, before


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_the_command_line_exits_with_the_right_code_and_one_line(results, files, name):
    commands, done, before = results
    _, code, pattern = commands[name]
    stdout, stderr, returncode = done[name]
    assert returncode == code, stderr
    assert "Traceback" not in stderr
    assert stdout == ""
    lines = stderr.splitlines()
    if code == 1:
        assert len(lines) == 1, lines  # one line, nothing else
        assert re.fullmatch(pattern, lines[0]), lines[0]
    else:
        assert re.match(pattern, lines[0]), lines[0]
        assert lines[-1].startswith("Error: ")
    assert snapshot(files["run"].parent) == before  # the previous runs are untouched
