"""Ctrl-C and SIGTERM during ``mlplab train``: saved, the right exit code, nothing corrupt.

The first Ctrl-C (or SIGTERM) ends training after the current batch, saves the model of
the last full epoch and exits with 130 (143). A second Ctrl-C aborts at once, wherever it
lands (training, the model's write, the figures): every file that exists afterwards is
whole, the model file still loads, and no temporary file is left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

import mlplab
from mlplab.fileformat import read
from mlplab.runs import unfinished_folder
from mlplab.training.checkpoint import latest_checkpoints

from ._helpers import snapshot, start_mlplab

#: Training that runs until stopped, writing a checkpoint every epoch.
ENDLESS = [
    "train", "--data", "xor", "--hidden", "256,256", "--epochs", "100000", "--no-early-stopping",
    "--patience", "100000", "--checkpoint-every", "1",
]  # fmt: skip


def _wait_for_checkpoints(process, out: Path, count: int = 1, timeout: float = 60) -> None:
    """Wait until the run being written (the unfinished run beside ``out``) has checkpoints."""
    deadline = time.monotonic() + timeout
    checkpoints = unfinished_folder(out) / "checkpoints"
    while len(list(checkpoints.glob("checkpoint-*.safetensors"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "training did not start"
        time.sleep(0.01)


def _assert_whole(out: Path, *, model: bool = True) -> None:
    """Every file of the run folder is whole: model, newest checkpoint, config; no temporary."""
    temporaries = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert temporaries == []
    if model or (out / "model.safetensors").exists():
        assert mlplab.load(out / "model.safetensors").n_iter_ >= 1
    newest = latest_checkpoints(out / "checkpoints")[0][1]
    read(newest, kind="checkpoint")
    assert json.loads((out / "config.json").read_text(encoding="utf-8"))["format"] == "mlplab-run"


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """Two runs, one stopped by SIGINT and one by SIGTERM: signal → (folder, code, stderr)."""
    folder = tmp_path_factory.mktemp("signals")
    runs = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        out = folder / signal.Signals(signum).name
        runs[signum] = (out, start_mlplab(*ENDLESS, "--out", out))
    results = {}
    try:
        for signum, (out, process) in runs.items():
            _wait_for_checkpoints(process, out, count=3)
            process.send_signal(signum)
        for signum, (out, process) in runs.items():
            _, stderr = process.communicate(timeout=120)
            results[signum] = (out, process.returncode, stderr)
    finally:
        for _, process in runs.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return results


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_saves_the_last_full_epoch_and_exits_with_its_code(interrupted, signum, code):
    out, returncode, stderr = interrupted[signum]
    name = signal.Signals(signum).name
    assert returncode == code, stderr
    assert "Traceback" not in stderr
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["status"] == "interrupted"
    assert config["training"]["interrupted"] == name
    epochs = config["training"]["epochs_run"]
    assert stderr.splitlines()[1:] == [
        f"interrupted ({name}): saving the model of epoch {epochs} to {out}"
    ]
    assert mlplab.load(out / "model.safetensors").n_iter_ == epochs
    assert latest_checkpoints(out / "checkpoints")[0][0] >= epochs
    assert (out / "history.csv").read_text(encoding="utf-8").count("\n") == epochs + 1
    _assert_whole(out)


def _model_write_started(out: Path) -> bool:
    return any(name.startswith(".model.safetensors.") for name in os.listdir(out))


@pytest.mark.parametrize(
    ("start", "moment"),
    [
        ("resumed", "during-model-write"),
        ("resumed", "after-model-write"),
        ("fresh", "during-model-write"),
    ],
)
def test_a_second_ctrl_c_while_saving_corrupts_nothing(interrupted, tmp_path, start, moment):
    """Ctrl-C, then Ctrl-C again while the model is written or just after.

    "resumed" continues the SIGINT run, whose run folder exists already; "fresh" is a new
    run. The second Ctrl-C stops at once: the new run is not put in place, so the run
    folder is byte for byte what it was (or still absent), and the unfinished run beside
    it is whole (its model file, if written, loads; its newest checkpoint loads; no
    temporary), ready for ``--resume``.
    """
    out = tmp_path / "run"
    unfinished = unfinished_folder(out)
    if start == "resumed":
        shutil.copytree(interrupted[signal.SIGINT][0], out)
        old_newest = latest_checkpoints(out / "checkpoints")[0][0]
        process = start_mlplab(*ENDLESS, "--resume", "--out", out)
    else:
        old_newest = 0
        process = start_mlplab(*ENDLESS, "--out", out)
    before = snapshot(out) if out.exists() else None
    try:
        _wait_for_checkpoints(process, out, count=1)
        deadline = time.monotonic() + 60
        while latest_checkpoints(unfinished / "checkpoints")[0][0] < old_newest + 2:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        model_file = unfinished / "model.safetensors"
        if moment == "during-model-write":  # as soon as its temporary file appears
            while not _model_write_started(unfinished) and not model_file.exists():
                assert time.monotonic() < deadline
        else:
            while not model_file.exists():
                assert time.monotonic() < deadline
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines[1].startswith("interrupted (SIGINT): saving the model of epoch")
    assert (
        f"the unfinished run's checkpoints are kept in {unfinished / 'checkpoints'}; "
        "continue it with the same options and --resume"
    ) in lines
    if before is None:
        assert not out.exists()
    else:
        assert snapshot(out) == before
    _assert_whole(unfinished, model=False)
