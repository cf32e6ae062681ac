"""The parameters shared by the classifier and the regressor: constraints and their use.

scikit-learn's parameter constraints (its names and ranges, plus mlplab's extras) are
checked by ``_validate_params``; the methods here turn the validated parameters into
what training takes (the hidden layer sizes, the patience, a
:class:`~mlplab.training.TrainingConfig`).
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ..initializers import INITIALIZERS
from ..solvers import EPOCH_SOLVERS, SOLVERS
from ..training import TrainingConfig

__all__ = ["PARAMETER_CONSTRAINTS", "ParamsMixin"]

#: Stand-in patience for ``n_iter_no_change=np.inf``: the counter can never exceed it.
_NEVER = sys.maxsize

#: scikit-learn's constraints of its MLP parameters, and those of mlplab's extras.
PARAMETER_CONSTRAINTS: dict = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions({"identity", "logistic", "sigmoid", "tanh", "relu"})],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state", np.random.Generator],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose", StrOptions({"progress"})],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    # the extras
    "dtype": "no_validation",  # None, or checked by mlplab.network.resolve_dtype
    "initializer": [StrOptions(set(INITIALIZERS))],
    "init_epsilon": [Interval(Real, 0, None, closed="neither"), None],
    "callbacks": [list, tuple, None],
    "checkpoint_dir": [str, os.PathLike, None],
    "checkpoint_every": [Interval(Integral, 1, None, closed="left")],
    "early_stopping_monitor": [StrOptions({"score", "loss"})],
}


class ParamsMixin:
    """The parameters as training takes them."""

    def _hidden_sizes(self) -> list[int]:
        """``hidden_layer_sizes`` as a list of positive ints (an int means one layer)."""
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _patience(self) -> int:
        """n_iter_no_change as an int; ``np.inf`` turns the stopping rule off."""
        n = self.n_iter_no_change
        return _NEVER if math.isinf(n) else int(n)

    def _training_config(self) -> TrainingConfig:
        """The TrainingConfig of these parameters (plain Python numbers, so it serializes)."""
        return TrainingConfig(
            solver=self.solver,
            alpha=float(self.alpha),
            batch_size=self.batch_size if self.batch_size == "auto" else int(self.batch_size),
            learning_rate=self.learning_rate,
            learning_rate_init=float(self.learning_rate_init),
            power_t=float(self.power_t),
            max_iter=int(self.max_iter),
            shuffle=bool(self.shuffle),
            tol=float(self.tol),
            momentum=float(self.momentum),
            nesterovs_momentum=bool(self.nesterovs_momentum),
            beta_1=float(self.beta_1),
            beta_2=float(self.beta_2),
            epsilon=float(self.epsilon),
            n_iter_no_change=self._patience(),
            max_fun=int(self.max_fun),
        )

    def _check_solver(self) -> bool:
        """True for solvers that train epoch by epoch; else the AttributeError of partial_fit."""
        if self.solver not in EPOCH_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is "
                f"not stochastic; use one of {', '.join(EPOCH_SOLVERS)}."
            )
        return True

    def _check_epsilon_meaning(self) -> None:
        """Warn when ``epsilon`` looks like the initializer's ε; it is Adam's."""
        if self.initializer == "uniform" and self.epsilon >= 1e-3:
            warnings.warn(
                f"epsilon={self.epsilon!r} is Adam's ε (numerical stability, default 1e-8), "
                "not the initializer's: for θ ~ U[−ε, ε] pass init_epsilon "
                f"(init_epsilon={self.epsilon!r})",
                UserWarning,
                stacklevel=3,
            )
