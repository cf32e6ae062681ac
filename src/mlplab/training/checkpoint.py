"""Resumable training checkpoints.

A checkpoint is everything a :class:`~mlplab.training.Trainer` needs to continue a run as
if it had never stopped: θ, the optimizer's moments and step count, the random
generator's state (so the next epoch draws the same batch order), every callback's state
(early stopping's best weights and counter), the history, and fingerprints of the
configuration and the data. It is written at an epoch boundary, atomically, by
:mod:`mlplab.fileformat` (safetensors, checksummed), as ``checkpoint-<epoch>.safetensors``
in a folder that keeps the newest few.

Resuming validates everything, and builds the restored state aside, before it changes
anything: a newest file that is damaged (checksum) or malformed (an entry of the wrong
type or shape) falls back to the one before it, with a warning; a different
architecture, configuration or data set is refused with the differences listed. A process
killed while writing leaves at most a hidden temporary file, never a partial checkpoint;
the next run that checkpoints into the folder removes those temporaries.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import math
import os
import re
import warnings

import numpy as np

from ..fileformat import ModelFileError, read, write
from ..jsonvalues import to_json
from ..optimizers import make_optimizer
from ..solvers import check_resumable
from ..tasks import TASKS
from .callbacks import Callback, EarlyStopping
from .history import History
from .state import StateDict, TrainerState

__all__ = [
    "Checkpoint",
    "CheckpointWarning",
    "data_fingerprint",
    "latest_checkpoints",
    "load_checkpoint",
    "remove_stale_temporaries",
    "save_checkpoint",
]

KIND = "checkpoint"
FILENAME = re.compile(r"^checkpoint-(\d+)\.safetensors$")
#: The temporary of an unfinished write (see :func:`mlplab.fileformat.atomic_write_bytes`).
TEMPORARY = re.compile(r"^\.checkpoint-\d+\.safetensors\.[0-9a-f]{16}\.tmp$")
#: Settings that may change between a run and its resumption.
RESUMABLE_CHANGES = {"max_iter"}


class CheckpointWarning(UserWarning):
    """A checkpoint could not be used and an older one was taken instead."""


def data_fingerprint(X: np.ndarray, Y: np.ndarray, weights=None) -> dict:
    """Shapes and a SHA-256 of the training data (and example weights, if any), to refuse
    resuming on other data."""
    digest = hashlib.sha256()
    # a sparse (CSR) X by its three arrays: the same matrix gives the same digest
    parts = (X.data, X.indices, X.indptr) if hasattr(X, "indptr") else (X,)
    for part in (*parts, Y) if weights is None else (*parts, Y, weights):
        digest.update(np.ascontiguousarray(part).view(np.uint8).data)
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
    """Write the trainer's state as the newest checkpoint in ``directory``; return its path.

    The state is :meth:`Trainer.get_state`'s: θ, the optimizer's and the callbacks'
    arrays as tensors, the rest as JSON beside the fingerprints of the setup.
    """
    check_resumable(trainer.config.solver, "save_checkpoint")
    if trainer.optimizer is None:
        raise ValueError("cannot checkpoint a trainer before its first epoch has started")
    state = trainer.get_state()
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    tensors = {"theta": state.theta}
    for name, array in state.optimizer.arrays.items():
        tensors[f"optimizer.{name}"] = array
    callback_states = []
    for index, (callback, saved) in enumerate(zip(trainer.callbacks, state.callbacks)):
        for name, array in saved.arrays.items():
            tensors[f"callback{index}.{name}"] = array
        callback_states.append({"type": type(callback).__name__, "scalars": saved.scalars})
    metadata = {
        "epoch": state.epoch,
        "examples_seen": state.examples_seen,
        "reference_loss": state.reference_loss,
        "rng": to_json(state.rng),  # the state setters accept lists for arrays
        "optimizer": state.optimizer.scalars,
        "callbacks": callback_states,
        "history": state.history.state(),
        "config": trainer.config.as_dict(),
        "task": state.task,
        "architecture": _architecture(trainer.net),
        "data": trainer.data_fingerprint,
        "validation_data": trainer.validation_fingerprint,
    }
    path = os.path.join(directory, f"checkpoint-{state.epoch:06d}.safetensors")
    write(path, tensors, metadata, kind=KIND)
    for _, old in latest_checkpoints(directory)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(old)
    return path


def _describe(fingerprint: dict | None) -> str:
    """A data fingerprint in a few words, for error messages."""
    if not fingerprint:
        return "none"
    return (
        f"{fingerprint.get('n_samples')} examples, sha256 {str(fingerprint.get('sha256'))[:12]}..."
    )


def latest_checkpoints(directory: str | os.PathLike) -> list[tuple[int, str]]:
    """(epoch, path) of the checkpoints in ``directory``, newest first."""
    directory = os.fspath(directory)
    found = []
    for name in os.listdir(directory):
        match = FILENAME.match(name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name)))
    return sorted(found, reverse=True)


def remove_stale_temporaries(directory: str | os.PathLike) -> list[str]:
    """Delete the temporaries that killed checkpoint writes left in ``directory``.

    A write goes to a hidden ``.checkpoint-<epoch>.safetensors.<random>.tmp`` file that is
    renamed once complete; a process killed in between (SIGKILL, power loss) leaves it
    behind. Such a file is never read, but left alone they pile up. Called when a run
    starts checkpointing into the folder, which is then its only writer. Returns the
    paths removed.
    """
    directory = os.fspath(directory)
    removed = []
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return removed
    for name in names:
        if TEMPORARY.match(name):
            path = os.path.join(directory, name)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
    return removed


def load_checkpoint(trainer, location: str | os.PathLike) -> str:
    """Restore ``trainer`` from the newest usable checkpoint at ``location``; return its path.

    ``location`` is a checkpoint file or a folder of them. Everything in the file is
    validated, and every new piece of state (optimizer, random generator, callbacks,
    history) is built aside, before the trainer changes at all: a refused checkpoint
    leaves the trainer exactly as it was. In a folder, a checkpoint that cannot be used
    (damaged, truncated, malformed) is skipped with a :class:`CheckpointWarning` for the
    one before it.

    Raises
    ------
    ModelFileError
        No usable checkpoint: missing, damaged or malformed (the message says which).
    ValueError
        The checkpoint was made with another architecture, configuration or data;
        the message lists every difference.
    """
    location = os.fspath(location)
    if not os.path.isdir(location):
        arrays, metadata = read(location, kind=KIND)
        trainer.set_state(_prepare(trainer, arrays, metadata, location))
        return location
    candidates = latest_checkpoints(location)
    if not candidates:
        raise ModelFileError(f"{location}: no checkpoint-*.safetensors files to resume from")
    errors = []
    for _, path in candidates:
        try:
            arrays, metadata = read(path, kind=KIND)
            prepared = _prepare(trainer, arrays, metadata, path)
        except ModelFileError as error:
            errors.append(str(error))
            continue
        for message in errors:
            warnings.warn(
                f"skipped a damaged checkpoint ({message}); resuming from {path}",
                CheckpointWarning,
                stacklevel=3,  # load_checkpoint ← Trainer.fit ← the caller of fit
            )
        trainer.set_state(prepared)
        return path
    raise ModelFileError("no usable checkpoint: " + "; ".join(errors))


# ---------------------------------------------------------------------- validation
class _Malformed(Exception):
    """A checkpoint entry of the wrong type or value (turned into a ModelFileError)."""


def _section(metadata: dict, name: str, *, optional: bool = False) -> dict | None:
    """``metadata[name]`` if it is a JSON object (or None, when that is allowed)."""
    value = metadata.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, dict):
        raise _Malformed(f"'{name}' must be a JSON object, got {type(value).__name__}")
    return value


def _integer(value, what: str) -> int:
    """A JSON integer >= 0 (bool excluded)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Malformed(f"{what} must be an integer >= 0, got {value!r}")
    return value


