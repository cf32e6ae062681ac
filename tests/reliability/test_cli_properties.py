"""A property of the command line, on generated files and options: it fails cleanly.

Hypothesis writes CSV files with bad cells (NaN, infinities, values beyond float64,
text, empty cells, stray quotes, NUL bytes), bad headers (duplicate, empty or missing
names, columns in another order) and bad options (NaN, infinite, negative, zero and
absurdly large numbers), and runs ``mlplab train``, ``evaluate`` and ``predict`` on them in
this process (click's runner). Whatever it generates: the exit code is 0, 1 or 2, nothing
escapes as an exception or prints a traceback, and after any non-zero exit the existing
run folder is byte for byte what it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlplab.cli import cli

from ._helpers import snapshot

FEATURES = ("weight", "length", "age")
GOOD_ROWS = [
    (4.5, 46.0, 2.0, "cat"), (5.1, 50.0, 3.0, "cat"), (3.9, 44.0, 1.0, "cat"),
    (30.0, 95.5, 4.0, "dog"), (25.0, 90.0, 5.0, "dog"), (28.0, 99.0, 2.0, "dog"),
] * 4  # fmt: skip

#: Cells a hostile file holds where a number belongs.
BAD_CELLS = st.sampled_from(
    ["nan", "NaN", "inf", "-Infinity", "1e400", "-1e400", "1e308", "abc", "", " ", '"',
     '"1', "1,5", "\x00", "\u22121", "0x10", "1_000", "٣", "1e-400", "  7  ", "dog"]
)  # fmt: skip
#: Labels a hostile file holds in the target column.
BAD_LABELS = st.sampled_from(["", "nan", "cats", "<b>", "1e400", "\ud800".encode(
    "utf-8", "surrogatepass").decode("utf-8", "replace"), "dog,cat", "3"])  # fmt: skip
#: Header rows: the good one, reordered, duplicated, emptied, renamed.
HEADERS = st.sampled_from(
    [
        [*FEATURES, "species"],
        ["length", "weight", "age", "species"],
        ["weight", "weight", "age", "species"],
        ["weight", "", "age", "species"],
        ["w", "l", "a", "species"],
        [*FEATURES, "kind"],
        [*FEATURES],
    ]
)
#: Options with bad values, each for the command it belongs to.
TRAIN_OPTIONS = st.sampled_from(
    [[], ["--learning-rate", "nan"], ["--learning-rate", "inf"], ["--learning-rate", "-1"],
     ["--learning-rate", "1e308"], ["--alpha", "nan"], ["--alpha", "1e308"],
     ["--epochs", "0"], ["--epochs", "99999999999"], ["--hidden", "0"], ["--hidden", "x"],
     ["--hidden", "99999999999"], ["--batch-size", "0"], ["--batch-size", "nan"],
     ["--seed", "-1"], ["--seed", str(2**40)], ["--test-fraction", "1"],
     ["--test-fraction", "nan"], ["--validation-fraction", "0.99"], ["--task", "regression"],
     ["--target", "nope"], ["--patience", "-3"], ["--checkpoint-every", "0"]]
)  # fmt: skip
QUICK = ["--hidden", "2", "--epochs", "2", "--no-early-stopping", "-q"]


@st.composite
def csv_files(draw) -> bytes:
    """A CSV file: a header, the good rows, and a few cells replaced by bad ones."""
    header = draw(HEADERS)
    rows = [list(map(str, row)) for row in GOOD_ROWS]
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(rows) - 1))
        j = draw(st.integers(0, 3))
        rows[i][j] = draw(BAD_LABELS if j == 3 else BAD_CELLS)
    lines = [",".join(header)] + [",".join(row) for row in rows]
    if draw(st.booleans()):
        lines.append(lines[1][: draw(st.integers(0, len(lines[1])))])  # a ragged last row
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A folder with a good CSV and a run trained on it (its model, its config.json)."""
    folder = tmp_path_factory.mktemp("properties")
    good = folder / "good.csv"
    good.write_text(
        ",".join([*FEATURES, "species"])
        + "\n"
        + "".join(",".join(map(str, row)) + "\n" for row in GOOD_ROWS),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["train", "--data", str(good), *QUICK, "--out", str(folder / "run")]
    )
    assert result.exit_code == 0, result.output
    return folder


def _check(result, folder: Path, before: dict) -> None:
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert snapshot(folder) == before


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    content=csv_files(),
    command=st.sampled_from(["train", "evaluate", "predict"]),
    options=TRAIN_OPTIONS,
    part=st.sampled_from(["all", "test"]),
)
def test_train_evaluate_and_predict_fail_cleanly_on_any_file_and_option(
    workspace, content, command, options, part
):
    with tempfile.TemporaryDirectory(dir=workspace) as scratch:
        data = Path(scratch) / "data.csv"
        data.write_bytes(content)
        run = Path(scratch) / "run"
        shutil.copytree(workspace / "run", run)
        before = snapshot(run)
        if command == "train":
            args = ["train", "--data", data, *QUICK, *options, "--force", "--out", run]
        elif command == "evaluate":
            args = ["evaluate", run / "model.safetensors", "--data", data, "--part", part]
        else:
            args = ["predict", run / "model.safetensors", data, "--out", Path(scratch) / "p.csv"]
        result = CliRunner().invoke(cli, [os.fspath(a) for a in args])
        _check(result, run, before)
