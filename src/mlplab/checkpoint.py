"""Resumable training checkpoints.

A checkpoint is everything a :class:`~mlplab.training.Trainer` needs to continue a run as
if it had never stopped: θ, the optimizer's moments and step count, the random
generator's state (so the next epoch draws the same batch order), every callback's state
(early stopping's best weights and counter), the history, and fingerprints of the
configuration and the data. It is written at an epoch boundary, atomically, by
:mod:`mlplab.fileformat` (safetensors, checksummed), as ``checkpoint-<epoch>.safetensors``
in a folder that keeps the newest few.

Resuming validates before it changes anything: a damaged newest file falls back to the
one before it (with a warning); a different architecture, configuration or data set is
refused with the differences listed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import warnings

import numpy as np

from .fileformat import ModelFileError, read, write
from .optimizers import make_optimizer

__all__ = [
    "CheckpointWarning",
    "data_fingerprint",
    "latest_checkpoints",
    "load_checkpoint",
    "save_checkpoint",
]

KIND = "checkpoint"
FILENAME = re.compile(r"^checkpoint-(\d+)\.safetensors$")
#: Settings that may change between a run and its resumption.
RESUMABLE_CHANGES = {"max_iter"}


class CheckpointWarning(UserWarning):
    """A checkpoint could not be used and an older one was taken instead."""


def data_fingerprint(X: np.ndarray, Y: np.ndarray) -> dict:
    """Shapes and a SHA-256 of the training data, to refuse resuming on other data."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(X).view(np.uint8).data)
    digest.update(np.ascontiguousarray(Y).view(np.uint8).data)
    return {
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "n_outputs": int(Y.shape[1]),
        "sha256": digest.hexdigest(),
    }


def _architecture(net) -> dict:
    return {
        "layer_sizes": list(net.layer_sizes),
        "activation": net.activation,
        "output": net.output,
        "dtype": net.dtype.name,
    }


def save_checkpoint(trainer, directory: str | os.PathLike, *, keep: int = 2) -> str:
    """Write the trainer's state as the newest checkpoint in ``directory``; return its path."""
    if trainer.optimizer is None:
        raise ValueError(
            f"cannot checkpoint solver={trainer.config.solver!r}: only 'gd', 'sgd' and 'adam' "
            "keep a state that can be saved and resumed (and only once training has started)"
        )
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    tensors = {"theta": trainer.net.theta}
    opt_arrays, opt_scalars = trainer.optimizer.state_dict()
    for name, array in opt_arrays.items():
        tensors[f"optimizer.{name}"] = array
    callback_states = []
    for index, callback in enumerate(trainer.callbacks):
        state_dict = getattr(callback, "state_dict", None)
        arrays, scalars = state_dict() if state_dict is not None else ({}, {})
        for name, array in arrays.items():
            tensors[f"callback{index}.{name}"] = array
        callback_states.append({"type": type(callback).__name__, "scalars": scalars})
    metadata = {
        "epoch": trainer.epoch,
        "examples_seen": trainer.examples_seen,
        "reference_loss": trainer.reference_loss,
        "rng": _jsonable(trainer.rng.bit_generator.state),
        "optimizer": opt_scalars,
        "callbacks": callback_states,
        "history": trainer.history.state(),
        "config": trainer.config.as_dict(),
        "task": trainer.task,
        "architecture": _architecture(trainer.net),
        "data": trainer.data_fingerprint,
        "validation_data": getattr(trainer, "validation_fingerprint", None),
    }
    path = os.path.join(directory, f"checkpoint-{trainer.epoch:06d}.safetensors")
    write(path, tensors, metadata, kind=KIND)
    for _, old in latest_checkpoints(directory)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(old)
    return path


def _describe(fingerprint: dict | None) -> str:
    """A data fingerprint in a few words, for error messages."""
    if not fingerprint:
        return "none"
    return f"{fingerprint['n_samples']} examples, sha256 {fingerprint['sha256'][:12]}..."


def _jsonable(state):
    """A bit generator's state with its arrays as lists (the state setters accept lists)."""
    if isinstance(state, dict):
        return {key: _jsonable(value) for key, value in state.items()}
    if isinstance(state, np.ndarray):
        return state.tolist()
    if isinstance(state, np.integer):
        return int(state)
    return state


def latest_checkpoints(directory: str | os.PathLike) -> list[tuple[int, str]]:
    """(epoch, path) of the checkpoints in ``directory``, newest first."""
    directory = os.fspath(directory)
    found = []
    for name in os.listdir(directory):
        match = FILENAME.match(name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name)))
    return sorted(found, reverse=True)


