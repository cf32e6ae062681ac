"""The training hyperparameters (scikit-learn's names and defaults) and the task names."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..optimizers import SCHEDULES
from ..solvers import SOLVERS
from ..tasks import TASKS

__all__ = ["TASKS", "TrainingConfig"]


@dataclass
class TrainingConfig:
    """Hyperparameters of the training loop (scikit-learn's names and defaults).

    ``alpha`` is the lecture's λ; ``max_iter`` counts epochs (optimizer iterations for
    ``lbfgs``/``cg``); ``batch_size="auto"`` means ``min(200, m)``; ``learning_rate`` is
    the schedule of ``sgd``.
    """

    solver: str = "adam"
    alpha: float = 1e-4
    batch_size: int | str = "auto"
    learning_rate: str = "constant"
    learning_rate_init: float = 1e-3
    power_t: float = 0.5
    max_iter: int = 200
    shuffle: bool = True
    tol: float = 1e-4
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    n_iter_no_change: int = 10
    max_fun: int = 15000

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise ValueError(
                f"unknown solver {self.solver!r}; valid solvers are "
                + ", ".join(repr(s) for s in SOLVERS)
            )
        if self.learning_rate not in SCHEDULES:
            raise ValueError(
                f"unknown learning_rate schedule {self.learning_rate!r}; valid schedules are "
                + ", ".join(repr(s) for s in SCHEDULES)
            )
        _check_number("alpha", self.alpha, low=0.0)
        _check_number("learning_rate_init", self.learning_rate_init, low=0.0, strict=True)
        _check_number("power_t", self.power_t, low=0.0)
        _check_number("tol", self.tol, low=0.0)
        _check_number("momentum", self.momentum, low=0.0, high=1.0)
        _check_number("beta_1", self.beta_1, low=0.0, high=1.0, open_high=True)
        _check_number("beta_2", self.beta_2, low=0.0, high=1.0, open_high=True)
        _check_number("epsilon", self.epsilon, low=0.0, strict=True)
        _check_int("max_iter", self.max_iter, low=1)
        _check_int("n_iter_no_change", self.n_iter_no_change, low=1)
        _check_int("max_fun", self.max_fun, low=1)
        if self.batch_size != "auto":
            _check_int("batch_size", self.batch_size, low=1, extra="or 'auto'")
        # Plain Python numbers (not numpy scalars), so the config survives JSON in checkpoints.
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, (bool, np.bool_)):
                setattr(self, field.name, bool(value))
            elif isinstance(value, (int, np.integer)):
                if field.name in _FLOAT_FIELDS:
                    setattr(self, field.name, float(value))
                else:
                    setattr(self, field.name, int(value))
            elif isinstance(value, np.floating):
                setattr(self, field.name, float(value))

    def batch_size_for(self, m: int) -> int:
        """The batch size used on m examples: all of them for ``gd``, else ``batch_size``."""
        if self.solver == "gd":
            return m
        size = min(200, m) if self.batch_size == "auto" else int(self.batch_size)
        return max(1, min(size, m))

    def as_dict(self) -> dict:
        """Plain values, for metadata and checkpoint fingerprints."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainingConfig:
        """Build from :meth:`as_dict` output, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


#: TrainingConfig fields that hold real numbers (an int given for one is stored as a float).
_FLOAT_FIELDS = frozenset(
    {"alpha", "learning_rate_init", "power_t", "tol", "momentum", "beta_1", "beta_2", "epsilon"}
)


def _check_number(name, value, *, low=None, high=None, strict=False, open_high=False) -> None:
    """Raise ValueError unless ``value`` is a real number within the bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value <= low if strict else value < low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    if high is not None and (value >= high if open_high else value > high):
        raise ValueError(f"{name} must be {'<' if open_high else '<='} {high}, got {value!r}")


def _check_int(name, value, *, low, extra="") -> None:
    """Raise ValueError unless ``value`` is an integer >= low."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        suffix = f" {extra}" if extra else ""
        raise ValueError(f"{name} must be an integer >= {low}{suffix}, got {value!r}")
