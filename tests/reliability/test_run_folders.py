"""Run folders: nothing in a completed run changes until a new run has completed.

Every failure (a bad parameter or data, a refused resume, memory over the estimate, a full
disk, a SIGKILL before fit or mid-epoch; a Ctrl-C during the write is in
``test_cli_signals.py``) and every refusal (a run or a
foreign folder in the way, an unfinished run, a second writer) is checked the same way:
the exit code, the one-line message, and a byte-for-byte snapshot of the folder that
holds the earlier run taken before and after (so no stray unfinished folder or lock is
left either). Failures are produced as they happen: ``RLIMIT_FSIZE`` for a full disk, an
``ENOSPC`` injected into ``fsync``, SIGKILL at named moments of a real process.
"""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import mlplab
from mlplab.cli import cli
from mlplab.runs import run_lock, unfinished_folder
from mlplab.training.checkpoint import latest_checkpoints

from ._helpers import CHILD_ENV, snapshot, start_mlplab

#: A run that takes a fraction of a second; checkpoints so that it can be resumed.
QUICK = ["train", "--data", "xor", "--hidden", "3", "--epochs", "3", "--no-early-stopping",
         "--checkpoint-every", "1", "-q"]  # fmt: skip
#: A run that goes on until killed, writing a checkpoint every epoch.
ENDLESS = ["train", "--data", "xor", "--hidden", "256,256", "--epochs", "100000",
           "--no-early-stopping", "--patience", "100000", "--checkpoint-every", "1"]  # fmt: skip


def invoke(*args):
    """``mlplab ARGS`` in this process; (exit code, stderr, exception if not SystemExit)."""
    result = CliRunner().invoke(cli, [os.fspath(a) for a in args])
    return result


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    """A completed run (with checkpoints), to be copied into each test's folder."""
    out = tmp_path_factory.mktemp("earlier") / "run"
    result = invoke(*QUICK, "--out", out)
    assert result.exit_code == 0, result.output
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    return out


def _copy(earlier: Path, folder: Path) -> Path:
    run = folder / "run"
    shutil.copytree(earlier, run)
    return run


def _bad_csv(folder: Path) -> Path:
    path = folder / "bad.csv"
    path.write_text("a,b,label\n1,2,x\n3,4\n", encoding="utf-8")
    return path


def _enospc_in_fsync(monkeypatch) -> None:
    """Every fsync fails with "No space left on device", as on a full disk."""

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)


#: Failures inside a forced run: (arguments after QUICK, exit code, message pattern, setup).
FAILURES = {
    "bad-csv": (lambda tmp: ["--data", _bad_csv(tmp), "--force"], 1,
                r"error: .*bad\.csv, line 3, column 3 \('label'\): missing field.*", None),
    # 2-2e9-2e9-1: θ⁽¹⁾ 2e9×3, θ⁽²⁾ 2e9×(2e9+1), θ⁽³⁾ 1×(2e9+1): 8 bytes each, 29.6 EiB
    "memory-over-the-estimate": (lambda tmp: ["--hidden", "2000000000,2000000000", "--force"], 1,
                                 r"error: not enough memory for a network of "
                                 r"4,000,000,010,000,000,001 parameters \(2-2000000000-"
                                 r"2000000000-1, float64\): it needs 27\.8 EiB, but only "
                                 r"[\d.]+ [KMGT]iB is available", None),
    "resume-with-other-options": (lambda tmp: ["--hidden", "4", "--resume"], 1,
                                  r"error: .*layer_sizes.*", None),
    "resume-on-other-data": (lambda tmp: ["--seed", "1", "--resume"], 1,
                             r"error: .*(data|seed).*", None),
    "disk-full-injected": (lambda tmp: ["--force"], 1,
                           r"error: No space left on device: '.*config\.json'",
                           _enospc_in_fsync),
}  # fmt: skip


@pytest.mark.parametrize("case", FAILURES)
def test_a_failed_run_leaves_the_earlier_run_byte_for_byte(earlier, tmp_path, monkeypatch, case):
    make_args, code, pattern, setup = FAILURES[case]
    run = _copy(earlier, tmp_path)
    args = make_args(tmp_path)
    before = snapshot(tmp_path)
    if setup is not None:
        setup(monkeypatch)
    result = invoke(*QUICK, *args, "--out", run)
    monkeypatch.undo()
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(pattern, lines[0]), lines[0]
    assert snapshot(tmp_path) == before  # nothing new, nothing changed, nothing left behind
    assert sorted(os.listdir(tmp_path)) == sorted(["run", *(["bad.csv"] if "csv" in case else [])])


def _user_folder(tmp_path, earlier) -> list:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious", encoding="utf-8")
    return []


def _unfinished_in_the_way(tmp_path, earlier) -> list:
    _copy(earlier, tmp_path)
    way = tmp_path / "run.unfinished"
    way.mkdir()
    (way / "thesis.tex").write_text("precious", encoding="utf-8")
    return ["--force"]


def _unfinished_run(tmp_path, earlier) -> list:
    _copy(earlier, tmp_path)
    unfinished = tmp_path / "run.unfinished"
    shutil.copytree(earlier / "checkpoints", unfinished / "checkpoints")
    shutil.copy(earlier / "config.json", unfinished / "config.json")
    return []


