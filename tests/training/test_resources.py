"""The steady state allocates nothing big, and float32 stays float32."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from mlplab.network import Network
from mlplab.training import Trainer, TrainingConfig
from mlplab.training.callbacks import Callback


class MeasureEpoch(Callback):
    """Traces Python and numpy allocations during one epoch (from the end of the one before)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.current = self.peak = None

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        if epoch == self.epoch - 1:
            tracemalloc.start()
        elif epoch == self.epoch:
            self.current, self.peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

    def on_train_end(self, trainer) -> None:
        if tracemalloc.is_tracing():
            tracemalloc.stop()


@pytest.mark.parametrize("solver", ["sgd", "adam", "gd"])
def test_an_epoch_after_the_first_allocates_far_less_than_the_data(solver):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6000, 64))
    Y = np.eye(4)[rng.integers(0, 4, size=6000)]
    X_val, Y_val = X[:500].copy(), Y[:500].copy()
    probe = MeasureEpoch(3)
    trainer = Trainer(
        Network([64, 16, 4], "relu", "softmax", random_state=0),
        TrainingConfig(solver=solver, batch_size=64, max_iter=3, learning_rate_init=1e-3),
        callbacks=[probe],
        random_state=0,
    )
    trainer.fit(X, Y, validation_data=(X_val, Y_val))

    assert trainer.epoch == 3
    # A copy of X (3 MB) or of a batch-sized slice of it per step would show here. What
    # remains: the batch order (m ints), numpy's ufunc buffers and the history row.
    assert probe.peak < X.nbytes / 10
    assert probe.current < 20_000  # and nothing stays behind


def test_repeated_fits_do_not_grow_memory(small_problem):
    X, Y, _, _ = small_problem
    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0),
        TrainingConfig(solver="adam", batch_size=32),
        random_state=0,
    )
    trainer.fit(X, Y, epochs=2)
    gc.collect()
    tracemalloc.start()
    try:
        trainer.fit(X, Y, epochs=1)
        after_one, _ = tracemalloc.get_traced_memory()
        for _ in range(20):
            trainer.fit(X, Y, epochs=1)
        after_more, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 20 more history rows (a dict of a dozen floats each) and nothing else, even
    # before the garbage collector runs
    assert after_more - after_one < 20 * 1_500


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_float32_trains_in_float32(digits, solver):
    net = Network([64, 32, 10], "relu", "softmax", random_state=0, dtype=np.float32)
    theta = net.theta
    settings = {
        "gd": {"learning_rate_init": 0.5, "max_iter": 100},
        "sgd": {"learning_rate_init": 0.1, "batch_size": 32, "max_iter": 15},
        "adam": {"learning_rate_init": 1e-2, "batch_size": 64, "max_iter": 15},
    }[solver]
    trainer = Trainer(net, TrainingConfig(solver=solver, **settings), random_state=0)
    history = trainer.fit(
        digits.X_train.astype(np.float32),
        digits.Y_train.astype(np.float32),
        validation_data=(digits.X_test.astype(np.float32), digits.Y_test.astype(np.float32)),
    )

    assert net.theta is theta  # updated in place, never rebound
    assert net.theta.dtype == np.float32
    assert all(np.shares_memory(layer, theta) for layer in net.thetas)
    arrays, _ = trainer.optimizer.state_dict()
    assert all(array.dtype == np.float32 for array in arrays.values())
    assert trainer._grad.dtype == np.float32
    for workspace in net._workspaces.values():
        assert workspace.output.dtype == np.float32
        assert all(layer.dtype == np.float32 for layer in workspace.a_with_bias[1:])
    for name in history:
        assert np.isfinite(history[name]).all(), name
    assert history["val_accuracy"][-1] >= 0.93
    assert history["train_loss"][-1] < 0.3 * history["train_loss"][0]