def _number(value, what: str, *, finite: bool = True) -> float:
    """A JSON number (bool excluded), finite unless told otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Malformed(f"{what} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float64
        raise _Malformed(f"{what} is out of range: {value!r}") from None
    if finite and not math.isfinite(number):
        raise _Malformed(f"{what} must be finite, got {value!r}")
    return number


def _array_like(array: np.ndarray, reference: np.ndarray, what: str) -> np.ndarray:
    """``array`` if it has the reference's shape and dtype and holds only finite values."""
    if array.shape != reference.shape or array.dtype != reference.dtype:
        raise _Malformed(
            f"{what} has shape {array.shape} and dtype {array.dtype}, expected "
            f"{reference.shape} and {reference.dtype}"
        )
    if not np.isfinite(array).all():
        raise _Malformed(f"{what} holds non-finite values")
    return array


def _differences(trainer, metadata: dict) -> list[str]:
    """What differs between the checkpoint's setup and the trainer's, one line each."""
    differences = []
    saved_arch = _section(metadata, "architecture")
    for key, value in _architecture(trainer.net).items():
        if saved_arch.get(key) != value:
            differences.append(f"{key}: checkpoint {saved_arch.get(key)!r}, now {value!r}")
    saved_config = _section(metadata, "config")
    for key, value in trainer.config.as_dict().items():
        if key not in RESUMABLE_CHANGES and saved_config.get(key) != value:
            differences.append(f"{key}: checkpoint {saved_config.get(key)!r}, now {value!r}")
    # A trainer not fitted yet has no task (fit reads it from the network and Y): it takes
    # the checkpoint's, which a later fit on the same data infers again.
    if trainer.task is not None and metadata.get("task") != trainer.task:
        differences.append(f"task: checkpoint {metadata.get('task')!r}, now {trainer.task!r}")
    saved_data = _section(metadata, "data", optional=True) or {}
    current_data = trainer.data_fingerprint or {}
    for key in ("n_samples", "n_features", "n_outputs", "sha256"):
        if saved_data.get(key) != current_data.get(key):
            what = "data contents" if key == "sha256" else key
            differences.append(
                f"{what}: checkpoint {saved_data.get(key)!r}, now {current_data.get(key)!r}"
            )
    saved_validation = _section(metadata, "validation_data", optional=True)
    current_validation = trainer.validation_fingerprint
    if saved_validation != current_validation:
        differences.append(
            f"validation data: checkpoint {_describe(saved_validation)}, "
            f"now {_describe(current_validation)}"
        )
    saved_generator = _section(metadata, "rng").get("bit_generator")
    current_generator = type(trainer.rng.bit_generator).__name__
    if saved_generator != current_generator:
        differences.append(
            f"random generator: checkpoint {saved_generator!r}, now {current_generator!r}"
        )
    saved_callbacks = metadata.get("callbacks")
    if not (
        isinstance(saved_callbacks, list)
        and all(
            isinstance(c, dict) and isinstance(c.get("type"), str) and "scalars" in c
            for c in saved_callbacks
        )
    ):
        raise _Malformed("'callbacks' must be a list of {type, scalars} objects")
    saved_types = [c["type"] for c in saved_callbacks]
    current_types = [type(c).__name__ for c in trainer.callbacks]
    if saved_types != current_types:
        differences.append(f"callbacks: checkpoint {saved_types}, now {current_types}")
    return differences


