"""The real ``mlplab`` process: start-up time, exit codes, tracebacks and signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import mlplab
from mlplab import __version__
from mlplab.runs import unfinished_folder

from ._helpers import run_mlplab


def test_help_is_fast():
    """``mlplab --help`` imports no numpy, scikit-learn or matplotlib (about 0.05 s)."""
    run_mlplab("--help")  # warm the file cache
    started = time.perf_counter()
    result = run_mlplab("--help")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0
    for command in ("train", "evaluate", "predict", "gradcheck", "demo", "doctor", "export"):
        assert command in result.stdout
    assert elapsed < 1.0, f"mlplab --help took {elapsed:.2f} s"


def test_help_imports_nothing_heavy():
    code = (
        "import sys; from mlplab.cli import main\n"
        "try:\n    main(['train', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'sklearn', 'matplotlib', 'scipy') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "HEAVY []" in result.stdout


def test_version():
    result = run_mlplab("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_usage_error_exit_2():
    result = run_mlplab("train", "--hidden", "x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_data_error_one_line_and_debug_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,\n", encoding="utf-8")
    result = run_mlplab("train", "--data", bad, "--out", tmp_path / "run")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {bad}, line 2, column 2 ('b'): empty cell (missing value); fill it in or "
        "remove the row"
    ]
    debug = run_mlplab("--debug", "train", "--data", bad, "--out", tmp_path / "run")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr
    assert "CSVFormatError" in debug.stderr


def test_corrupt_model_file_exit_1(tmp_path):
    model = tmp_path / "model.safetensors"
    model.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")
    result = run_mlplab("evaluate", model, "--data", "xor")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert str(model) in result.stderr


@pytest.mark.parametrize(
    ("signum", "code", "data"), [(signal.SIGINT, 130, "digits"), (signal.SIGTERM, 143, "xor")]
)
def test_signal_stops_training_and_saves_a_usable_model(tmp_path, signum, code, data):
    """Ctrl-C (or SIGTERM) ends training after the batch; the last full epoch is saved."""
    out = tmp_path / "run"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mlplab", "train", "--data", data, "--epochs", "10000",
         "--no-early-stopping",
         "--patience", "10000", "--checkpoint-every", "1", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        # training has started once the first checkpoint exists
        checkpoints = unfinished_folder(out) / "checkpoints"  # where the run is written
        while not list(checkpoints.glob("checkpoint-*.safetensors")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "training did not start"
            time.sleep(0.05)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stderr
    name = "SIGINT" if signum == signal.SIGINT else "SIGTERM"
    assert f"interrupted ({name})" in stderr
    assert "Traceback" not in stderr
    config = json.loads((out / "config.json").read_text())
    assert config["status"] == "interrupted"
    assert config["training"]["stop_reason"] == "interrupted"
    assert config["training"]["interrupted"] == name
    epochs = config["training"]["epochs_run"]
    assert 1 <= epochs < 10000
    model = mlplab.load(out / "model.safetensors")
    assert model.n_iter_ == epochs
    assert (out / "report.html").is_file()
    assert (out / "history.csv").read_text().count("\n") == epochs + 1
