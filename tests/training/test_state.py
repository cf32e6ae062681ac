"""The trainer's state as one object: Trainer.get_state / set_state and TrainerState."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import numpy as np
import pytest

from mlplab.training import TrainerState
from mlplab.training.callbacks import Callback
from mlplab.training.history import History
from mlplab.training.state import StateDict

from ._problems import RESUME_BEST, RESUME_LAST, assert_same_history, resumable_run

SRC = Path(__file__).resolve().parents[2] / "src" / "mlplab"

#: The trainer's run state: only the trainer itself sets these.
RUN_STATE = {"epoch", "examples_seen", "history", "reference_loss", "rng"}


class Capture(Callback):
    """Keeps a copy of the trainer's state after one epoch (what a checkpoint writes)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.state: TrainerState | None = None

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        if epoch == self.epoch:
            self.state = copy.deepcopy(trainer.get_state())  # its arrays are the trainer's


def test_a_run_continued_from_its_state_in_another_trainer_is_exact():
    whole, X, Y, validation = resumable_run(None)
    capture = Capture(5)
    whole.callbacks.append(capture)
    whole.fit(X, Y, validation_data=validation)
    state = capture.state
    assert state.epoch == 5
    assert state.history.n_epochs == 5
    assert state.examples_seen == 5 * X.shape[0]
    assert isinstance(state.optimizer, StateDict)
    pace, stopping, captured = state.callbacks  # Pace, EarlyStopping, Capture
    assert pace == captured == StateDict({}, {})
    assert stopping.scalars["best_epoch"] == RESUME_BEST

    # Another network (other weights) and another seed: everything comes from the state.
    second, _, _, _ = resumable_run(None)
    second.callbacks.append(Capture(0))
    second.net.theta = np.zeros_like(second.net.theta)
    second.rng = np.random.default_rng(999)
    second.set_state(state)
    assert second.epoch == 5
    assert np.array_equal(second.net.theta, state.theta)
    assert second.callbacks[1].best_epoch == RESUME_BEST
    second.fit(X, Y, validation_data=validation)
    assert second.epoch == whole.epoch == RESUME_LAST  # early stopping ended both alike
    assert np.array_equal(second.net.theta, whole.net.theta)
    assert_same_history(second.history, whole.history)


def test_a_state_without_optimizer_gives_a_fresh_one():
    trainer, X, Y, validation = resumable_run(None)
    trainer.fit(X, Y, validation_data=validation, epochs=2)
    assert trainer.optimizer is not None
    history = trainer.history
    trainer.set_state(TrainerState(epoch=2, examples_seen=7, history=history))
    assert trainer.optimizer is None
    assert trainer.examples_seen == 7
    assert trainer.history is history


def test_the_history_must_have_a_row_per_epoch():
    history = History()
    history.append({"epoch": 1, "train_loss": 0.5})
    with pytest.raises(ValueError, match="the history has 1 rows for 2 epochs"):
        TrainerState(epoch=2, history=history)


def test_no_module_sets_the_trainers_run_state_but_the_trainer():
    # Checkpoints and fitted estimators hand a TrainerState to Trainer.set_state.
    setters = []
    for path in sorted(SRC.rglob("*.py")):
        if path.parent.name == "training" and path.name in ("loop.py", "scipy_solvers.py"):
            continue  # the trainer itself
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in RUN_STATE
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "trainer"
                ):
                    setters.append(f"{path.relative_to(SRC)}:{node.lineno} trainer.{target.attr}")
    assert not setters, "\n".join(setters)
