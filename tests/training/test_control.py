"""Stopping, rolling back and reproducing: divergence, signals, early stopping, callbacks."""

from __future__ import annotations

import os
import re
import signal
import threading

import numpy as np
import pytest

from mlplab.network import Network
from mlplab.training import DivergenceWarning, Trainer, TrainingConfig, TrainingInterrupted
from mlplab.training.callbacks import Callback, EarlyStopping

from ._problems import ThetaRecorder, accuracy, assert_same_history


# ---------------------------------------------------------------------- divergence
@pytest.mark.parametrize("learning_rate", [1e3, 1e6])
@pytest.mark.parametrize("solver", ["sgd", "adam", "gd"])
def test_divergence_stops_and_restores_the_epochs_starting_weights(digits, solver, learning_rate):
    net = Network([64, 30, 10], "relu", "softmax", random_state=0)
    recorder = ThetaRecorder()
    trainer = Trainer(
        net,
        TrainingConfig(solver=solver, learning_rate_init=learning_rate, max_iter=20),
        callbacks=[recorder],
        random_state=0,
    )
    with pytest.warns(DivergenceWarning) as caught:
        history = trainer.fit(digits.X_train, digits.Y_train)

    assert len(caught) == 1
    assert caught[0].filename == __file__  # the warning points at the caller of fit
    message = str(caught[0].message)
    match = re.search(
        r"diverged in epoch (\d+): loss (\S+) with learning rate (\S+), "
        r"against (\S+) at the start of training; stopped and restored the weights of "
        r"epoch (\d+)",
        message,
    )
    assert match, message
    epoch = int(match.group(1))
    assert float(match.group(3)) == learning_rate
    loss, start = float(match.group(2)), float(match.group(4))
    assert not np.isfinite(loss) or loss > 1e3 * start
    assert int(match.group(5)) == epoch - 1
    # Every solver sees the explosion in the first epoch: gd's single step is scored by
    # the end-of-epoch check, before the weights it made can become a snapshot.
    assert epoch == 1
    assert trainer.stop_reason == "diverged"
    assert history.n_epochs == trainer.epoch == epoch - 1
    assert np.isfinite(net.theta).all()
    assert np.array_equal(net.theta, recorder.thetas[epoch - 1])


