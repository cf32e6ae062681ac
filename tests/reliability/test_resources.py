"""Files that are not files, memory that is not there, options that are not numbers, and
model files that would choose paths: each refused at once, in one line, changing nothing."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import mlplab
import mlplab.fileformat as fileformat
from mlplab import MLPClassifier, ModelFileError, Network
from mlplab.cli import cli
from mlplab.datasets import load_csv
from mlplab.memory import InsufficientMemoryError
from mlplab.runs import RunFolder, RunFolderError
from mlplab.training.history import History

from ._helpers import CHILD_ENV, blobs, quiet_fit, snapshot


@contextlib.contextmanager
def _no_hang(seconds: int = 10):
    """Fail (instead of waiting for ever) if the block blocks."""

    def timeout(signum, frame):
        raise AssertionError("blocked: the reader waited on the pipe")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _run_with_fifo_config(folder: Path) -> Path:
    run = folder / "run"
    run.mkdir()
    os.mkfifo(run / "config.json")
    return run


#: Readers, each given a named pipe where its file belongs: (call, exception, message).
READERS = {
    "model": (lambda p: mlplab.load(p), ModelFileError,
              "is a named pipe, not an mlplab model file"),
    "checkpoint": (lambda p: fileformat.read(p, kind="checkpoint"), ModelFileError,
                   "is a named pipe, not an mlplab checkpoint file"),
    "csv": (lambda p: load_csv(p), ValueError, "is a named pipe, not a CSV file"),
    "history": (lambda p: History.from_csv(p), ValueError, "is a named pipe, not a history file"),
    "config": (lambda p: RunFolder(_run_with_fifo_config(p.parent)).load(), RunFolderError,
               "config.json: is a named pipe, not a JSON file"),
}  # fmt: skip


@pytest.mark.parametrize("reader", READERS)
def test_a_pipe_or_a_device_in_place_of_any_file_is_refused_at_once(tmp_path, reader):
    call, kind, message = READERS[reader]
    fifo = tmp_path / "file"
    os.mkfifo(fifo)
    before = snapshot(tmp_path)
    with _no_hang(), pytest.raises(kind) as caught:
        call(fifo)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert snapshot(tmp_path) == before
    if reader == "config":  # a run folder whose config.json is a pipe is simply not a run
        with _no_hang():
            assert RunFolder(tmp_path / "run").read_config() is None
    if reader in ("model", "csv") and os.path.exists("/dev/zero"):
        with _no_hang(), pytest.raises(kind, match="is a character device"):
            call("/dev/zero")


def test_the_command_line_refuses_pipes_in_one_line(tmp_path):
    """``predict`` and ``train`` given a pipe: exit 1 at once, one line, nothing written."""
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    model = tmp_path / "model.safetensors"
    X, y = blobs(20, 2, 2)
    mlplab.save(quiet_fit(MLPClassifier(hidden_layer_sizes=(2,), max_iter=2), X, y), model)
    before = snapshot(tmp_path)
    with _no_hang(30):
        predicted = CliRunner().invoke(cli, ["predict", str(model), str(fifo)])
        trained = CliRunner().invoke(
            cli, ["train", "--data", str(fifo), "--out", str(tmp_path / "r")]
        )
    for result in (predicted, trained):
        assert result.exit_code == 1, result.output
        assert result.stderr == f"error: {fifo}: is a named pipe, not a CSV file\n"
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["data.csv", "model.safetensors"]


# ---------------------------------------------------------------------- memory
#: Commands asking for networks of exabytes: the message's pattern.
HUGE = {
    "train": ["train", "--data", "xor", "--hidden", "2000000000,2000000000", "--out"],
    "doctor": ["doctor", "--data", "xor", "--hidden", "2000000000,2000000000", "--out"],
    "gradcheck": ["gradcheck", "--hidden", "2000000000", "--inputs", "2000000000", "--out"],
}


@pytest.mark.parametrize("command", HUGE)
def test_too_large_a_network_is_refused_in_one_line_before_allocating(tmp_path, command):
    tracemalloc.start()
    try:
        result = CliRunner().invoke(cli, [*HUGE[command], str(tmp_path / "run")])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = result.stderr.splitlines()[-1]
    assert re.fullmatch(
        r"error: not enough memory for a network of [\d,]+ parameters \([\d-]+, float64\): "
        r"it needs [\d.]+ EiB, but only [\d.]+ [KMGT]iB is available",
        line,
    ), line
    assert peak < 200e6  # refused from the estimate: nothing of that size was allocated
    assert not (tmp_path / "run").exists()
    # the library itself: the same error type, before numpy is asked for anything
    with pytest.raises(InsufficientMemoryError, match=r"a network of 4,000,000,010,000,000,001"):
        Network([2, 2_000_000_000, 2_000_000_000, 1])


#: A child that sets an address-space limit just above what it uses, and hides the memory
#: available from the estimate, so that the allocation itself fails as it would anyway.
LIMITED_CHILD = """
import resource, sys
import mlplab.cli, mlplab.memory, numpy
mlplab.memory.available_memory = lambda: None   # a system that does not tell
with open("/proc/self/status") as status:
    size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