def _prepare(trainer, arrays: dict, metadata: dict, path: str) -> TrainerState:
    """Validate a checkpoint against ``trainer`` and build its state aside; change nothing.

    Returns the state for :meth:`Trainer.set_state`. Raises ModelFileError for a
    malformed checkpoint, ValueError (listing every difference) for another setup.
    """
    try:
        differences = _differences(trainer, metadata)
        if differences:
            raise ValueError(
                f"cannot resume from {path}: it was made with a different setup:\n  "
                + "\n  ".join(differences)
            )
        return _build_state(trainer, arrays, metadata)
    except _Malformed as problem:
        raise ModelFileError(f"{path}: malformed checkpoint: {problem}") from None


def _build_state(trainer, arrays: dict, metadata: dict) -> TrainerState:
    """The checkpoint's θ, counters, optimizer, generator state, callback states, history."""
    net = trainer.net
    theta = arrays.get("theta")
    if theta is None:
        raise _Malformed("it holds no theta")
    _array_like(theta, net.theta, "theta")
    expected = {"theta"}
    epoch = _integer(metadata.get("epoch"), "epoch")

    # The optimizer: a fresh one of this config tells which arrays and scalars to expect.
    fresh = make_optimizer(trainer.config.solver, net.n_params, net.dtype, trainer.config)
    fresh_arrays, fresh_scalars = fresh.state_dict()
    saved_arrays = {
        name.split(".", 1)[1]: array
        for name, array in arrays.items()
        if name.startswith("optimizer.")
    }
    if set(saved_arrays) != set(fresh_arrays):
        raise _Malformed(
            f"optimizer arrays {sorted(saved_arrays)}, expected {sorted(fresh_arrays)}"
        )
    for name, array in saved_arrays.items():
        _array_like(array, fresh_arrays[name], f"optimizer.{name}")
    expected |= {f"optimizer.{name}" for name in saved_arrays}
    saved_scalars = _section(metadata, "optimizer")
    if set(saved_scalars) != set(fresh_scalars):
        raise _Malformed(
            f"optimizer scalars {sorted(saved_scalars)}, expected {sorted(fresh_scalars)}"
        )
    for name, value in saved_scalars.items():
        if isinstance(fresh_scalars[name], int):
            _integer(value, f"optimizer.{name}")
        else:
            _number(value, f"optimizer.{name}")
    fresh.load_state_dict(saved_arrays, saved_scalars)

    # The random generator: a new bit generator of the same kind takes the state first.
    rng_state = _section(metadata, "rng")
    try:
        type(trainer.rng.bit_generator)().state = rng_state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise _Malformed(f"the random generator's state is invalid ({error})") from None

    # Callbacks: each one's state is loaded into a copy first.
    callback_states = []
    for index, (callback, saved) in enumerate(zip(trainer.callbacks, metadata["callbacks"])):
        prefix = f"callback{index}."
        callback_arrays = {
            name[len(prefix) :]: array for name, array in arrays.items() if name.startswith(prefix)
        }
        expected |= {prefix + name for name in callback_arrays}
        scalars = saved["scalars"]
        if not isinstance(scalars, dict):
            raise _Malformed(f"callbacks[{index}].scalars must be a JSON object")
        if isinstance(callback, EarlyStopping) and "best_theta" in callback_arrays:
            _array_like(callback_arrays["best_theta"], net.theta, f"{prefix}best_theta")
        load_state_dict = getattr(callback, "load_state_dict", None)
        if load_state_dict is not None:
            try:
                copy.deepcopy(callback).load_state_dict(callback_arrays, scalars)
            except (KeyError, TypeError, ValueError, OverflowError) as error:
                raise _Malformed(
                    f"the state of callback {index} ({type(callback).__name__}) is invalid: {error}"
                ) from None
        callback_states.append(StateDict(callback_arrays, scalars))

    unexpected = sorted(set(arrays) - expected)
    if unexpected:
        raise _Malformed(f"unexpected arrays {unexpected}")
    try:
        history = History.from_state(_section(metadata, "history"))
    except (KeyError, TypeError, ValueError) as error:
        raise _Malformed(f"the history is invalid ({error})") from None
    if history.n_epochs != epoch:
        raise _Malformed(f"the history has {history.n_epochs} rows for {epoch} epochs")
    return TrainerState(
        epoch=epoch,
        examples_seen=_integer(metadata.get("examples_seen"), "examples_seen"),
        history=history,
        # NaN before the first batch of a run, so not necessarily finite
        reference_loss=_number(metadata.get("reference_loss"), "reference_loss", finite=False),
        task=metadata.get("task") if metadata.get("task") in TASKS else None,
        theta=theta,
        optimizer=StateDict(saved_arrays, saved_scalars),
        rng=rng_state,
        callbacks=callback_states,
    )


class Checkpoint(Callback):
    """Write a resumable checkpoint every ``every`` epochs into ``directory``.

    Each checkpoint holds the weights, the optimizer's state, the random generator's
    state, every callback's state and the history, written atomically; the newest
    ``keep`` files are kept, so a damaged newest file falls back to the one before. Resume
    with ``Trainer.fit(..., resume_from=directory)`` (or the estimator's ``resume_from``).
    """

    def __init__(self, directory: str | os.PathLike, *, every: int = 1, keep: int = 2) -> None:
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        if not (isinstance(keep, int) and keep >= 1):
            raise ValueError(f"keep must be an integer >= 1, got {keep!r}")
        self.directory = os.fspath(directory)
        self.every = every
        self.keep = keep

    def on_train_begin(self, trainer) -> None:
        check_resumable(trainer.config.solver, "a Checkpoint callback")
        # This run is now the folder's writer: what a killed earlier writer left goes.
        remove_stale_temporaries(self.directory)

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> bool:
        if epoch % self.every == 0:
            save_checkpoint(trainer, self.directory, keep=self.keep)
        return False
