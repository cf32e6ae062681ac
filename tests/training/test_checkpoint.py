"""Checkpoints: a run killed with SIGKILL resumes bit for bit; bad resumes are refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from mlplab.fileformat import ModelFileError, read
from mlplab.network import Network
from mlplab.training import Trainer, TrainingConfig
from mlplab.training.callbacks import Callback
from mlplab.training.checkpoint import Checkpoint, CheckpointWarning, latest_checkpoints

from ._problems import (
    RESUME_BEST,
    RESUME_LAST,
    assert_same_history,
    resumable_run,
    synthetic_classes,
)

HERE = Path(__file__).resolve().parent

CHILD = """
import sys
sys.path.insert(0, {here!r})
from threadpoolctl import threadpool_limits
from _problems import resumable_run

with threadpool_limits(limits=1, user_api="blas"):
    trainer, X, Y, validation = resumable_run({directory!r}, pace=0.08)
    trainer.fit(X, Y, validation_data=validation)
print("finished", flush=True)
"""


@pytest.fixture(scope="module")
def uninterrupted():
    """The reference: the resumable run, trained from start to end in this process."""
    trainer, X, Y, validation = resumable_run(None)
    trainer.fit(X, Y, validation_data=validation)
    assert trainer.stop_reason == "no_improvement"
    assert trainer.epoch == RESUME_LAST
    assert trainer.callbacks[1].best_epoch == RESUME_BEST
    return trainer


def _newest_epoch(directory: Path) -> int:
    found = latest_checkpoints(directory) if directory.is_dir() else []
    return found[0][0] if found else 0


def _train_epochs(directory, epochs: int, **changes):
    trainer, X, Y, validation = resumable_run(directory, **changes)
    trainer.fit(X, Y, validation_data=validation, epochs=epochs)
    return trainer


def _resume(directory, **changes):
    trainer, X, Y, validation = resumable_run(directory, **changes)
    trainer.fit(X, Y, validation_data=validation, resume_from=directory)
    return trainer


@pytest.mark.slow
def test_resume_after_sigkill_reproduces_the_uninterrupted_run(tmp_path, uninterrupted):
    directory = tmp_path / "checkpoints"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(here=str(HERE), directory=str(directory)), encoding="utf-8")
    stderr = tmp_path / "stderr.txt"
    with open(stderr, "wb") as errors:
        child = subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.DEVNULL, stderr=errors
        )
        try:
            deadline = time.monotonic() + 60
            while _newest_epoch(directory) < RESUME_BEST + 2:
                assert child.poll() is None, stderr.read_text()
                assert time.monotonic() < deadline, "no checkpoints after 60 s"
                time.sleep(0.01)
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    killed_at = _newest_epoch(directory)
    # killed in the middle of the run, after the best epoch: the resumed run must know
    # the early-stopping state to stop where the uninterrupted one did
    assert RESUME_BEST < killed_at < RESUME_LAST

    trainer = _resume(directory)

    assert trainer.epoch == RESUME_LAST
    assert np.array_equal(trainer.net.theta, uninterrupted.net.theta)
    assert_same_history(trainer.history, uninterrupted.history)
    assert trainer.stop_reason == uninterrupted.stop_reason
    # keep=2: only the two newest checkpoints remain
    assert [epoch for epoch, _ in latest_checkpoints(directory)] == [RESUME_LAST, RESUME_LAST - 1]


def test_resume_in_process_after_some_epochs_is_exact(tmp_path, uninterrupted):
    _train_epochs(tmp_path, 5)
    trainer = _resume(tmp_path)
    assert np.array_equal(trainer.net.theta, uninterrupted.net.theta)
    assert_same_history(trainer.history, uninterrupted.history)


def test_a_checkpoint_holds_the_state_after_every_other_callback(tmp_path):
    # Checkpoint is listed first, yet runs last: it sees the counter of this epoch.
    class Counter(Callback):
        def __init__(self):
            self.count = 0

        def on_epoch_end(self, trainer, epoch, logs):
            self.count += 1

        def state_dict(self):
            return {}, {"count": self.count}

    X, Y, _, _ = synthetic_classes()
    checkpoint, counter = Checkpoint(tmp_path), Counter()
    trainer = Trainer(
        Network([6, 4, 3], "relu", "softmax", random_state=0),
        TrainingConfig(max_iter=2),
        callbacks=[checkpoint, counter],
    )
    assert trainer.callbacks == [counter, checkpoint]
    trainer.fit(X, Y)
    _, metadata = read(latest_checkpoints(tmp_path)[0][1], kind="checkpoint")
    assert metadata["epoch"] == 2
    assert metadata["callbacks"][0] == {"type": "Counter", "scalars": {"count": 2}}


def test_the_random_generator_is_restored_whatever_its_seed_and_kind(tmp_path):
    X, Y, _, _ = synthetic_classes()

    def make(seed):
        net = Network([6, 5, 3], "relu", "softmax", random_state=0)
        config = TrainingConfig(solver="sgd", batch_size=20, max_iter=6)
        generator = np.random.Generator(np.random.MT19937(seed))
        return Trainer(net, config, callbacks=[Checkpoint(tmp_path)], random_state=generator)

    whole = make(5)
    whole.fit(X, Y, epochs=6)
    first = make(5)
    first.fit(X, Y, epochs=3)
    resumed = make(123)  # another seed: only the checkpoint's state can give the same order
    resumed.fit(X, Y, resume_from=tmp_path)
    assert np.array_equal(resumed.net.theta, whole.net.theta)
    assert_same_history(resumed.history, whole.history)

    pcg = Trainer(
        Network([6, 5, 3], "relu", "softmax", random_state=0),
        TrainingConfig(solver="sgd", batch_size=20, max_iter=6),
        random_state=5,
    )
    with pytest.raises(ValueError, match="random generator: checkpoint 'MT19937', now 'PCG64'"):
        pcg.fit(X, Y, resume_from=tmp_path)


def test_max_iter_may_change_on_resume(tmp_path, uninterrupted):
    _train_epochs(tmp_path, 4, max_iter=10)
    trainer = _resume(tmp_path)  # max_iter back to RESUME_EPOCHS
    assert np.array_equal(trainer.net.theta, uninterrupted.net.theta)


def test_resuming_with_another_config_lists_every_difference(tmp_path):
    _train_epochs(tmp_path, 2)
    trainer, X, Y, validation = resumable_run(tmp_path, learning_rate_init=0.05, batch_size=16)
    theta = trainer.net.theta.copy()
    with pytest.raises(ValueError, match="different setup") as caught:
        trainer.fit(X, Y, validation_data=validation, resume_from=tmp_path)
    message = str(caught.value)
    assert "learning_rate_init: checkpoint 0.1, now 0.05" in message
    assert "batch_size: checkpoint 32, now 16" in message
    assert "max_iter" not in message
    assert np.array_equal(trainer.net.theta, theta)  # nothing changed
    assert trainer.history.n_epochs == 0


def test_resuming_on_other_data_is_refused(tmp_path):
    _train_epochs(tmp_path, 2)
    trainer, X, Y, validation = resumable_run(tmp_path)
    changed = X.copy()
    changed[5, 2] += 1e-9
    with pytest.raises(ValueError, match=r"data contents: checkpoint '[0-9a-f]{64}', now"):
        trainer.fit(changed, Y, validation_data=validation, resume_from=tmp_path)
    with pytest.raises(ValueError, match="n_samples: checkpoint 240, now 200"):
        trainer.fit(X[:200], Y[:200], validation_data=validation, resume_from=tmp_path)
    X_val, Y_val = validation
    with pytest.raises(ValueError, match="validation data: checkpoint 80 examples"):
        trainer.fit(X, Y, validation_data=(X_val[:-1], Y_val[:-1]), resume_from=tmp_path)
    with pytest.raises(ValueError, match=r"validation data: checkpoint 80 examples.*now none"):
        trainer.fit(X, Y, resume_from=tmp_path)


def test_resuming_with_another_architecture_is_refused(tmp_path):
    _train_epochs(tmp_path, 2)
    X, Y, X_val, Y_val = synthetic_classes()
    trainer = Trainer(
        Network([6, 7, 3], "relu", "softmax", random_state=3),
        TrainingConfig(solver="adam", learning_rate_init=0.02, batch_size=32, alpha=1e-3),
    )
    with pytest.raises(ValueError, match=r"layer_sizes: checkpoint \[6, 12, 3\], now \[6, 7, 3\]"):
        trainer.fit(X, Y, validation_data=(X_val, Y_val), resume_from=tmp_path)


def test_a_damaged_newest_checkpoint_falls_back_to_the_one_before(tmp_path, uninterrupted):
    _train_epochs(tmp_path, 5)
    (newest_epoch, newest), (previous_epoch, _) = latest_checkpoints(tmp_path)
    assert (newest_epoch, previous_epoch) == (5, 4)
    data = bytearray(Path(newest).read_bytes())
    data[-100] ^= 0x01  # one flipped bit in θ or the optimizer state
    Path(newest).write_bytes(bytes(data))

    trainer, X, Y, validation = resumable_run(tmp_path)
    with pytest.warns(
        CheckpointWarning, match=r"checksum mismatch.*resuming from .*checkpoint-000004"
    ) as caught:
        trainer.fit(X, Y, validation_data=validation, resume_from=tmp_path)
    assert caught[0].filename == __file__
    assert np.array_equal(trainer.net.theta, uninterrupted.net.theta)
    assert_same_history(trainer.history, uninterrupted.history)


def test_no_usable_checkpoint_is_an_error(tmp_path):
    _train_epochs(tmp_path, 2)
    for _, path in latest_checkpoints(tmp_path):
        Path(path).write_bytes(b"\x00" * 40)
    trainer, X, Y, validation = resumable_run(tmp_path)
    with pytest.raises(ModelFileError, match="no usable checkpoint"):
        trainer.fit(X, Y, validation_data=validation, resume_from=tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelFileError, match="no checkpoint-"):
        trainer.fit(X, Y, validation_data=validation, resume_from=empty)


def test_a_checkpoint_file_can_be_named_directly(tmp_path, uninterrupted):
    _train_epochs(tmp_path, 6)
    older = dict(latest_checkpoints(tmp_path))[5]
    trainer, X, Y, validation = resumable_run(tmp_path / "next")
    trainer.fit(X, Y, validation_data=validation, resume_from=older)
    assert np.array_equal(trainer.net.theta, uninterrupted.net.theta)


@pytest.mark.parametrize("solver", ["lbfgs", "cg"])
def test_scipy_solvers_refuse_checkpoints(tmp_path, solver):
    X, Y, _, _ = synthetic_classes()
    net = Network([6, 4, 3], "relu", "softmax", random_state=0)
    theta = net.theta.copy()
    trainer = Trainer(
        net, TrainingConfig(solver=solver, max_iter=5), callbacks=[Checkpoint(tmp_path)]
    )
    with pytest.raises(ValueError, match=f"solver='{solver}' cannot be checkpointed or resumed"):
        trainer.fit(X, Y)
    assert np.array_equal(net.theta, theta)
    assert not os.listdir(tmp_path)

    _train_epochs(tmp_path / "adam", 2)
    plain = Trainer(net, TrainingConfig(solver=solver, max_iter=5))
    with pytest.raises(ValueError, match="cannot be checkpointed or resumed"):
        plain.fit(X, Y, resume_from=tmp_path / "adam")


def test_checkpoint_settings_are_validated(tmp_path):
    with pytest.raises(ValueError, match="every must be an integer >= 1, got 0"):
        Checkpoint(tmp_path, every=0)
    with pytest.raises(ValueError, match="keep must be an integer >= 1, got 0"):
        Checkpoint(tmp_path, keep=0)


def test_every_and_keep(tmp_path):
    X, Y, _, _ = synthetic_classes()
    trainer = Trainer(
        Network([6, 4, 3], "relu", "softmax", random_state=0),
        TrainingConfig(max_iter=9),
        callbacks=[Checkpoint(tmp_path, every=2, keep=3)],
    )
    trainer.fit(X, Y)
    assert [epoch for epoch, _ in latest_checkpoints(tmp_path)] == [8, 6, 4]
    assert sorted(os.listdir(tmp_path)) == [
        f"checkpoint-{epoch:06d}.safetensors" for epoch in (4, 6, 8)
    ]


def test_numpy_numbers_in_the_config_survive_a_checkpoint(tmp_path):
    # Settings often come from numpy grids; the checkpoint's JSON must still take them.
    X, Y, _, _ = synthetic_classes()
    config = TrainingConfig(
        batch_size=np.int64(32), alpha=np.float32(0.5), max_iter=np.int32(3), shuffle=np.True_
    )
    assert type(config.batch_size) is int
    assert type(config.alpha) is float
    assert type(config.shuffle) is bool
    trainer = Trainer(
        Network([6, 4, 3], "relu", "softmax", random_state=0),
        config,
        callbacks=[Checkpoint(tmp_path)],
    )
    trainer.fit(X, Y)
    _, metadata = read(latest_checkpoints(tmp_path)[0][1], kind="checkpoint")
    assert metadata["config"]["batch_size"] == 32
    assert metadata["config"]["alpha"] == float(np.float32(0.5))