def test_divergence_in_a_later_epoch_rolls_back_to_that_epochs_start(small_problem):
    # Training goes well for three epochs, then a callback raises η a millionfold.
    X, Y, _, _ = small_problem

    class Overheat(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 3:
                trainer.optimizer.learning_rate = 1e5

    recorder = ThetaRecorder()
    net = Network([6, 8, 3], "relu", "softmax", random_state=0)
    trainer = Trainer(
        net,
        TrainingConfig(solver="sgd", learning_rate_init=0.1, batch_size=16, max_iter=50),
        callbacks=[recorder, Overheat()],
        random_state=0,
    )
    with pytest.warns(
        DivergenceWarning,
        match=r"epoch 4: loss .* with learning rate 100000 \(learning_rate_init 0\.1\),",
    ):
        history = trainer.fit(X, Y)
    assert trainer.stop_reason == "diverged"
    assert history.n_epochs == 3
    assert np.isfinite(history["train_loss"]).all()
    assert np.array_equal(net.theta, recorder.thetas[3])
    assert not np.array_equal(net.theta, recorder.thetas[0])


def test_absurd_data_gives_a_divergence_warning_not_numpys(small_problem):
    # Overflow inside the step is divergence too: reported once, weights finite.
    X, Y, _, _ = small_problem
    net = Network([6, 8, 3], "relu", "softmax", random_state=0)
    trainer = Trainer(net, TrainingConfig(solver="adam", learning_rate_init=1.0, max_iter=5))
    with pytest.warns(DivergenceWarning, match="diverged in epoch 1"):
        trainer.fit(X * 1e200, Y)
    assert trainer.stop_reason == "diverged"
    assert np.isfinite(net.theta).all()


# ---------------------------------------------------------------------- signals
def _sigint_after_steps(trainer, n_steps: int) -> None:
    """Make the optimizer send SIGINT to this process right after its n-th next step."""
    step = trainer.optimizer.step_with_decay
    count = [0]

    def step_then_signal(*args):
        squared = step(*args)
        count[0] += 1
        if count[0] == n_steps:
            os.kill(os.getpid(), signal.SIGINT)
        return squared

    trainer.optimizer.step_with_decay = step_then_signal


def test_sigint_mid_epoch_keeps_the_last_full_epoch_and_resumes_exactly(small_problem):
    X, Y, X_val, Y_val = small_problem
    config = TrainingConfig(solver="adam", learning_rate_init=0.01, batch_size=32, max_iter=8)

    def make(callbacks=()):
        net = Network([6, 8, 3], "tanh", "softmax", random_state=5)
        return Trainer(net, config, callbacks=callbacks, random_state=9)

    reference = make()
    reference.fit(X, Y, validation_data=(X_val, Y_val))

    recorder = ThetaRecorder()
    trainer = make([recorder])
    trainer.fit(X, Y, validation_data=(X_val, Y_val), epochs=2)
    steps_per_epoch = -(-X.shape[0] // 32)
    _sigint_after_steps(trainer, steps_per_epoch + 3)  # the 4th batch of epoch 4
    handler_before = signal.getsignal(signal.SIGINT)
    with pytest.warns(
        TrainingInterrupted, match=r"signal 2\) during epoch 4; the model is that of epoch 3"
    ):
        history = trainer.fit(X, Y, validation_data=(X_val, Y_val))

    assert signal.getsignal(signal.SIGINT) is handler_before
    assert trainer.stop_reason == "interrupted"
    assert trainer.interrupt_signal == signal.SIGINT
    assert history.n_epochs == trainer.epoch == 3
    assert np.isfinite(trainer.net.theta).all()
    assert np.array_equal(trainer.net.theta, recorder.thetas[3])

    # θ, the optimizer and the random generator were all put back: carrying on gives
    # exactly the run that was never interrupted.
    del trainer.optimizer.step_with_decay  # back to the plain update
    trainer.fit(X, Y, validation_data=(X_val, Y_val))
    assert np.array_equal(trainer.net.theta, reference.net.theta)
    assert_same_history(trainer.history, reference.history)


def test_sigint_from_a_timer_thread_ends_training_cleanly(digits):
    # batch_size=1: an epoch is ~1000 steps, so the signal lands in the middle of one.
    recorder = ThetaRecorder()
    timers = []

    class ArmTimer(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                timer = threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT))
                timers.append(timer)
                timer.start()
            return epoch >= 60  # a bound, should the signal never come

    net = Network([64, 16, 10], "relu", "softmax", random_state=0)
    trainer = Trainer(
        net,
        TrainingConfig(solver="sgd", learning_rate_init=0.01, batch_size=1, max_iter=1000),
        callbacks=[recorder, ArmTimer()],
        random_state=0,
    )
    with pytest.warns(TrainingInterrupted, match="signal 2"):
        history = trainer.fit(digits.X_train, digits.Y_train)
    timers[0].join()

    assert trainer.stop_reason == "interrupted"
    completed = trainer.epoch
    assert 2 <= completed < 60
    assert history.n_epochs == completed
    assert history["epoch"].tolist() == list(range(1, completed + 1))
    assert np.isfinite(net.theta).all()
    assert np.array_equal(net.theta, recorder.thetas[completed])


def test_sigint_between_epochs_stops_before_the_next_one(small_problem):
    X, Y, _, _ = small_problem

    class Interrupt(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    recorder = ThetaRecorder()
    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0),
        TrainingConfig(solver="sgd", batch_size=16, max_iter=10),
        callbacks=[recorder, Interrupt()],
    )
    with pytest.warns(TrainingInterrupted, match="model is that of epoch 2") as caught:
        history = trainer.fit(X, Y)
    assert caught[0].filename == __file__
    assert history.n_epochs == 2
    assert np.array_equal(trainer.net.theta, recorder.thetas[2])


