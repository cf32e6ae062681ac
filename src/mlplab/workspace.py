"""The buffers of a batch: a⁽ˡ⁾, z⁽ᴸ⁾ and δ⁽ˡ⁾ of m examples, made once and reused.

The training step and :meth:`mlplab.Network.cost_and_grad` propagate a batch through
preallocated arrays (a :class:`Workspace` per batch size, kept by the network), so a step
in steady state allocates nothing. Their lists are indexed by the lecture's layer numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .memory import allocation

__all__ = ["Workspace", "copy_rows"]


def copy_rows(X, rows, out: np.ndarray) -> None:
    """out ← X[rows] as a dense block, for dense X or a scipy sparse (CSR) X.

    Only the selected rows of a sparse X are made dense, so a sparse data set is never
    densified as a whole: the first layer's product then runs on the dense block.
    """
    block = X[rows]
    if sparse.issparse(block):
        block = block.toarray()
    np.copyto(out, block)


class Workspace:
    """Preallocated buffers for one batch size m, reused by every step of that size.

    Every list is indexed by the lecture's layer number l = 1, ..., L (entries the
    lecture has no symbol for are None), so ``ws.a[l]`` is a⁽ˡ⁾ and ``ws.delta[l]`` is δ⁽ˡ⁾:

    - ``a_with_bias[l]``: ``[1, a⁽ˡ⁾]`` of shape ``(m, u_l + 1)``, its column 0 held at
      one, for l = 1, ..., L − 1 (the input and hidden layers);
    - ``a[l]``: a⁽ˡ⁾ of shape ``(m, u_l)``, for l = 1, ..., L; for l < L the view
      ``a_with_bias[l][:, 1:]`` (where z⁽ˡ⁾ is computed and turned into a⁽ˡ⁾ in place),
      and ``a[L]`` is ``output``;
    - ``delta[l]``: δ⁽ˡ⁾ of shape ``(m, u_l)``, for l = 2, ..., L.

    ``inputs`` is a⁽¹⁾ (where a batch is loaded), ``logits`` z⁽ᴸ⁾, ``output`` a⁽ᴸ⁾, and
    ``scale`` is 1/m in the network's dtype.
    """

    def __init__(self, layer_sizes: Sequence[int], m: int, dtype: np.dtype) -> None:
        self.m = m
        self.L = L = len(layer_sizes)
        units_total = sum(u + 1 for u in layer_sizes[:-1]) + 2 * layer_sizes[-1]
        units_total += sum(layer_sizes[1:])
        with allocation(
            m * units_total * np.dtype(dtype).itemsize,
            f"the activations of a batch of {m:,} examples through layers "
            f"{'-'.join(map(str, layer_sizes))}",
        ):
            self.a_with_bias: list = [None]
            for units in layer_sizes[:-1]:
                with_bias = np.empty((m, units + 1), dtype=dtype)
                with_bias[:, 0] = 1.0
                self.a_with_bias.append(with_bias)
            self.logits = np.empty((m, layer_sizes[-1]), dtype=dtype)
            self.output = np.empty((m, layer_sizes[-1]), dtype=dtype)
            self.delta: list = [None, None]
            self.delta += [np.empty((m, units), dtype=dtype) for units in layer_sizes[1:]]
        self.a: list = [None] + [self.a_with_bias[l][:, 1:] for l in range(1, L)] + [self.output]
        self.inputs = self.a[1]
        self.scale = np.dtype(dtype).type(1.0 / m)
        self._scratch: dict = {}
        #: How many forward passes have filled the buffers (a kept pass is valid only while
        #: no other ran: see :class:`mlplab.training.step.KeptForward`).
        self.forward_passes = 0
        # Views of θ and of the gradient buffer that Network.train_forward/train_backward
        # use, made once for the buffers they were made of, indexed by l as above:
        # θ⁽ˡ⁾ᵀ; D⁽ˡ⁾ and W⁽ˡ⁾ (l = 1, ..., L − 1).
        self.theta_T: list = []
        self.theta_T_of: np.ndarray | None = None
        self.D: list = []
        self.W: list = []
        self.D_and_W_of: tuple = (None, None)

    def scratch(self, key, shape: tuple[int, ...], dtype) -> np.ndarray:
        """A buffer of ``shape`` and ``dtype`` kept under ``key`` (made on first use)."""
        buffer = self._scratch.get(key)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = self._scratch[key] = np.empty(shape, dtype=dtype)
        return buffer
