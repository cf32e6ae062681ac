"""Faults during training: SIGKILL mid-write, damaged checkpoints, refused resumes, Ctrl-C.

The promises are those of Keras' BackupAndRestore and Lightning's checkpointing: a
checkpoint is written atomically, so the newest complete one always loads whatever moment
the process dies at; resuming continues the run as if it had never stopped; a checkpoint
from another setup is refused, not silently used; Ctrl-C leaves a usable model.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import random
import signal
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import mlplab
from mlplab import MLPClassifier
from mlplab.fileformat import ModelFileError, pack, read
from mlplab.training import TrainingInterrupted
from mlplab.training.callbacks import Callback
from mlplab.training.checkpoint import (
    CheckpointWarning,
    data_fingerprint,
    latest_checkpoints,
    load_checkpoint,
)

from ._helpers import (
    DELETE,
    KERNELS,
    KERNELS_VARIABLE,
    KILL_RUN_EPOCHS,
    ODD_VALUES,
    blobs,
    json_paths,
    kill_child,
    kill_run_trainer,
    quiet_fit,
    replaced,
    snapshot,
)

N_KILLS = 20


def _history_equal(first, second) -> bool:
    """Same columns and bit-identical values, wall time excepted."""
    if first.columns != second.columns or first.n_epochs != second.n_epochs:
        return False
    return all(
        np.array_equal(first[name], second[name], equal_nan=True)
        for name in first.columns
        if name != "seconds"
    )


def _newest_loads_without_fallback(directory: Path) -> int:
    """Resume a fresh trainer from the folder; the newest checkpoint must be the one used."""
    trainer, X, Y = kill_run_trainer(directory, every=10**9)
    trainer.data_fingerprint = data_fingerprint(X, Y)
    newest_epoch, newest = latest_checkpoints(directory)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback would warn: fail instead
        used = load_checkpoint(trainer, directory)
    assert used == os.fspath(newest)
    assert trainer.epoch == newest_epoch
    assert np.isfinite(trainer.net.theta).all()
    return newest_epoch


@pytest.fixture(scope="module")
def numpy_kernels():
    """The killed run's kernel backend in this process too (bits compare only within one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KERNELS_VARIABLE, KERNELS)
        yield


@pytest.fixture(scope="module")
def uninterrupted_kill_run(numpy_kernels):
    """The run of the SIGKILL test trained from start to end in this process."""
    trainer, X, Y = kill_run_trainer(None)
    trainer.fit(X, Y)
    assert trainer.epoch == KILL_RUN_EPOCHS
    return trainer


