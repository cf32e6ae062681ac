"""Where a training run is: the one object a checkpoint saves and a resume puts back.

A :class:`~mlplab.training.Trainer` hands its state out as a :class:`TrainerState`
(:meth:`Trainer.get_state`) and takes one back whole (:meth:`Trainer.set_state`): the
checkpoint module serializes it, and a fitted estimator rebuilt from a model file gives
its trainer the epochs and examples it had seen. Nothing else sets a trainer's counters.

What is *not* here is the setup the state belongs to (the network's architecture, the
training configuration, the data): a checkpoint stores fingerprints of those beside the
state, to refuse a resume with a different setup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .history import History

__all__ = ["StateDict", "TrainerState"]


class StateDict(NamedTuple):
    """What ``state_dict()`` of an optimizer or a callback returns, and its
    ``load_state_dict`` takes: arrays (tensors in a checkpoint) and JSON scalars."""

    arrays: dict[str, np.ndarray]
    scalars: dict[str, Any]


@dataclass
class TrainerState:
    """Everything a resumed run needs from the run before it, as plain data.

    A field left None leaves that part of the trainer as it is (``theta``: the
    network's weights; ``rng``: the trainer's generator; ``callbacks``: the callbacks'
    states), except ``optimizer``: None means a fresh optimizer at the next ``fit``.

    Attributes
    ----------
    epoch : int
        Epochs completed (L-BFGS/CG: iterations); equals the history's number of rows.
    examples_seen : int
        Training examples visited so far (scikit-learn's ``t_``).
    history : History
        One row per epoch.
    reference_loss : float
        The first batch's cost, the yardstick of divergence (NaN before the first step).
    stop_reason : str or None
        Why the last ``fit`` ended.
    task : str or None
        What the recorded score means (see :func:`mlplab.tasks.infer_task`).
    theta : ndarray of shape (n_params,) or None
        The network's unrolled θ.
    optimizer : StateDict or None
        The optimizer's moments, step count and learning rate.
    rng : dict or None
        The state of the generator that draws the batch order
        (``Generator.bit_generator.state``).
    callbacks : list of StateDict or None
        The state of each of the trainer's callbacks, in the trainer's order.
    """

    epoch: int = 0
    examples_seen: int = 0
    history: History = field(default_factory=History)
    reference_loss: float = math.nan
    stop_reason: str | None = None
    task: str | None = None
    theta: np.ndarray | None = None
    optimizer: StateDict | None = None
    rng: dict | None = None
    callbacks: list[StateDict] | None = None

    def __post_init__(self) -> None:
        if self.history.n_epochs != self.epoch:
            raise ValueError(
                f"the history has {self.history.n_epochs} rows for {self.epoch} epochs"
            )