def _read_newest(location: str) -> tuple[dict, dict, str]:
    """Arrays, metadata and path of the newest readable checkpoint at a file or folder."""
    if not os.path.isdir(location):
        arrays, metadata = read(location, kind=KIND)
        return arrays, metadata, location
    candidates = latest_checkpoints(location)
    if not candidates:
        raise ModelFileError(f"{location}: no checkpoint-*.safetensors files to resume from")
    errors = []
    for _, path in candidates:
        try:
            arrays, metadata = read(path, kind=KIND)
        except ModelFileError as error:
            errors.append(str(error))
            continue
        for message in errors:
            warnings.warn(
                f"skipped a damaged checkpoint ({message}); resuming from {path}",
                CheckpointWarning,
                stacklevel=4,
            )
        return arrays, metadata, path
    raise ModelFileError("no usable checkpoint: " + "; ".join(errors))


def load_checkpoint(trainer, location: str | os.PathLike) -> str:
    """Restore ``trainer`` from the newest usable checkpoint at ``location``; return its path.

    Raises
    ------
    ModelFileError
        No readable checkpoint.
    ValueError
        The checkpoint was made with another architecture, configuration or data;
        the message lists every difference.
    """
    arrays, metadata, path = _read_newest(os.fspath(location))
    differences = []
    saved_arch = metadata.get("architecture", {})
    for key, value in _architecture(trainer.net).items():
        if saved_arch.get(key) != value:
            differences.append(f"{key}: checkpoint {saved_arch.get(key)!r}, now {value!r}")
    saved_config = metadata.get("config", {})
    for key, value in trainer.config.as_dict().items():
        if key not in RESUMABLE_CHANGES and saved_config.get(key) != value:
            differences.append(f"{key}: checkpoint {saved_config.get(key)!r}, now {value!r}")
    if metadata.get("task") != trainer.task:
        differences.append(f"task: checkpoint {metadata.get('task')!r}, now {trainer.task!r}")
    saved_data = metadata.get("data") or {}
    current_data = trainer.data_fingerprint or {}
    for key in ("n_samples", "n_features", "n_outputs", "sha256"):
        if saved_data.get(key) != current_data.get(key):
            what = "data contents" if key == "sha256" else key
            differences.append(
                f"{what}: checkpoint {saved_data.get(key)!r}, now {current_data.get(key)!r}"
            )
    saved_validation = metadata.get("validation_data")
    current_validation = getattr(trainer, "validation_fingerprint", None)
    if saved_validation != current_validation:
        differences.append(
            f"validation data: checkpoint {_describe(saved_validation)}, "
            f"now {_describe(current_validation)}"
        )
    saved_generator = metadata.get("rng", {}).get("bit_generator")
    current_generator = type(trainer.rng.bit_generator).__name__
    if saved_generator != current_generator:
        differences.append(
            f"random generator: checkpoint {saved_generator!r}, now {current_generator!r}"
        )
    saved_callbacks = [c.get("type") for c in metadata.get("callbacks", [])]
    current_callbacks = [type(c).__name__ for c in trainer.callbacks]
    if saved_callbacks != current_callbacks:
        differences.append(f"callbacks: checkpoint {saved_callbacks}, now {current_callbacks}")
    if differences:
        raise ValueError(
            f"cannot resume from {path}: it was made with a different setup:\n  "
            + "\n  ".join(differences)
        )
    theta = arrays.get("theta")
    if theta is None or theta.shape != trainer.net.theta.shape:
        raise ModelFileError(f"{path}: theta is missing or has the wrong shape")
    if not np.isfinite(theta).all():
        raise ModelFileError(f"{path}: theta holds non-finite values")
    from .history import History

    if trainer.optimizer is None:
        trainer.optimizer = make_optimizer(
            trainer.config.solver, trainer.net.n_params, trainer.net.dtype, trainer.config
        )
    optimizer_arrays = {
        name.split(".", 1)[1]: array
        for name, array in arrays.items()
        if name.startswith("optimizer.")
    }
    trainer.optimizer.load_state_dict(optimizer_arrays, metadata["optimizer"])
    for index, (callback, state) in enumerate(zip(trainer.callbacks, metadata["callbacks"])):
        prefix = f"callback{index}."
        callback_arrays = {
            name[len(prefix) :]: array for name, array in arrays.items() if name.startswith(prefix)
        }
        load_state_dict = getattr(callback, "load_state_dict", None)
        if load_state_dict is not None:
            load_state_dict(callback_arrays, state["scalars"])
    trainer.net.theta = theta
    trainer.rng.bit_generator.state = metadata["rng"]
    trainer.epoch = int(metadata["epoch"])
    trainer.examples_seen = int(metadata["examples_seen"])
    trainer.reference_loss = float(metadata["reference_loss"])
    trainer.history = History.from_state(metadata["history"])
    return path