@pytest.fixture(scope="module")
def forkserver():
    """A multiprocessing context whose children fork from a server with mlplab imported.

    A child then starts in milliseconds instead of paying Python's and numpy's start-up
    each time, which is what makes twenty kills affordable.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["numpy", "mlplab.training", "mlplab.training.checkpoint"])
    return context


# ---------------------------------------------------------------------- SIGKILL
def test_sigkill_at_random_moments_never_leaves_an_unloadable_checkpoint(
    tmp_path, forkserver, numpy_kernels, uninterrupted_kill_run
):
    """20 SIGKILLs at random moments of processes that write a checkpoint every epoch.

    Each child resumes where the last one was killed. After every kill the newest
    checkpoint loads (no fallback needed) and no checkpointed progress is lost; the run
    resumed after the last kill ends with the very bits of the uninterrupted run.
    """
    directory = tmp_path / "checkpoints"
    directory.mkdir()
    chooser = random.Random(20240611)  # seeded: the same kill moments on every run
    newest_epochs = [0]
    kills_inside_a_write = 0
    for _ in range(N_KILLS):
        ready = forkserver.Event()
        child = forkserver.Process(target=kill_child, args=(os.fspath(directory), ready))
        child.start()
        try:
            assert ready.wait(timeout=60), "the child trained no epoch"
            time.sleep(chooser.uniform(0.0, 0.06))
            assert child.exitcode is None, "the run ended before it was killed"
            os.kill(child.pid, signal.SIGKILL)
            child.join(timeout=30)
        finally:
            if child.exitcode is None:
                child.kill()
                child.join()
        assert child.exitcode == -signal.SIGKILL
        kills_inside_a_write += any(p.name.endswith(".tmp") for p in directory.iterdir())
        newest_epochs.append(_newest_loads_without_fallback(directory))
        assert newest_epochs[-1] >= newest_epochs[-2], "checkpointed progress was lost"
        for path in directory.iterdir():  # only whole checkpoints and hidden temporaries
            assert path.name.endswith(".tmp") or read(path, kind="checkpoint")

    # Evidence that kills landed inside writes (each leaves its temporary behind).
    assert kills_inside_a_write >= 1
    assert newest_epochs[-1] < KILL_RUN_EPOCHS

    # The resumed run: no checkpoint writes (every is huge), but the same callbacks.
    trainer, X, Y = kill_run_trainer(directory, every=10**9)
    trainer.fit(X, Y, resume_from=directory)
    assert trainer.epoch == KILL_RUN_EPOCHS
    assert np.array_equal(trainer.net.theta, uninterrupted_kill_run.net.theta)
    assert _history_equal(trainer.history, uninterrupted_kill_run.history)
    # Starting to checkpoint into the folder removed what the killed writers left.
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------------- damaged checkpoints
@pytest.fixture
def five_epochs(tmp_path):
    """A checkpoint folder after 5 epochs of the run (checkpoints of epochs 4 and 5)."""
    directory = tmp_path / "checkpoints"
    trainer, X, Y = kill_run_trainer(directory)
    trainer.fit(X, Y, epochs=5)
    assert [epoch for epoch, _ in latest_checkpoints(directory)] == [5, 4]
    return directory


def _damage_by_flipping_a_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-9] ^= 0x10  # in the tensor data: only the checksum can tell
    path.write_bytes(bytes(data))


def _damage_with_a_valid_checksum(path: Path) -> None:
    """Adam's first moment cut to 3 values, re-packed: the checksum is right, the state not."""
    arrays, metadata = read(path, kind="checkpoint")
    arrays["optimizer.first_moment"] = arrays["optimizer.first_moment"][:3]
    path.write_bytes(pack(arrays, metadata, kind="checkpoint"))


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_damage_by_flipping_a_bit, "checksum mismatch"),
        (_damage_with_a_valid_checksum, r"malformed checkpoint: optimizer.first_moment has shape"),
    ],
    ids=["bit-flip", "valid-checksum-bad-state"],
)
def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one(five_epochs, damage, problem):
    newest = Path(latest_checkpoints(five_epochs)[0][1])
    damage(newest)
    before = snapshot(five_epochs)
    trainer, X, Y = kill_run_trainer(five_epochs, every=10**9)
    with pytest.warns(
        CheckpointWarning,
        match=rf"skipped a damaged checkpoint \(.*checkpoint-000005.safetensors: {problem}.*"
        r"\); resuming from .*checkpoint-000004.safetensors",
    ):
        trainer.fit(X, Y, resume_from=five_epochs, epochs=1)
    assert trainer.epoch == 5  # epoch 4 from the checkpoint, then one more
    assert np.isfinite(trainer.net.theta).all()
    assert snapshot(five_epochs) == before  # the damaged file is kept for inspection


def test_resuming_from_a_damaged_file_named_directly_changes_nothing(five_epochs):
    newest = Path(latest_checkpoints(five_epochs)[0][1])
    _damage_with_a_valid_checksum(newest)
    trainer, X, Y = kill_run_trainer(five_epochs, every=10**9)
    theta = trainer.net.theta.copy()
    rng_state = trainer.rng.bit_generator.state
    with pytest.raises(
        ModelFileError,
        match=r"checkpoint-000005.safetensors: malformed checkpoint: optimizer.first_moment "
        r"has shape \(3,\)",
    ):
        trainer.fit(X, Y, resume_from=newest)
    assert np.array_equal(trainer.net.theta, theta)
    assert trainer.rng.bit_generator.state == rng_state
    assert (trainer.epoch, trainer.optimizer, trainer.history.n_epochs) == (0, None, 0)