#: Refusals: setup(tmp_path, earlier) -> extra arguments; exit code; message pattern.
REFUSALS = {
    "a-run-without-force": (lambda tmp, e: (_copy(e, tmp), [])[1], 1,
                            r"error: run folder '.*run' holds a run already; add --force to "
                            r"replace it, or choose another --out"),
    "a-folder-that-is-not-a-run": (_user_folder, 1,
                                   r"error: run folder '.*run' is a non-empty folder that is "
                                   r"not an mlplab run; choose another folder or add --force"),
    "a-file": (lambda tmp, e: ((tmp / "run").write_text("x"), [])[1], 1,
               r"error: run folder '.*run' is a file; give a folder for the run"),
    "something-else-where-the-unfinished-run-goes": (_unfinished_in_the_way, 1,
                                                     r"error: '.*run\.unfinished' is in the way: "
                                                     r".*; move it away"),
    "an-unfinished-run": (_unfinished_run, 1,
                          r"error: '.*run\.unfinished' holds an unfinished run \(checkpoints up "
                          r"to epoch 3\); continue it with --resume, or add --force to discard "
                          r"it"),
    "nothing-to-resume": (lambda tmp, e: ["--resume"], 1,
                          r"error: nothing to resume: neither '.*run\.unfinished/checkpoints' "
                          r"nor '.*run/checkpoints' holds a checkpoint; train with "
                          r"--checkpoint-every N first"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_run_changes_nothing(earlier, tmp_path, case):
    setup, code, pattern = REFUSALS[case]
    args = setup(tmp_path, earlier)
    before = snapshot(tmp_path)
    names = sorted(os.listdir(tmp_path))
    result = invoke(*QUICK, *args, "--out", tmp_path / "run")
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(pattern, lines[0]), lines[0]
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == names  # no lock file, no unfinished folder left


@pytest.mark.parametrize(
    "change", [["--hidden", "4"], ["--seed", "1"], ["--data", "circles"]], ids=str
)
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_refused_resume_names_the_users_own_checkpoint(earlier, tmp_path, change, force):
    """Never a link in the unfinished run beside it, which is gone once the run is refused."""
    run = _copy(earlier, tmp_path)
    before = snapshot(tmp_path)
    result = invoke(*QUICK, *change, "--resume", *(["--force"] if force else []), "--out", run)
    assert result.exit_code == 1, result.output
    named = re.search(r"cannot resume from (\S+\.safetensors)", result.stderr)
    assert named, result.stderr
    assert Path(named.group(1)) == run.resolve() / "checkpoints" / "checkpoint-000003.safetensors"
    assert Path(named.group(1)).is_file()
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["run"]


@pytest.mark.parametrize("command", ["train", "doctor", "gradcheck", "report"])
def test_a_second_writer_is_refused_naming_the_first(earlier, tmp_path, command):
    run = _copy(earlier, tmp_path)
    arguments = {
        "train": [*QUICK, "--force", "--out", run],
        "doctor": ["doctor", "--data", "xor", "--hidden", "3", "--quick", "--out", run],
        "gradcheck": ["gradcheck", "--out", run],
        "report": ["report", run],
    }[command]
    before = snapshot(tmp_path)
    with run_lock(run, command="mlplab train --out run"):
        result = invoke(*arguments)
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines()[-1] == (
            f"error: run folder {os.fspath(run)!r} is being written by another mlplab process "
            f"(pid {os.getpid()}, since {_since(run)}: mlplab train --out run); wait for it "
            "to end, or choose another --out"
        )
        lock = tmp_path / ".run.lock"
        assert lock.is_file()
    assert not lock.exists()  # released and removed
    assert snapshot(tmp_path) == before


def _since(run: Path) -> str:
    """The time the lock file of ``run`` records (hh:mm:ss)."""
    holder = json.loads((run.parent / f".{run.name}.lock").read_text(encoding="utf-8"))
    return holder["since"].split(" ")[-1]


def test_two_real_processes_never_write_one_folder(tmp_path):
    """Two runs started together into one folder: one writes, the other is refused."""
    out = tmp_path / "run"
    first = start_mlplab(*QUICK, "--out", out)
    second = start_mlplab(*QUICK, "--out", out)
    results = [
        (*process.communicate(timeout=120), process.returncode) for process in (first, second)
    ]
    codes = sorted(code for _, _, code in results)
    assert codes == [0, 1], results
    refused = next(stderr for _, stderr, code in results if code == 1)
    assert re.fullmatch(
        # the holder may be refused before it has written who it is into the lock file
        r"error: run folder '.*run' is being written by another mlplab process "
        r"\((pid \d+, since .*|which has not said who it is yet)\); wait for it to end, or "
        r"choose another --out\n"
        r"|error: run folder '.*run' holds a run already; add --force to replace it, or "
        r"choose another --out\n",
        refused,
    ), refused
    assert mlplab.load(out / "model.safetensors").n_iter_ == 3
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_force_replaces_a_run_and_keeps_the_users_own_files(earlier, tmp_path):
    run = _copy(earlier, tmp_path)
    (run / "figures").mkdir()
    (run / "figures" / "mine.png").write_bytes(b"mine")
    result = invoke(*QUICK, "--epochs", "5", "--force", "--out", run)
    assert result.exit_code == 0, result.output
    assert mlplab.load(run / "model.safetensors").n_iter_ == 5
    assert (run / "notes.txt").read_text(encoding="utf-8") == "the user's own file"
    assert (run / "figures" / "mine.png").read_bytes() == b"mine"
    assert latest_checkpoints(run / "checkpoints")[0][0] == 5
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_the_default_folder_moves_on_to_the_next_free_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quick = [word for word in QUICK if word != "-q"]
    outputs = []
    for _ in range(3):
        result = invoke(*quick)
        assert result.exit_code == 0, result.output
        outputs.append(result)
    assert sorted(os.listdir(tmp_path)) == ["mlplab-run", "mlplab-run-2", "mlplab-run-3"]
    assert "note: mlplab-run holds an earlier run; this run goes to mlplab-run-2" in (
        outputs[1].stderr
    )
    assert "run folder: mlplab-run-3 (report: mlplab-run-3/report.html)" in outputs[2].stdout
    assert "(mlplab-run holds an earlier run and was left as it was)" in outputs[2].stdout
    first = json.loads((tmp_path / "mlplab-run" / "config.json").read_text(encoding="utf-8"))
    assert first["run_dir"] == "mlplab-run"


# ---------------------------------------------------------------------- real processes
def _limit_file_size(size: int):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_a_full_disk_leaves_the_earlier_run_byte_for_byte(earlier, tmp_path):
    """RLIMIT_FSIZE: the first file over 16 KiB (a checkpoint, the model) cannot be written."""
    run = _copy(earlier, tmp_path)
    before = snapshot(tmp_path)
    process = subprocess.run(
        [sys.executable, "-m", "mlplab", *QUICK, "--data", "digits", "--hidden", "16",
         "--force", "--out", os.fspath(run)],
        capture_output=True, text=True, env=CHILD_ENV, timeout=120,
        preexec_fn=_limit_file_size(16384), check=False,
    )  # fmt: skip
    assert process.returncode == 1, process.stderr
    assert re.fullmatch(
        r"error: File too large: '.*run\.unfinished/(checkpoints/checkpoint-000001|model)"
        r"\.safetensors'\n",  # the file's own name, not its hidden temporary's
        process.stderr,
    ), process.stderr
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["run"]


def _wait(process, condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def _has_checkpoints(folder: Path, count: int):
    return lambda: len(list((folder / "checkpoints").glob("checkpoint-*.safetensors"))) >= count


#: Named moments of a run: what to wait for in the unfinished folder before the SIGKILL.
MOMENTS = {
    "before-fit": lambda unfinished: lambda: (unfinished / "config.json").exists(),
    "mid-epoch": lambda unfinished: _has_checkpoints(unfinished, 2),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_sigkill_at_a_named_moment_leaves_the_earlier_run_and_resumes(earlier, tmp_path, moment):
    run = _copy(earlier, tmp_path)
    unfinished = unfinished_folder(run)
    before = snapshot(run)
    process = start_mlplab(*ENDLESS, "--force", "--out", run)
    try:
        _wait(process, MOMENTS[moment](unfinished), moment)
        process.kill()
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert snapshot(run) == before
    if moment == "before-fit":
        return
    newest = latest_checkpoints(unfinished / "checkpoints")[0][0]
    resumed = subprocess.run(
        [sys.executable, "-m", "mlplab", *ENDLESS[:5], "--epochs", str(newest + 1),
         *ENDLESS[7:], "--resume", "-q", "--out", os.fspath(run)],
        capture_output=True, text=True, env=CHILD_ENV, timeout=120, check=False,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert mlplab.load(run / "model.safetensors").n_iter_ == newest + 1
    assert (run / "notes.txt").read_text(encoding="utf-8") == "the user's own file"
    assert not unfinished.exists()
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["training"]["resumed"] is True


def test_force_into_a_folder_that_is_not_a_run_moves_only_the_runs_files(tmp_path):
    """The user's folder (their home, the working folder) is never swapped or deleted."""
    folder = tmp_path / "mine"
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "thesis.tex").write_text("precious", encoding="utf-8")
    (folder / "checkpoints" / "notes.txt").write_text("mine too", encoding="utf-8")
    inode = os.stat(folder).st_ino
    result = invoke(*QUICK, "--force", "--out", folder)
    assert result.exit_code == 0, result.output
    assert os.stat(folder).st_ino == inode  # the same folder, not a replacement
    assert (folder / "thesis.tex").read_text(encoding="utf-8") == "precious"
    assert (folder / "checkpoints" / "notes.txt").read_text(encoding="utf-8") == "mine too"
    assert mlplab.load(folder / "model.safetensors").n_iter_ == 3
    assert latest_checkpoints(folder / "checkpoints")[0][0] == 3
    assert sorted(os.listdir(tmp_path)) == ["mine"]