limit = size + 300 * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
mlplab.cli.main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    "arguments",
    [
        ["train", "--data", "xor", "--hidden", "100000000", "-q"],
        ["gradcheck", "--hidden", "100000000", "--inputs", "2"],
    ],
    ids=["train", "gradcheck"],
)
def test_an_allocation_that_fails_under_an_address_space_limit_is_one_line(tmp_path, arguments):
    out = ["--out", str(tmp_path / "run")]
    process = subprocess.run(
        [sys.executable, "-c", LIMITED_CHILD, *arguments, *out],
        capture_output=True, text=True, env=CHILD_ENV, timeout=120, check=False,
    )  # fmt: skip
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    assert re.fullmatch(
        r"error: not enough memory for (training )?a network of [\d,]+ parameters "
        r"\([\d-]+, float64\): it needs [\d.]+ [MG]iB, and allocating it failed\n",
        process.stderr,
    ), process.stderr
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------------- options
OPTIONS = {
    "learning-rate-nan": (["train", "--learning-rate", "nan"], "--learning-rate", "not a finite"),
    "learning-rate-inf": (["train", "--learning-rate", "inf"], "--learning-rate", "not a finite"),
    "learning-rate-negative": (["train", "--learning-rate", "-1"], "--learning-rate", "range"),
    "alpha-nan": (["train", "--alpha", "nan"], "--alpha", "not a finite"),
    "alpha-minus-inf": (["train", "--alpha", "-inf"], "--alpha", "range"),
    "seed-beyond-32-bits": (["train", "--seed", str(2**32)], "--seed", "range"),
    "epochs-beyond-int32": (["train", "--epochs", str(2**31)], "--epochs", "range"),
    "hidden-beyond-int32": (["train", "--hidden", str(2**31)], "--hidden", "positive unit"),
    "fraction-nan": (["train", "--test-fraction", "nan"], "--test-fraction", "fraction"),
    "checkpoint-every-zero": (["train", "--checkpoint-every", "0"], "--checkpoint-every", "range"),
    "doctor-alpha-inf": (["doctor", "--alpha", "inf"], "--alpha", "not a finite"),
    "gradcheck-lam-nan": (["gradcheck", "--lam", "nan"], "--lam", "not a finite"),
    "gradcheck-examples-huge": (["gradcheck", "--examples", str(2**40)], "--examples", "range"),
}  # fmt: skip


