"""Data, networks and small callbacks shared by the training tests.

This module imports only numpy and mlplab (and scikit-learn's digits loader lazily), so a
checkpoint test can run it in a separate process with ``sys.path`` pointing here.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from mlplab.network import Network
from mlplab.training import Trainer, TrainingConfig
from mlplab.training.callbacks import Callback, EarlyStopping
from mlplab.training.checkpoint import Checkpoint


class Digits(NamedTuple):
    """The digits split: X of shape (m, 64) in [0, 1], y labels, Y one-hot (m, 10)."""

    X_train: np.ndarray
    y_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    Y_test: np.ndarray


def load_digits_split() -> Digits:
    """load_digits, X/16, stratified 75/25 split with random_state=0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data / 16.0, data.target, test_size=0.25, stratify=data.target, random_state=0
    )
    eye = np.eye(10)
    return Digits(X_train, y_train, eye[y_train], X_test, y_test, eye[y_test])


def synthetic_classes(m: int = 240, m_val: int = 80, seed: int = 42):
    """A 3-class problem whose label is the arg-max of a random linear map of X (6 features)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m + m_val, 6))
    labels = (X @ rng.normal(size=(6, 3)) + 0.3 * rng.normal(size=(m + m_val, 3))).argmax(1)
    Y = np.eye(3)[labels]
    return X[:m], Y[:m], X[m:], Y[m:]


def accuracy(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max output is the label."""
    return float(np.mean(net.forward(X).argmax(axis=1) == y))


def assert_same_history(first, second) -> None:
    """Same columns and bit-identical values in every column but the wall time."""
    assert first.columns == second.columns
    assert first.n_epochs == second.n_epochs
    for name in first.columns:
        if name != "seconds":
            assert np.array_equal(first[name], second[name], equal_nan=True), name


class ThetaRecorder(Callback):
    """Keeps a copy of θ at the start of training and after every epoch.

    ``thetas[k]`` is θ after epoch k (``thetas[0]`` at the first ``on_train_begin``).
    """

    def __init__(self) -> None:
        self.thetas: dict[int, np.ndarray] = {}

    def on_train_begin(self, trainer) -> None:
        self.thetas.setdefault(trainer.epoch, trainer.net.theta.copy())

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        self.thetas[epoch] = trainer.net.theta.copy()


class Pace(Callback):
    """Sleeps after each epoch, so that another process can watch the run."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        time.sleep(self.seconds)


#: max_iter, best epoch, patience and last epoch of the checkpoint/resume run.
RESUME_EPOCHS = 24
RESUME_BEST = 3
RESUME_PATIENCE = 12
RESUME_LAST = RESUME_BEST + RESUME_PATIENCE + 1


def resumable_run(directory, *, pace: float = 0.0, max_iter: int = RESUME_EPOCHS, **changes):
    """The run the checkpoint tests kill and resume: (trainer, X, Y, validation).

    Adam with mini-batches and shuffling (so the optimizer's moments and the random
    generator both matter), and a checkpoint after every epoch. The validation loss is
    lowest at epoch 3 and early stopping ends the run at epoch 3 + patience + 1 = 16 with
    the weights of epoch 3, so a resume after epoch 3 must restore the callback's best
    figure, counter and weights to end the same way. ``changes`` override config fields.
    """
    X, Y, X_val, Y_val = synthetic_classes()
    net = Network([6, 12, 3], "tanh", "softmax", random_state=3)
    settings = {
        "solver": "adam",
        "learning_rate_init": 0.1,
        "batch_size": 32,
        "alpha": 1e-3,
        "max_iter": max_iter,
    }
    settings.update(changes)
    callbacks = [Pace(pace), EarlyStopping("val_loss", patience=RESUME_PATIENCE)]
    if directory is not None:
        callbacks.append(Checkpoint(directory, every=1, keep=2))
    trainer = Trainer(net, TrainingConfig(**settings), callbacks=callbacks, random_state=11)
    return trainer, X, Y, (X_val, Y_val)
