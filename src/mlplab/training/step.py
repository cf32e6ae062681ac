"""One training step, θ := θ − η D, and the BLAS threads it runs on.

This is the only module of the training loop that knows the kernels (numpy or compiled,
chosen by :func:`mlplab._kernels.kernels_for`) and the BLAS thread count. A step is the
lecture's iteration on one (mini-)batch:

- forward propagation, up to δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)/m (:meth:`Network.train_forward`; J's data
  part comes out on the way);
- backpropagation of δ⁽ˡ⁾ and Δ⁽ˡ⁾/m into the gradient buffer
  (:meth:`Network.train_backward`);
- the optimizer adds the L2 term λ/m·W to get D and updates θ in place
  (``step_with_decay``), returning Σ W² for J's penalty.

The reference of the same mathematics is :meth:`Network.cost_and_grad` followed by the
optimizer's ``step``; tests hold the two to agreement.
"""

from __future__ import annotations

import itertools
import sys
import threading

import numpy as np

from .._kernels import NUMPY, TASK_CODES, kernels_for

__all__ = [
    "NUMPY",
    "TASK_CODES",
    "KeptForward",
    "kernels_for",
    "one_blas_thread",
    "small_products",
    "train_step",
]


def train_step(
    net,
    ws,
    Y_batch,
    grad,
    optimizer,
    kernels,
    task: int,
    residual_ss,
    lam: float,
    divisor=1,
    weights=None,
    forward: tuple[float, int] | None = None,
):
    """One fused step on the batch loaded into ``ws``; θ := θ − η D in place.

    Parameters
    ----------
    net : Network
    ws : Workspace
        Its input buffer holds the batch X of shape (m, n_in).
    Y_batch : ndarray of shape (m, n_out)
    grad : ndarray of shape (n_params,)
        Receives D.
    optimizer : SGD or Adam
    kernels : the element-wise kernels (:func:`mlplab._kernels.kernels_for`)
    task : int
        ``TASK_CODES[task]``: which examples count as right.
    residual_ss : ndarray of shape (n_out,) or None
        Regression: Σ (y − h)² per output is added to it.
    lam : float
        λ.
    divisor : int, default=1
        The data loss is reported divided by it (:attr:`Trainer.loss_divisor`); the
        gradient stays that of J.
    weights : ndarray of shape (m,), optional
        The batch's example weights: m becomes Σw in J and D (scikit-learn's weighting,
        per batch). A batch whose weights are all zero takes no step and costs 0.
    forward : (data loss, examples right), optional
        What :meth:`Network.train_forward` returned for this ``ws`` at the current θ
        (:class:`KeptForward`): the forward pass is not run again.

    Returns
    -------
    cost : float
        J of the batch at the θ before the step (data loss / (m·divisor) + λ/(2m) Σ W²,
        with Σw for m when weighted).
    right : int
        Examples of the batch classified right (0 for regression).
    """
    m = ws.m if weights is None else float(weights.sum())
    if not m > 0:  # no weight in the batch: scored, no step
        weights = None
    if forward is None:
        forward = net.train_forward(ws, Y_batch, kernels, task, residual_ss, weights)
    data_loss, right = forward
    if not m > 0:
        return 0.0, right
    net.train_backward(ws, grad, kernels)
    # D += λ/m·W, returning Σ W² of the θ this batch was evaluated at, so the cost is
    # exactly J of the batch. (Checking it after the step costs nothing: divergence rolls
    # θ back to the start of the epoch anyway.)
    squared = optimizer.step_with_decay(net.theta, grad, net.layout, lam / m)
    return data_loss / (m * divisor) + lam / (2.0 * m) * squared, right