def test_a_failed_checkpoint_write_keeps_the_older_checkpoints(five_epochs, monkeypatch):
    before = snapshot(five_epochs)
    trainer, X, Y = kill_run_trainer(five_epochs)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        trainer.fit(X, Y, resume_from=five_epochs, epochs=1)
    monkeypatch.undo()
    assert snapshot(five_epochs) == before  # no temporary, nothing replaced or pruned
    _newest_loads_without_fallback(five_epochs)


# ---------------------------------------------------------------------- refused resumes
def test_resuming_with_another_configuration_is_refused_listing_every_difference(five_epochs):
    from mlplab.training import TrainingConfig

    before = snapshot(five_epochs)
    trainer, X, Y = kill_run_trainer(five_epochs)
    trainer.config = TrainingConfig(
        **{**trainer.config.as_dict(), "learning_rate_init": 0.02, "batch_size": 8}
    )
    theta = trainer.net.theta.copy()
    with pytest.raises(ValueError, match="it was made with a different setup") as caught:
        trainer.fit(X, Y, resume_from=five_epochs)
    assert not isinstance(caught.value, ModelFileError)
    message = str(caught.value)
    assert "learning_rate_init: checkpoint 0.01, now 0.02" in message
    assert "batch_size: checkpoint 16, now 8" in message
    assert np.array_equal(trainer.net.theta, theta)
    assert trainer.epoch == 0
    assert snapshot(five_epochs) == before


def test_resuming_on_other_data_is_refused(five_epochs):
    before = snapshot(five_epochs)
    trainer, X, Y = kill_run_trainer(five_epochs)
    changed = X.copy()
    changed[3, 1] = np.nextafter(changed[3, 1], np.inf)  # one ulp in one cell
    with pytest.raises(
        ValueError, match=r"different setup:\n  data contents: checkpoint '[0-9a-f]"
    ):
        trainer.fit(changed, Y, resume_from=five_epochs)
    with pytest.raises(ValueError, match=r"n_samples: checkpoint 64, now 60"):
        trainer.fit(X[:60], Y[:60], resume_from=five_epochs)
    assert trainer.epoch == 0
    assert snapshot(five_epochs) == before


def test_an_estimator_resumed_with_other_parameters_is_refused(tmp_path):
    X, y = blobs(80, 4, 3, seed=1)
    params = {"hidden_layer_sizes": (6,), "max_iter": 4, "random_state": 0}
    quiet_fit(MLPClassifier(**params, checkpoint_dir=tmp_path), X, y)
    before = snapshot(tmp_path)
    other = MLPClassifier(**params, checkpoint_dir=tmp_path, alpha=0.01, learning_rate_init=0.002)
    with pytest.raises(ValueError, match="different setup") as caught:
        other.fit(X, y, resume_from=tmp_path)
    assert "alpha: checkpoint 0.0001, now 0.01" in str(caught.value)
    assert "learning_rate_init: checkpoint 0.001, now 0.002" in str(caught.value)
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------- Ctrl-C in the library
def _fitted_after_sigint(make_callback, **params):
    """Fit an MLPClassifier whose callback sends SIGINT to this process; return it."""
    X, y = blobs(300, 5, 3, seed=2)
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), random_state=0, callbacks=[make_callback()], **params
    )
    with pytest.warns(TrainingInterrupted, match=r"training interrupted \(signal 2\) during epoch"):
        clf.fit(X, y)
    return clf, X, y


