"""Data, small models and process helpers of the reliability battery (numpy and mlplab only).

``_kill_child.py`` runs this module in other processes, so it imports nothing from the
test suite and nothing heavy at import time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

#: Environment of every child process: one BLAS thread, wide enough for one-line errors.
CHILD_ENV = {
    **os.environ,
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "COLUMNS": "200",
}


def blobs(m: int = 60, n: int = 3, k: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X of shape (m, n), standard normal, and int labels 0..k-1 from a random linear map."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X @ rng.normal(size=(n, k))).argmax(axis=1)
    return X, y


def quiet_fit(model, X, y, **kwargs):
    """``model.fit`` allowing only scikit-learn's ConvergenceWarning (short test runs)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y, **kwargs)
    unexpected = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    assert not unexpected, [f"{w.category.__name__}: {w.message}" for w in unexpected]
    return model


def run_mlplab(*args, timeout: float = 120, cwd=None) -> subprocess.CompletedProcess:
    """The real ``python -m mlplab ARGS`` in a child process, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "mlplab", *[os.fspath(a) for a in args]],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=CHILD_ENV,
        cwd=cwd,
        check=False,
    )


def start_mlplab(*args, cwd=None) -> subprocess.Popen:
    """Start ``python -m mlplab ARGS`` without waiting (for signals)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mlplab", *[os.fspath(a) for a in args]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=CHILD_ENV,
        cwd=cwd,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes), to prove nothing changed."""
    return {
        os.fspath(path.relative_to(folder)): path.read_bytes()
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------------- the killed run
#: The checkpointed run that child processes are killed in and resume: its settings.
KILL_RUN_EPOCHS = 1500
#: The kernel backend of the killed run, in the children and in the parent alike.
KERNELS_VARIABLE, KERNELS = "MLPLAB_KERNELS", "numpy"


class _Announce:
    """A callback that sets an event (a child's "ready") at the end of its first epoch.

    Checkpoints are written after the other callbacks, so the event comes just before
    the process's first checkpoint write: start-up costs are behind it, and a kill timed
    from it lands in steady training.
    """

    def __init__(self, event=None) -> None:
        self.event = event

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        if self.event is not None:
            self.event.set()
            self.event = None


def kill_run_trainer(directory, *, every: int = 1, ready=None):
    """(trainer, X, Y) of the run the SIGKILL test kills: Adam, shuffled mini-batches.

    ``ready``, a multiprocessing Event, is set after the first epoch (in a child).

    Early stopping watches the training loss (its state must survive too), checkpoints go
    to ``directory`` after every epoch. The hidden layer is wide enough that writing a
    checkpoint takes most of an epoch's time, so random kills land inside writes.
    """
    from mlplab.network import Network
    from mlplab.training import Trainer, TrainingConfig
    from mlplab.training.callbacks import EarlyStopping
    from mlplab.training.checkpoint import Checkpoint

    X, y = blobs(64, 8, 3, seed=5)
    Y = np.eye(3)[y]
    net = Network([8, 256, 3], "tanh", "softmax", random_state=2)
    config = TrainingConfig(
        solver="adam",
        learning_rate_init=0.01,
        batch_size=16,
        max_iter=KILL_RUN_EPOCHS,
        n_iter_no_change=KILL_RUN_EPOCHS,
    )
    callbacks = [
        _Announce(ready),
        EarlyStopping("train_loss", patience=KILL_RUN_EPOCHS, min_delta=0.0),
    ]
    if directory is not None:
        callbacks.append(Checkpoint(directory, every=every, keep=2))
    trainer = Trainer(net, config, callbacks=callbacks, random_state=7)
    return trainer, X, Y


def kill_child(directory: str, ready) -> None:
    """A child process of the SIGKILL test: resume the run if it can, train until killed.

    Runs in a process forked from a forkserver that has imported mlplab already, so a
    child starts in milliseconds. Uses the numpy kernels (``MLPLAB_KERNELS``), as the
    parent does, so that the bits of a resumed run compare with the parent's run.
    """
    from threadpoolctl import threadpool_limits

    from mlplab.training.checkpoint import latest_checkpoints

    os.environ[KERNELS_VARIABLE] = KERNELS
    with threadpool_limits(limits=1, user_api="blas"):
        trainer, X, Y = kill_run_trainer(directory, ready=ready)
        resume = directory if latest_checkpoints(directory) else None
        trainer.fit(X, Y, resume_from=resume)


# ---------------------------------------------------------------------- metadata sweeps
#: Values of every JSON type, odd ones included, put in place of each metadata entry.
ODD_VALUES = (None, True, -1, 10**30, 0.5, float("nan"), "", "os.system", [], [1], {}, {"a": 1})
#: Stands for "delete the entry" in a sweep.
DELETE = object()


def json_paths(value, prefix=()):
    """Every path (tuple of keys and indices) inside a JSON document, but the root."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield (*prefix, key)
        yield from json_paths(item, (*prefix, key))


def replaced(document, path, value):
    """A deep copy of ``document`` with the entry at ``path`` replaced (or deleted)."""
    import copy

    document = copy.deepcopy(document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document
