"""Update rules on the unrolled parameter vector θ.

Each optimizer is a small rule with explicit state. ``step(theta, grad)`` updates the
flat θ **in place** from the gradient D of the current batch, in a handful of vectorized
passes over the whole buffer (never a loop over layers). State can be saved and restored
(``state_dict`` / ``load_state_dict``) so a checkpoint resumes bit for bit.

The formulas and defaults follow scikit-learn's ``MLPClassifier`` so that the same
hyperparameters mean the same thing:

- plain gradient descent, the slides' rule:  θ := θ − η D
- momentum:          v := μ v − η D;   θ := θ + v
- Nesterov momentum: v := μ v − η D;   θ := θ + μ v − η D
- Adam:  m := β₁ m + (1 − β₁) D;  v := β₂ v + (1 − β₂) D²;
         η_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ);  θ := θ − η_t m / (√v + ε)

``kernels`` picks how a step is computed: :data:`mlplab._kernels.NUMPY` (the default,
the whole-array ufunc passes written below) or the compiled backend, which does the same
arithmetic in one fused, vectorized pass over the buffers (the trainer sets it from
:func:`mlplab._kernels.kernels_for`). Both agree to rounding.

``step_with_decay(theta, grad, layout, decay)`` is what the training loop calls: it adds
the L2 term decay·W (decay = λ/m, weights only, as :class:`~mlplab.layout.ThetaLayout`
lays them out) to D, steps, and returns Σ W² of the θ it started from (for the penalty
λ/(2m) Σ W²). It is exactly ``kernels.add_decay`` followed by ``step``; compiled, both
happen row by row in one trip through memory.

Learning-rate schedules (scikit-learn's meanings) apply to ``sgd``: ``constant``;
``invscaling``, η = η₀ / (t + 1)^power_t with t the number of examples seen, set at the
end of each epoch; ``adaptive``, η is divided by 5 each time the monitored quantity stops
improving, and training stops when η falls below 1e-6.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._kernels import NUMPY
from .solvers import SOLVERS

__all__ = ["SCHEDULES", "SGD", "SOLVERS", "Adam", "make_optimizer"]

SCHEDULES = ("constant", "invscaling", "adaptive")


class SGD:
    """Gradient descent with optional (Nesterov) momentum and a learning-rate schedule.

    Parameters
    ----------
    n_params : int
        Size of the unrolled θ.
    dtype : numpy dtype
        The network's dtype; the velocity and scratch buffers share it.
    learning_rate_init : float
        η₀.
    momentum : float
        μ in [0, 1]; 0 gives the slides' plain update θ := θ − η D.
    nesterov : bool
        Use Nesterov's momentum.
    schedule : {"constant", "invscaling", "adaptive"}
    power_t : float
        Exponent of ``invscaling``.
    """

    def __init__(
        self,
        n_params: int,
        dtype,
        *,
        learning_rate_init: float = 0.1,
        momentum: float = 0.9,
        nesterov: bool = True,
        schedule: str = "constant",
        power_t: float = 0.5,
    ) -> None:
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.schedule = schedule
        self.power_t = float(power_t)
        self.velocity = np.zeros(n_params, dtype=dtype) if self.momentum > 0 else None
        self._scratch = np.empty(n_params, dtype=dtype)
        self.kernels = NUMPY

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """One in-place update of θ from the gradient D."""
        if self.kernels.compiled and self.velocity is not None:
            rate, momentum = self._scalars(theta.dtype)
            self.kernels.sgd(theta, grad, self.velocity, rate, momentum, self.nesterov)
            return
        scaled = np.multiply(grad, self.learning_rate, out=self._scratch)  # η D
        if self.velocity is None:
            theta -= scaled  # θ := θ − η D
            return
        velocity = self.velocity
        velocity *= self.momentum
        velocity -= scaled  # v := μ v − η D
        if self.nesterov:
            theta -= scaled
            theta += np.multiply(velocity, self.momentum, out=scaled)  # θ := θ + μ v − η D
        else:
            theta += velocity

    def step_with_decay(self, theta, grad, layout, decay: float) -> float:
        """``kernels.add_decay(theta, grad, layout, decay)`` then ``step``; return Σ W²."""
        if not self.kernels.compiled or self.velocity is None:
            squared = self.kernels.add_decay(theta, grad, layout, decay)
            self.step(theta, grad)
            return squared
        rate, momentum = self._scalars(theta.dtype)
        rows = layout.starts, layout.lengths
        decay = theta.dtype.type(decay)
        buffers = theta, grad, self.velocity
        return self.kernels.sgd_with_decay(*buffers, *rows, decay, rate, momentum, self.nesterov)

    def _scalars(self, dtype: np.dtype) -> tuple:
        """(η, μ) as scalars of θ's dtype, for the compiled kernels."""
        return dtype.type(self.learning_rate), dtype.type(self.momentum)

    def epoch_end(self, examples_seen: int) -> None:
        """Apply the ``invscaling`` schedule: η = η₀ / (t + 1)^power_t."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (examples_seen + 1) ** self.power_t

    def on_plateau(self) -> bool:
        """The monitored quantity stopped improving: return True to keep training.

        With the ``adaptive`` schedule η is divided by 5 and training goes on until η
        falls below 1e-6; with the other schedules a plateau ends training.
        """
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return False
        self.learning_rate /= 5.0
        return True

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(arrays, scalars) that :meth:`load_state_dict` restores exactly."""
        arrays = {} if self.velocity is None else {"velocity": self.velocity}
        return arrays, {"learning_rate": self.learning_rate}

    def load_state_dict(self, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> None:
        """Restore the state saved by :meth:`state_dict`."""
        if self.velocity is not None:
            self.velocity[...] = arrays["velocity"]
        self.learning_rate = float(scalars["learning_rate"])


class Adam:
    """Adam (Kingma & Ba 2014), in scikit-learn's formulation.

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
        η.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        ε added to √v for numerical stability.
    """

    def __init__(
        self,
        n_params: int,
        dtype,
        *,
        learning_rate_init: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.first_moment = np.zeros(n_params, dtype=dtype)
        self.second_moment = np.zeros(n_params, dtype=dtype)
        self._scratch = np.empty(n_params, dtype=dtype)
        self._constants = None  # (dtype, 1 − β₁, 1 − β₂, ε) for the compiled kernel
        self.kernels = NUMPY

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """One in-place Adam update of θ from the gradient D."""
        step_size = self._next_step_size()
        if not self.kernels.compiled:
            self._update(theta, grad, step_size)
            return
        scalar, c1, c2, eps = self._scalars(theta.dtype)
        self.kernels.adam(
            theta, grad, self.first_moment, self.second_moment, c1, c2, scalar(step_size), eps
        )

    def step_with_decay(self, theta, grad, layout, decay: float) -> float:
        """``kernels.add_decay(theta, grad, layout, decay)`` then ``step``; return Σ W²."""
        if not self.kernels.compiled:
            squared = self.kernels.add_decay(theta, grad, layout, decay)
            self.step(theta, grad)
            return squared
        step_size = self._next_step_size()
        scalar, c1, c2, eps = self._scalars(theta.dtype)
        buffers = theta, grad, self.first_moment, self.second_moment
        rows = layout.starts, layout.lengths
        steps = c1, c2, scalar(step_size), eps
        return self.kernels.adam_with_decay(*buffers, *rows, scalar(decay), *steps)

    def _scalars(self, dtype: np.dtype) -> tuple:
        """(dtype.type, 1 − β₁, 1 − β₂, ε) as scalars of θ's dtype, for the kernels."""
        constants = self._constants
        if constants is None or constants[0] is not dtype.type:
            scalar = dtype.type
            betas = scalar(1.0 - self.beta_1), scalar(1.0 - self.beta_2)
            constants = self._constants = (scalar, *betas, scalar(self.epsilon))
        return constants

    def _next_step_size(self) -> float:
        """Count the step and return η_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ), also kept as η."""
        self.t += 1
        # the bias correction of m and v, folded into the step size
        step_size = (
            self.learning_rate_init
            * math.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        self.learning_rate = step_size
        return step_size

    def _update(self, theta: np.ndarray, grad: np.ndarray, step_size: float) -> None:
        """The update itself, in whole-array passes over the reused scratch buffer."""
        m, v, scratch = self.first_moment, self.second_moment, self._scratch
        # m := β₁ m + (1 − β₁) D, written m += (1 − β₁)(D − m) to stay in place
        np.subtract(grad, m, out=scratch)
        scratch *= 1.0 - self.beta_1
        m += scratch
        # v := β₂ v + (1 − β₂) D²
        np.multiply(grad, grad, out=scratch)
        scratch -= v
        scratch *= 1.0 - self.beta_2
        v += scratch
        # θ := θ − η_t m / (√v + ε)
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        np.divide(m, scratch, out=scratch)
        scratch *= step_size
        theta -= scratch

    def epoch_end(self, examples_seen: int) -> None:
        """Adam has no epoch-level schedule."""

    def on_plateau(self) -> bool:
        """A plateau ends training (Adam has no adaptive schedule)."""
        return False

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(arrays, scalars) that :meth:`load_state_dict` restores exactly."""
        arrays = {"first_moment": self.first_moment, "second_moment": self.second_moment}
        return arrays, {"t": self.t, "learning_rate": self.learning_rate}

    def load_state_dict(self, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> None:
        """Restore the state saved by :meth:`state_dict`."""
        self.first_moment[...] = arrays["first_moment"]
        self.second_moment[...] = arrays["second_moment"]
        self.t = int(scalars["t"])
        self.learning_rate = float(scalars["learning_rate"])


def make_optimizer(solver: str, n_params: int, dtype, config) -> SGD | Adam:
    """The optimizer for a first-order ``solver`` ("gd", "sgd" or "adam") from a config."""
    if solver == "adam":
        return Adam(
            n_params,
            dtype,
            learning_rate_init=config.learning_rate_init,
            beta_1=config.beta_1,
            beta_2=config.beta_2,
            epsilon=config.epsilon,
        )
    if solver == "sgd":
        return SGD(
            n_params,
            dtype,
            learning_rate_init=config.learning_rate_init,
            momentum=config.momentum,
            nesterov=config.nesterovs_momentum,
            schedule=config.learning_rate,
            power_t=config.power_t,
        )
    if solver == "gd":
        return SGD(n_params, dtype, learning_rate_init=config.learning_rate_init, momentum=0.0)
    raise ValueError(f"{solver!r} is not a first-order solver; use 'gd', 'sgd' or 'adam'")