class _Recorder(Callback):
    """θ after every epoch, and SIGINT sent after epoch ``at`` (now or from a timer)."""

    def __init__(self, at: int, delay: float | None = None) -> None:
        self.at, self.delay, self.thetas, self.timers = at, delay, {}, []

    def on_epoch_end(self, trainer, epoch, logs) -> bool:
        self.thetas[epoch] = trainer.net.theta.copy()
        if epoch == self.at:
            if self.delay is None:
                os.kill(os.getpid(), signal.SIGINT)
            else:  # from another thread, a moment later: inside an epoch
                timer = threading.Timer(self.delay, os.kill, (os.getpid(), signal.SIGINT))
                self.timers.append(timer)
                timer.start()
        return epoch >= 400  # a bound, should the signal never come


@pytest.mark.parametrize(
    ("delay", "params"),
    [(None, {"max_iter": 50}), (0.005, {"solver": "sgd", "batch_size": 1, "max_iter": 500})],
    ids=["between-epochs", "mid-epoch-from-a-timer"],
)
def test_sigint_during_fit_returns_a_usable_model_with_a_warning(tmp_path, delay, params):
    handler = signal.getsignal(signal.SIGINT)
    clf, X, y = _fitted_after_sigint(lambda: _Recorder(3, delay), **params)
    recorder = clf.callbacks_[0]
    for timer in recorder.timers:
        timer.join()
    assert signal.getsignal(signal.SIGINT) is handler  # Ctrl-C works as before afterwards
    assert clf.stop_reason_ == "interrupted"
    completed = clf.n_iter_
    assert 3 <= completed < 400
    assert clf.history_.n_epochs == len(clf.loss_curve_) == completed
    # the model is exactly that of the last full epoch, and it works
    assert np.array_equal(clf.network_.theta, recorder.thetas[completed])
    assert set(clf.predict(X)) <= set(y)
    assert np.allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    mlplab.save(clf, tmp_path / "model.safetensors")
    loaded = mlplab.load(tmp_path / "model.safetensors")
    assert np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_any_checkpoint_entry_of_any_type_is_refused_cleanly_or_resumes(tmp_path):
    """Every metadata entry of a checkpoint replaced by values of every JSON type, or deleted.

    Re-packed with a valid checksum each time. Resuming either works, or is refused with
    a ModelFileError (malformed) or the ValueError listing setup differences, and then the
    trainer is exactly as it was: nothing half-restored, no KeyError or TypeError.
    """
    directory = tmp_path / "checkpoints"
    trainer, X, Y = kill_run_trainer(directory)
    trainer.fit(X[:16], Y[:16], epochs=2)  # a small history: fewer entries to sweep
    arrays, metadata = read(latest_checkpoints(directory)[0][1], kind="checkpoint")
    crafted = tmp_path / "crafted.safetensors"
    outcomes = {"malformed": 0, "other setup": 0, "resumed": 0}
    paths = [p for p in json_paths(metadata) if not any(isinstance(k, int) and k for k in p)]
    for path in paths:
        for value in (*ODD_VALUES, DELETE):
            crafted.write_bytes(pack(arrays, replaced(metadata, path, value), kind="checkpoint"))
            fresh, _, _ = kill_run_trainer(tmp_path / "unused", every=10**9)
            theta, rng_state = fresh.net.theta.copy(), fresh.rng.bit_generator.state
            fresh.data_fingerprint = data_fingerprint(X[:16], Y[:16])
            try:
                load_checkpoint(fresh, crafted)
                outcome = "resumed"
            except ModelFileError:
                outcome = "malformed"
            except ValueError as error:
                different = "it was made with a different setup" in str(error)
                outcome = "other setup" if different else f"unexpected ValueError: {error}"
            assert outcome in outcomes, (path, value, outcome)
            outcomes[outcome] += 1
            if outcome == "resumed":
                continue
            assert np.array_equal(fresh.net.theta, theta), (path, value)
            assert fresh.rng.bit_generator.state == rng_state, (path, value)
            assert (fresh.epoch, fresh.optimizer, fresh.history.n_epochs) == (0, None, 0)
    assert min(outcomes.values()) > 0