class KeptForward:
    """The forward pass that checks a full-batch epoch, kept as the next epoch's first.

    Full-batch training (``gd``, or a batch of all m examples) takes one step per epoch
    and then scores the new θ with a forward pass over all the data (the divergence
    check). That pass is exactly the next epoch's: :meth:`run` keeps its result (and a
    copy of θ), and :meth:`take` hands it over once, only if θ is unchanged and no other
    forward pass has used the workspace since (a callback may do either).
    """

    def __init__(self) -> None:
        self._result: tuple[float, int] | None = None  # (data loss, examples right)
        self._ws = None  # the workspace the pass filled
        self._forward_passes = 0  # its count of passes right after this one
        self._theta: np.ndarray | None = None
        self._residual_ss: np.ndarray | None = None

    def clear(self) -> None:
        """Forget the kept pass (a new training call: other data, other kernels)."""
        self._result = self._ws = None

    def run(self, net, ws, Y_batch, kernels, task: int, residual_ss, weights) -> float:
        """Forward pass of ``ws``'s batch at the current θ, kept; return its mean data loss.

        The mean is over Σw (m without weights). With ``residual_ss`` (regression) the
        pass's Σ (y − h)² is kept for the next epoch's sums, not added to this one's.
        """
        kept_ss = None
        if residual_ss is not None:
            if self._residual_ss is None or self._residual_ss.shape != residual_ss.shape:
                self._residual_ss = np.empty_like(residual_ss)
            kept_ss = self._residual_ss
            kept_ss.fill(0.0)
        m = ws.m if weights is None else float(weights.sum())
        if not m > 0:  # as train_step scores a batch without weight
            weights, m = None, ws.m
        self._result = net.train_forward(ws, Y_batch, kernels, task, kept_ss, weights)
        if self._theta is None or self._theta.shape != net.theta.shape:
            self._theta = np.empty_like(net.theta)
        np.copyto(self._theta, net.theta)
        self._ws, self._forward_passes = ws, ws.forward_passes
        return self._result[0] / m

    def take(self, net, ws, residual_ss) -> tuple[float, int] | None:
        """The kept (loss, right) if still valid for ``ws`` and θ, else None; used once.

        A valid pass adds its Σ (y − h)² to ``residual_ss`` (when given).
        """
        result, self._result = self._result, None
        if result is None or self._ws is not ws or self._forward_passes != ws.forward_passes:
            return None
        if not np.array_equal(self._theta, net.theta):
            return None
        if residual_ss is not None:
            residual_ss += self._residual_ss
        return result


# ---------------------------------------------------------------------- BLAS threads
#: A step whose largest matrix product has fewer multiply-adds than this runs BLAS on
#: one thread (see :func:`small_products`).
SMALL_PRODUCT = 1 << 22


def small_products(layer_sizes, batch_size: int) -> bool:
    """Whether every matrix product of a step is small enough for one BLAS thread.

    The largest product of a step is m·(u_l + 1)·u_{l+1} multiply-adds for some layer.
    Below about 4 million of them, splitting it over threads saves less than the
    threads cost to wake and to synchronize, and on a busy machine a product spread
    over two threads waits for whichever is descheduled: measured on 2 cores, the
    digits 64-100-10 network at batch 200 fitted 10× slower with OpenBLAS's two
    threads than with one. (784-256 at batch 32, 6.4 million, is faster on two.)
    """
    largest = max(
        batch_size * (n_in + 1) * n_out for n_in, n_out in itertools.pairwise(layer_sizes)
    )
    return largest < SMALL_PRODUCT


class _BlasThreads:
    """Process-wide, reference-counted "one BLAS thread" switch.

    The first of any number of overlapping users (trainers in several threads) saves the
    libraries' thread counts and sets one; the last one out restores them, so the
    process is never left with the setting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: list = []
        self._controllers: list | None = None
        self._modules_seen = 0

    def _libraries(self) -> list:
        """threadpoolctl's controllers of the loaded BLAS libraries.

        Found again only when modules were imported since the last search (scipy brings
        its own OpenBLAS with scipy.linalg), so a training loop that enters every epoch
        does not search every epoch.
        """
        if self._controllers is None or self._modules_seen != len(sys.modules):
            from threadpoolctl import ThreadpoolController

            self._controllers = ThreadpoolController().select(user_api="blas").lib_controllers
            self._modules_seen = len(sys.modules)
        return self._controllers

    def __reduce__(self):
        return "one_blas_thread"  # the module's singleton, by name

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = []
                for library in self._libraries():
                    threads = library.get_num_threads()
                    if threads is not None and threads > 1:
                        library.set_num_threads(1)
                        self._saved.append((library, threads))
            self._users += 1

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                for library, threads in self._saved:
                    library.set_num_threads(threads)
                self._saved = []


#: ``with one_blas_thread:`` runs the block with single-threaded BLAS: the library's one
#: limiter (the training loop, ``mlplab train``, ``mlplab doctor``, the diagnostics and
#: the demos use it).
one_blas_thread = _BlasThreads()