def test_sigint_during_lbfgs_keeps_the_last_iteration(small_problem):
    X, Y, _, _ = small_problem

    class Interrupt(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 3:
                os.kill(os.getpid(), signal.SIGINT)

    recorder = ThetaRecorder()
    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0),
        TrainingConfig(solver="lbfgs", max_iter=50, tol=0.0),
        callbacks=[recorder, Interrupt()],
    )
    with pytest.warns(TrainingInterrupted, match="model is that of epoch 3"):
        history = trainer.fit(X, Y)
    assert trainer.stop_reason == "interrupted"
    assert history.n_epochs == 3
    assert np.array_equal(trainer.net.theta, recorder.thetas[3])


# ---------------------------------------------------------------------- early stopping
@pytest.mark.parametrize(
    ("monitor", "column", "pick"),
    [("val_loss", "val_loss", np.argmin), ("val_score", "val_accuracy", np.argmax)],
)
def test_early_stopping_restores_the_best_validation_weights(digits, monitor, column, pick):
    # 150 training examples, no regularization, a large step: it overfits quickly.
    X, Y = digits.X_train[:150], digits.Y_train[:150]
    X_val, Y_val = digits.X_test, digits.Y_test
    recorder = ThetaRecorder()
    patience = 4
    stopper = EarlyStopping(monitor, patience=patience, min_delta=1e-9)
    net = Network([64, 40, 10], "relu", "softmax", random_state=0)
    trainer = Trainer(
        net,
        TrainingConfig(solver="adam", learning_rate_init=0.02, alpha=0.0, max_iter=300),
        callbacks=[recorder, stopper],
        random_state=0,
    )
    history = trainer.fit(X, Y, validation_data=(X_val, Y_val))

    values = history[column]
    best = int(pick(values)) + 1  # the first best epoch (1-based)
    assert trainer.stop_reason == "no_improvement"
    assert stopper.best_epoch == best
    assert history.n_epochs == best + patience + 1  # more than `patience` epochs without gain
    assert np.array_equal(net.theta, recorder.thetas[best])
    assert not np.array_equal(net.theta, recorder.thetas[history.n_epochs])
    # The restored network scores exactly the best row.
    assert accuracy(net, X_val, digits.y_test) == history["val_accuracy"][best - 1]
    assert net.cost(X_val, Y_val) == pytest.approx(history["val_loss"][best - 1], rel=1e-12)


def test_early_stopping_on_validation_data_needs_validation_data(small_problem):
    X, Y, _, _ = small_problem
    net = Network([6, 4, 3], "relu", "softmax", random_state=0)
    theta = net.theta.copy()
    trainer = Trainer(net, TrainingConfig(max_iter=5), callbacks=[EarlyStopping("val_loss")])
    with pytest.raises(ValueError, match="monitors 'val_loss' but there is no validation data"):
        trainer.fit(X, Y)
    assert trainer.history.n_epochs == 0
    assert np.array_equal(net.theta, theta)


def test_early_stopping_names_the_columns_when_its_monitor_is_never_recorded(small_problem):
    X, Y, X_val, Y_val = small_problem
    trainer = Trainer(
        Network([6, 4, 3], "relu", "identity", random_state=0),
        TrainingConfig(max_iter=5),
        task="regression",
        callbacks=[EarlyStopping("val_accuracy")],
    )
    with pytest.raises(ValueError, match=r"monitors 'val_accuracy'.*'val_r2'"):
        trainer.fit(X, Y, validation_data=(X_val, Y_val))


# ---------------------------------------------------------------------- reproducibility
def _sgd_run(digits, seed):
    net = Network([64, 20, 10], "relu", "softmax", random_state=0)
    config = TrainingConfig(solver="sgd", learning_rate_init=0.05, batch_size=50, max_iter=5)
    trainer = Trainer(net, config, random_state=seed)
    trainer.fit(digits.X_train, digits.Y_train, validation_data=(digits.X_test, digits.Y_test))
    return trainer