@pytest.mark.parametrize("case", OPTIONS)
def test_nan_infinite_and_out_of_range_options_are_usage_errors(tmp_path, monkeypatch, case):
    arguments, option, problem = OPTIONS[case]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"Error: Invalid value for '{option}'"), last
    assert problem in last
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------- model files
def test_a_model_file_never_chooses_where_mlplab_writes(tmp_path):
    X, y = blobs(30, 2, 2)
    chosen = tmp_path / "mine"
    model = quiet_fit(
        MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, checkpoint_dir=str(chosen)), X, y
    )
    path = tmp_path / "model.safetensors"
    mlplab.save(model, path)
    arrays, metadata = fileformat.read(path, kind="model")
    estimator = metadata["estimator"]
    assert "checkpoint_dir" not in estimator["params"]
    assert "never chooses where mlplab writes" in estimator["dropped_params"]["checkpoint_dir"]
    # a file that names a folder anyway, behind a valid checksum
    elsewhere = tmp_path / "elsewhere"
    estimator["params"]["checkpoint_dir"] = str(elsewhere)
    fileformat.write(path, arrays, metadata, kind="model")
    loaded = mlplab.load(path)
    assert loaded.checkpoint_dir is None
    loaded.set_params(warm_start=True, max_iter=3)
    quiet_fit(loaded, X, y)
    assert not elsewhere.exists()
    assert sorted(os.listdir(tmp_path)) == ["mine", "model.safetensors"]


# ---------------------------------------------------------------------- labels at evaluate
@pytest.mark.parametrize(
    ("labels", "unknown"),
    [
        (("cats", "dogs"), "'cats', 'dogs'"),  # a cast to the classes' <U3 would cut them
        (("Cat", "dog"), "'Cat'"),
        (("cat", "bird"), "'bird'"),
        (("1", "2"), "1, 2"),  # read as numbers: never equal to a string class
    ],
    ids=["plural", "capital", "another-class", "numbers"],
)
def test_evaluate_refuses_labels_the_model_does_not_know(tmp_path, labels, unknown):
    X, y = blobs(40, 2, 2, seed=3)
    model = quiet_fit(
        MLPClassifier(hidden_layer_sizes=(3,), max_iter=3), X, np.array(["cat", "dog"])[y]
    )
    path = tmp_path / "model.safetensors"
    mlplab.save(model, path)
    data = tmp_path / "data.csv"
    rows = "".join(f"{a},{b},{labels[k]}\n" for (a, b), k in zip(X, y))
    data.write_text("x1,x2,species\n" + rows, encoding="utf-8")
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: the data has labels the model does not know: {unknown}; the model's "
        "classes are 'cat', 'dog'\n"
    )
    assert snapshot(tmp_path) == before


def test_evaluate_in_a_run_folder_matches_columns_by_name(tmp_path):
    """Columns in another order give the same score; a missing column is refused, named."""
    X, y = blobs(60, 2, 2, seed=5)
    X[:, 1] *= 10
    names = np.array(["cat", "dog"])[y]

    def write(path, header, columns):
        rows = "".join(",".join(map(str, (*r, label))) + "\n" for r, label in zip(columns, names))
        path.write_text(",".join(header) + "\n" + rows, encoding="utf-8")
        return path

    data = write(tmp_path / "d.csv", ["weight", "length", "species"], X)
    swapped = write(tmp_path / "s.csv", ["length", "weight", "species"], X[:, ::-1])
    renamed = write(tmp_path / "r.csv", ["weight", "size", "species"], X)
    run = tmp_path / "run"
    args = ["--hidden", "3", "--epochs", "30", "--no-early-stopping", "-q", "--out", run]
    assert CliRunner().invoke(cli, ["train", "--data", str(data), *map(str, args)]).exit_code == 0
    before = snapshot(tmp_path)
    model = str(run / "model.safetensors")
    outputs = [
        CliRunner().invoke(cli, ["evaluate", model, "--data", str(path)])
        for path in (data, swapped)
    ]
    assert [o.exit_code for o in outputs] == [0, 0]
    table = [o.stdout.split("\n", 1)[1] for o in outputs]  # all but the heading (file name)
    assert table[0] == table[1]
    refused = CliRunner().invoke(cli, ["evaluate", model, "--data", str(renamed)])
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: the model takes 2 features, but {os.fspath(renamed)!r} has 2: no column "
        "'length' (columns are matched by name; the data has 'weight', 'size'); evaluate it "
        "on the kind of data it was trained on\n"
    )
    assert snapshot(tmp_path) == before
