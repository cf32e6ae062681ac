"""The training step's fused passes: numpy reference implementations and compiled ones.

A training step is five matrix products (BLAS) and a handful of element-wise passes:
gathering the batch, f of each hidden layer, the output layer with its loss,
δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)/m and the epoch's metric, f′ of each hidden layer, the L2 term λ/m·θ
(weights only) added to the gradient together with the penalty's Σ W², and the
optimizer's update (the optimizers of :mod:`mlplab.optimizers` call ``adam``, ``sgd``
and their ``*_with_decay`` forms here when given the compiled backend). In numpy each of
those is several ufunc calls, each a pass over memory with its own call overhead;
compiled, each is one pass.

Two interchangeable backends implement the same functions:

- ``numpy`` (:class:`NumpyKernels`): the reference, always available;
- ``numba`` (:class:`NumbaKernels`, code in :mod:`mlplab._numba_kernels`): one fused,
  vectorized loop per function; available when numba is installed (``pip install
  mlplab[fast]``). Compiled lazily on first use — never at ``import mlplab`` — and
  cached on disk, so only the first run on a machine pays the compile time.

Both give the same results to rounding (fused multiply-adds and summation order differ),
which ``tests/perf`` checks. Choose with the environment variable ``MLPLAB_KERNELS``
(``auto``, the default, takes numba when it works and the training call is large enough
to repay loading it; ``numba`` insists on it; ``numpy`` never touches it) or at run time
with :func:`set_backend` / :func:`use_backend`. :func:`kernels_for` returns the backend a
training run uses; :func:`backend_status` says which one is active and why.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES
from .losses import OUTPUTS
from .metrics import count_correct

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "backend_status",
    "kernels_for",
    "set_backend",
    "use_backend",
]

#: Accepted backend names.
BACKENDS = ("auto", "numba", "numpy")

#: The environment variable that picks the backend.
ENV_VAR = "MLPLAB_KERNELS"

#: What the output kernels count besides the loss, by the trainer's task.
TASK_CODES = {None: 0, "multiclass": 1, "binary": 2, "multilabel": 3, "regression": 4}
_TASK_NAMES = {code: name for name, code in TASK_CODES.items()}
_REGRESSION = TASK_CODES["regression"]

#: From this many output entries on, softmax exponentiates with numpy (vectorized).
SOFTMAX_SPLIT_SIZE = 256

#: ``auto`` trains a call on numpy when it is too small for the compiled kernels to
#: matter. They save ~50 µs per step plus ~0.04 ns per example × parameter (measured on
#: digits, float64, 2-core AMD EPYC: 64-32-10 at batch 16 saved 35 µs per step, 64-64-10
#: and 64-25-10 at batch 200 80 µs, 64-100-10 at batch 200 96 µs), and loading them
#: (importing numba and its cached kernels) costs ~0.32 s of CPU once per process. A call
#: that would save less than NUMBA_MIN_SAVING_SECONDS — 10 epochs of digits in batches of
#: 200, a ``partial_fit`` — finishes in milliseconds on numpy, and loading numba would
#: make it many times slower in a fresh process. Larger calls use the compiled kernels:
#: the first in a process pays the load, and every later one gains (a notebook, a search
#: or a benchmark fits many times; measured: a 200-epoch digits fit takes 0.25 s compiled
#: against 0.42 s on numpy). The rule ignores whether they are loaded already: the kernels
#: a fit uses, and so its bits, never depend on what ran before it in the process.
NUMBA_MIN_SAVING_SECONDS = 0.03
NUMBA_SAVING_PER_STEP = 5e-5
NUMBA_SAVING_PER_WORK = 4e-11


def numba_pays_off(steps: float, work: float) -> bool:
    """Whether a training call of ``steps`` optimizer steps and ``work`` examples ×
    parameters is large enough for the compiled kernels (see
    :data:`NUMBA_MIN_SAVING_SECONDS`)."""
    saving = NUMBA_SAVING_PER_STEP * steps + NUMBA_SAVING_PER_WORK * work
    return saving >= NUMBA_MIN_SAVING_SECONDS


#: Stands in for the regression sums when the task has none (numba wants an array).
_NO_SUMS = np.zeros(1)


class NumpyKernels:
    """The reference implementations, in numpy ufunc calls on preallocated buffers."""

    name = "numpy"
    compiled = False

    def __reduce__(self):
        return (_backend_named, (self.name,))

    @staticmethod
    def gather(X, Y, order, start, ws, targets) -> None:
        """Copy the rows ``order[start : start + m]`` of X and Y into the batch buffers.

        X and Y are C-contiguous of the network's dtype; the inputs land in
        ``ws.inputs`` (a⁽¹⁾, the columns 1: of ``ws.a_with_bias[1]``) and the targets in
        ``targets``.
        """
        index = order[start : start + ws.m]
        # np.take into a strided ``out`` would allocate a temporary; a contiguous scratch
        # buffer and one copy do not.
        rows = ws.scratch("gather", (ws.m, X.shape[1]), X.dtype)
        np.take(X, index, axis=0, out=rows, mode="clip")
        np.copyto(ws.inputs, rows)
        np.take(Y, index, axis=0, out=targets, mode="clip")

    @staticmethod
    def output_loss_delta_and_score(
        name, ws, Y, scale, task, residual_ss, weights=None
    ) -> tuple[float, int]:
        """Output layer, loss, δ⁽ᴸ⁾ and score from ``ws.logits`` (z⁽ᴸ⁾), in one pass.

        Fills ``ws.output`` with a⁽ᴸ⁾ and ``ws.delta[-1]`` with δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)·scale.
        Returns the summed loss of the batch and, for a classification ``task`` code, how
        many examples the outputs get right (the score's numerator); for regression,
        Σ (a − y)² per output is added to ``residual_ss`` (R²'s numerator). With example
        weights ``weights`` of shape (m,), row i of δ⁽ᴸ⁾ is multiplied by wᵢ and the loss
        is Σᵢ wᵢ·lossᵢ (the counts and sums stay unweighted).
        """
        if weights is None:
            loss = OUTPUTS[name](ws.logits, ws.output, Y)
        else:
            loss = OUTPUTS[name](ws.logits, ws.output, Y, weights)
        delta = ws.delta[-1]
        np.subtract(ws.output, Y, out=delta)
        correct = 0
        if task == _REGRESSION:
            residual_ss += np.einsum("ij,ij->j", delta, delta)
        elif task:
            correct = count_correct(_TASK_NAMES[task], ws.output, Y)
        delta *= scale
        if weights is not None:
            delta *= weights[:, np.newaxis]
        return loss, correct

    @staticmethod
    def activate(activation, layer, Z) -> None:
        """Z ← f(Z) in place; ``layer`` is ``ws.a_with_bias[l]`` and ``Z`` its a⁽ˡ⁾ view."""
        ACTIVATIONS[activation](Z)

    @staticmethod
    def derivative(activation, layer, delta, ws) -> None:
        """δ⁽ˡ⁾ ← δ⁽ˡ⁾ .* f′(z⁽ˡ⁾), with a⁽ˡ⁾ = f(z⁽ˡ⁾) read from ``layer`` = ``ws.a_with_bias[l]``.

        :data:`mlplab.activations.DERIVATIVES` with a reused scratch buffer of the
        workspace, so no temporary is made per step.
        """
        if activation == "identity":
            return
        if activation == "relu":
            scratch = ws.scratch(("mask", delta.shape[1]), delta.shape, np.bool_)
        else:
            scratch = ws.scratch(("fprime", delta.shape[1]), delta.shape, delta.dtype)
        DERIVATIVES[activation](layer[:, 1:], delta, scratch)

    @staticmethod
    def add_decay(theta, grad, layout, decay) -> float:
        """grad ← grad + decay·W on the weights (``layout``: a ThetaLayout); return Σ W².

        With decay = λ/m this adds the L2 term λ/m·θ⁽ˡ⁾ᵢⱼ (j ≥ 1) to D and returns the
        sum that the penalty λ/(2m) Σ W² needs; with decay 0 it does nothing, returns 0.
        """
        return layout.add_decay(theta, grad, decay)


class NumbaKernels:
    """The same functions as :class:`NumpyKernels`, each one compiled fused loop."""

    name = "numba"
    compiled = True

    def __reduce__(self):
        # a pickled model or trainer refers to the backend by name, never to the module
        return (_backend_named, (self.name,))

    def __init__(self, module) -> None:
        self.module = module
        self._gather = module.gather
        self._relu = module.relu
        self._reciprocal_one_plus = module.reciprocal_one_plus
        self._softmax_shift = module.softmax_shift
        self._softmax_finish = module.softmax_finish
        self._outputs = {
            "softmax": module.softmax_output,
            "sigmoid": module.sigmoid_output,
            "identity": module.identity_output,
        }
        self._derivatives = {
            "relu": module.relu_derivative,
            "sigmoid": module.sigmoid_derivative,
            "tanh": module.tanh_derivative,
        }
        self.adam = module.adam
        self.sgd = module.sgd
        self.adam_with_decay = module.adam_with_decay
        self.sgd_with_decay = module.sgd_with_decay
        self._add_decay = module.add_decay
        self._ready: set[np.dtype] = set()

    def gather(self, X, Y, order, start, ws, targets) -> None:
        """See :meth:`NumpyKernels.gather`."""
        self._gather(X, Y, order, start, ws.a_with_bias[1], targets)

    def output_loss_delta_and_score(
        self, name, ws, Y, scale, task, residual_ss, weights=None
    ) -> tuple[float, int]:
        """See :meth:`NumpyKernels.output_loss_delta_and_score` (which serves the outputs
        not compiled here, and weighted examples: the weighted output pass is numpy's, so
        the two backends agree on it exactly and the unweighted kernels stay as they are)."""
        if weights is not None or name not in self._outputs:
            return NUMPY.output_loss_delta_and_score(name, ws, Y, scale, task, residual_ss, weights)
        output = self._outputs[name]
        if name == "softmax" and ws.output.size >= SOFTMAX_SPLIT_SIZE:
            # numba's exp is scalar; numpy's vectorized exp wins once there are enough
            self._softmax_shift(ws.logits, ws.output)
            np.exp(ws.output, out=ws.output)
            output = self._softmax_finish
        sums = _NO_SUMS if residual_ss is None else residual_ss
        return output(ws.logits, Y, ws.output, ws.delta[-1], scale, task, sums)

    def activate(self, activation, layer, Z) -> None:
        """See :meth:`NumpyKernels.activate`."""
        if activation == "relu":  # np.maximum is several times slower than a plain pass
            self._relu(layer)
        elif activation == "sigmoid":
            # 1/(1 + e^(−z)) with numpy's vectorized exp (scipy's expit and numba's scalar
            # exp both take ~6 ns an entry); e^(−z) = inf gives the right 0. numpy runs
            # over the whole contiguous buffer — a strided view with short rows is slow —
            # and the kernel puts the bias column back to 1.
            flat = layer.reshape(-1)
            np.negative(flat, out=flat)
            np.exp(flat, out=flat)
            self._reciprocal_one_plus(layer)
        else:
            ACTIVATIONS[activation](Z)

    def derivative(self, activation, layer, delta, ws) -> None:
        """See :meth:`NumpyKernels.derivative`."""
        fprime = self._derivatives.get(activation)
        if fprime is not None:
            fprime(layer, delta)

    def add_decay(self, theta, grad, layout, decay) -> float:
        """See :meth:`NumpyKernels.add_decay`."""
        if decay == 0:
            return 0.0
        return self._add_decay(theta, grad, layout.starts, layout.lengths, theta.dtype.type(decay))

    def prepare(self, dtype: np.dtype) -> None:
        """Compile (or load from the disk cache) every kernel for ``dtype``, on toy arrays."""
        if dtype in self._ready:
            return
        k = self.module
        scalar = dtype.type
        X = np.zeros((2, 3), dtype)
        Y = np.zeros((2, 2), dtype)
        layer = np.ones((2, 4), dtype)
        delta = np.zeros((2, 3), dtype)
        sums = np.zeros(2)
        k.gather(X, Y, np.arange(2), 0, layer, Y.copy())
        for function in (*self._outputs.values(), k.softmax_finish):
            for task in range(len(TASK_CODES)):
                function(X[:, :2].copy(), Y, Y.copy(), Y.copy(), scalar(0.5), task, sums)
        k.softmax_shift(X, X.copy())
        k.relu(layer)
        k.reciprocal_one_plus(layer)
        for function in self._derivatives.values():
            function(layer, delta)
        theta = np.zeros(8, dtype)
        starts = np.array([0, 4], dtype=np.uint64)
        lengths = np.array([4, 4], dtype=np.uint64)
        c = scalar(0.5)
        k.add_decay(theta, theta.copy(), starts, lengths, c)
        k.adam(theta, theta.copy(), theta.copy(), theta.copy(), c, c, c, c)
        buffers = (theta, theta.copy(), theta.copy(), theta.copy(), starts, lengths)
        k.adam_with_decay(*buffers, c, c, c, c, c)
        for nesterov in (False, True):
            k.sgd(theta, theta.copy(), theta.copy(), c, c, nesterov)
            k.sgd_with_decay(*buffers[:3], starts, lengths, c, c, c, nesterov)
        self._ready.add(dtype)


NUMPY = NumpyKernels()

_lock = threading.Lock()
_override: str | None = None
_numba: NumbaKernels | None = None
_numba_error: str | None = None


def _check_name(name: str, source: str) -> str:
    """``name`` if it is a backend name, else a ValueError listing them."""
    if name not in BACKENDS:
        valid = ", ".join(repr(b) for b in BACKENDS)
        raise ValueError(f"{source} must be one of {valid}, got {name!r}")
    return name


def requested_backend() -> str:
    """The backend asked for: :func:`set_backend`'s, else ``$MLPLAB_KERNELS``, else auto."""
    if _override is not None:
        return _override
    value = os.environ.get(ENV_VAR, "").strip().lower() or "auto"
    return _check_name(value, f"the environment variable {ENV_VAR}")


def set_backend(name: str | None) -> None:
    """Use backend ``name`` ("auto", "numba" or "numpy") from now on; None: back to the env."""
    global _override
    _override = None if name is None else _check_name(name, "the kernel backend")


@contextlib.contextmanager
def use_backend(name: str | None):
    """A context in which :func:`kernels_for` uses backend ``name``."""
    global _override
    previous = _override
    set_backend(name)
    try:
        yield
    finally:
        _override = previous


def _load_numba() -> NumbaKernels | None:
    """The numba backend, imported on first call; None (with the reason kept) if it fails."""
    global _numba, _numba_error
    if _numba is not None or _numba_error is not None:
        return _numba
    with _lock:
        if _numba is None and _numba_error is None:
            try:
                from . import _numba_kernels
            except ImportError as error:
                _numba_error = f"numba is not installed ({error})"
            except Exception as error:  # a broken install or an unwritable cache
                _numba_error = f"numba failed to load: {type(error).__name__}: {error}"
            else:
                _numba = NumbaKernels(_numba_kernels)
    return _numba


def kernels_for(
    dtype, *, full_batch: bool = False, steps: float | None = None, work: float | None = None
) -> NumpyKernels | NumbaKernels:
    """The backend to train a network of ``dtype`` with, compiled and ready.

    With ``auto``, a numba that is missing falls back to numpy silently and one that fails
    to compile falls back with a RuntimeWarning; with ``numba`` both raise RuntimeError.
    ``auto`` also keeps full-batch training (``full_batch=True``: ``gd``, or a batch size
    of at least m) on numpy: one step per epoch over all the data is all matrix products,
    the fused passes would save nothing measurable, and the slides' gradient descent then
    matches a hand loop over :meth:`mlplab.Network.cost_and_grad` bit for bit. And
    ``auto`` keeps a training call of ``steps`` optimizer steps over ``work`` examples ×
    parameters (both given, or neither) on numpy when it is too small for the compiled
    kernels to matter (:func:`numba_pays_off`): a tiny fit in a fresh process, or in a
    joblib worker, does not pay for importing numba. The choice depends on the call's size only,
    never on what the process loaded before, so a fit gives the same bits in any process.
    """
    requested = requested_backend()
    if requested == "numpy" or (requested == "auto" and full_batch):
        return NUMPY
    if requested == "auto" and work is not None and not numba_pays_off(steps, work):
        return NUMPY
    compiled = _load_numba()
    if compiled is None:
        if requested == "numba":
            raise RuntimeError(f"{ENV_VAR}=numba but {_numba_error}; install mlplab[fast]")
        return NUMPY
    dtype = np.dtype(dtype)
    if dtype not in compiled._ready:
        try:
            with _lock, warnings.catch_warnings():
                # numba's own performance/deprecation notes are not the user's business
                from numba.core.errors import NumbaWarning

                warnings.simplefilter("ignore", NumbaWarning)
                compiled.prepare(dtype)
        except Exception as error:
            message = f"compiling the numba kernels failed ({type(error).__name__}: {error})"
            if requested == "numba":
                raise RuntimeError(message) from error
            _disable(message)
            warnings.warn(
                f"{message}; training continues with the numpy kernels "
                f"(set {ENV_VAR}=numpy to skip numba)",
                RuntimeWarning,
                stacklevel=2,
            )
            return NUMPY
    return compiled


def _backend_named(name: str) -> NumpyKernels | NumbaKernels:
    """The loaded backend called ``name`` (numpy when numba is not available here)."""
    if name == "numba":
        compiled = _load_numba()
        if compiled is not None:
            return compiled
    return NUMPY


def _disable(reason: str) -> None:
    """Stop offering the numba backend for the rest of the process."""
    global _numba, _numba_error
    _numba, _numba_error = None, reason


def backend_status() -> dict[str, str]:
    """{"requested": ..., "numba": "available" or why not} — for diagnostics."""
    requested = requested_backend()
    if requested == "numpy":
        return {"requested": requested, "numba": "not used"}
    _load_numba()
    return {"requested": requested, "numba": "available" if _numba else str(_numba_error)}