def test_same_seed_same_bits_other_seed_other_weights(digits):
    first, second, other = _sgd_run(digits, 7), _sgd_run(digits, 7), _sgd_run(digits, 8)
    assert np.array_equal(first.net.theta, second.net.theta)
    assert_same_history(first.history, second.history)
    assert not np.array_equal(first.net.theta, other.net.theta)
    assert not np.array_equal(first.history["train_loss"], other.history["train_loss"])


def test_fitting_in_pieces_equals_fitting_at_once(small_problem):
    # What warm starts and partial_fit rely on: fit(epochs=k) keeps every state.
    X, Y, _, _ = small_problem

    def make():
        net = Network([6, 8, 3], "relu", "softmax", random_state=1)
        config = TrainingConfig(solver="sgd", learning_rate="invscaling", batch_size=20)
        return Trainer(net, config, random_state=3)

    whole, pieces = make(), make()
    whole.fit(X, Y, epochs=6)
    for _ in range(3):
        pieces.fit(X, Y, epochs=2)
    assert np.array_equal(whole.net.theta, pieces.net.theta)
    assert_same_history(whole.history, pieces.history)


# ---------------------------------------------------------------------- callbacks
class Events(Callback):
    """Logs every call it receives."""

    def __init__(self, log, name, stop_at=None):
        self.log, self.name, self.stop_at = log, name, stop_at

    def on_train_begin(self, trainer):
        self.log.append((self.name, "begin", trainer.epoch))

    def on_epoch_end(self, trainer, epoch, logs):
        self.log.append((self.name, "epoch", epoch))
        return self.stop_at is not None and epoch >= self.stop_at

    def on_train_end(self, trainer):
        self.log.append((self.name, "end", trainer.epoch))


def test_a_callback_can_stop_training_and_hooks_run_once_per_fit(small_problem):
    X, Y, _, _ = small_problem
    log = []
    trainer = Trainer(
        Network([6, 4, 3], "relu", "softmax", random_state=0),
        TrainingConfig(max_iter=50),
        callbacks=[Events(log, "a"), Events(log, "b", stop_at=3)],
    )
    history = trainer.fit(X, Y)
    assert history.n_epochs == 3
    assert trainer.stop_reason == "Events"
    assert log == [
        ("a", "begin", 0),
        ("b", "begin", 0),
        *[(name, "epoch", e) for e in (1, 2, 3) for name in ("a", "b")],
        ("a", "end", 3),
        ("b", "end", 3),
    ]


def test_setting_stop_training_stops_and_duck_typed_callbacks_work(small_problem):
    X, Y, _, _ = small_problem

    class OnlyEpochEnd:  # not a Callback subclass: every hook is optional
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                trainer.stop_training = True

    trainer = Trainer(
        Network([6, 4, 3], "relu", "softmax", random_state=0),
        TrainingConfig(max_iter=50),
        callbacks=[OnlyEpochEnd()],
    )
    assert trainer.fit(X, Y).n_epochs == 2


def test_train_end_runs_once_when_training_diverges(small_problem):
    X, Y, _, _ = small_problem
    log = []
    trainer = Trainer(
        Network([6, 4, 3], "relu", "softmax", random_state=0),
        TrainingConfig(solver="sgd", learning_rate_init=1e6, max_iter=50),
        callbacks=[Events(log, "a")],
    )
    with pytest.warns(DivergenceWarning):
        trainer.fit(X, Y)
    assert log == [("a", "begin", 0), ("a", "end", 0)]


# ---------------------------------------------------------------------- small data
@pytest.mark.parametrize("batch_size", [200, "auto", 31])
def test_fewer_examples_than_the_batch_size_is_one_full_batch(small_problem, batch_size):
    X, Y = small_problem[0][:30], small_problem[1][:30]
    net = Network([6, 4, 3], "sigmoid", "softmax", random_state=0)
    gd = Network([6, 4, 3], "sigmoid", "softmax", random_state=0)
    config = TrainingConfig(
        solver="sgd", momentum=0.0, learning_rate_init=0.5, batch_size=batch_size, max_iter=4
    )
    history = Trainer(net, config, random_state=0).fit(X, Y)
    Trainer(gd, TrainingConfig(solver="gd", learning_rate_init=0.5, max_iter=4)).fit(X, Y)
    assert history.n_epochs == 4
    assert np.array_equal(net.theta, gd.theta)


def test_a_single_example_trains():
    net = Network([2, 3, 1], random_state=0)
    history = Trainer(net, TrainingConfig(solver="adam", max_iter=3), task="binary").fit(
        np.array([[0.5, -1.0]]), np.array([[1.0]])
    )
    assert history.n_epochs == 3
    assert np.all(np.diff(history["train_loss"]) < 0)


def test_sigint_in_an_epochs_last_batch_lets_that_epoch_complete(small_problem):
    # gd takes one step per epoch: a signal during it ends training after that epoch.
    X, Y, _, _ = small_problem
    recorder = ThetaRecorder()
    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0),
        TrainingConfig(solver="gd", learning_rate_init=0.5, max_iter=50),
        callbacks=[recorder],
    )
    trainer.fit(X, Y, epochs=1)
    _sigint_after_steps(trainer, 3)
    with pytest.warns(TrainingInterrupted, match="model is that of epoch 4"):
        history = trainer.fit(X, Y)
    assert history.n_epochs == trainer.epoch == 4
    assert np.array_equal(trainer.net.theta, recorder.thetas[4])


def test_a_second_sigint_raises_keyboard_interrupt_at_once(small_problem):
    X, Y, _, _ = small_problem

    class Impatient(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)

    handler_before = signal.getsignal(signal.SIGINT)
    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0),
        TrainingConfig(max_iter=50),
        callbacks=[Impatient()],
    )
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(X, Y)
    assert signal.getsignal(signal.SIGINT) is handler_before
    assert trainer.epoch == 2


def test_other_signals_can_be_handled_too(small_problem):
    X, Y, _, _ = small_problem

    class Hangup(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGUSR1)

    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0),
        TrainingConfig(max_iter=50),
        callbacks=[Hangup()],
        handle_signals=(signal.SIGINT, signal.SIGUSR1),
    )
    with pytest.warns(TrainingInterrupted, match=f"signal {int(signal.SIGUSR1)}"):
        trainer.fit(X, Y)
    assert trainer.interrupt_signal == signal.SIGUSR1
    assert trainer.epoch == 1


def test_training_in_a_worker_thread_leaves_signals_alone(small_problem):
    # signal.signal only works in the main thread; elsewhere training runs unprotected.
    X, Y, _, _ = small_problem
    trainer = Trainer(
        Network([6, 8, 3], "relu", "softmax", random_state=0), TrainingConfig(max_iter=3)
    )
    errors = []

    def work():
        try:
            trainer.fit(X, Y)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert errors == []
    assert trainer.epoch == 3
    assert trainer.stop_reason == "max_iter"


def test_stop_on_signals_stops_an_estimators_fit_like_ctrl_c(small_problem):
    # What `mlplab train` does with SIGTERM: the public hook, no trainer internals.
    from mlplab import MLPClassifier
    from mlplab.training import stop_on_signals

    X, Y, _, _ = small_problem

    class Hangup(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                os.kill(os.getpid(), signal.SIGUSR1)

    handler_before = signal.getsignal(signal.SIGUSR1)
    model = MLPClassifier((8,), max_iter=50, random_state=0, callbacks=[Hangup()])
    interrupted = pytest.warns(TrainingInterrupted, match=f"signal {int(signal.SIGUSR1)}")
    with stop_on_signals(signal.SIGUSR1) as signals, interrupted:
        model.fit(X, Y.argmax(axis=1))
    assert signals.received == signal.SIGUSR1
    assert model.stop_reason_ == "interrupted"
    assert model.n_iter_ == 2
    assert signal.getsignal(signal.SIGUSR1) is handler_before

    with pytest.raises(KeyboardInterrupt), stop_on_signals(signal.SIGUSR1):
        os.kill(os.getpid(), signal.SIGUSR1)  # outside a fit: at once
