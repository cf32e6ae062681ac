"""The unrolled θ: where each θ⁽ˡ⁾, its weights and its biases lie in the one flat vector.

θ⁽¹⁾, ..., θ⁽ᴸ⁻¹⁾ are stored one after the other, each row-major with shape
(u_{l+1}, u_l + 1) and the bias weights in column 0. Everything that walks over θ (the
network's views, the gradient's views, the regularization term, the optimizers' compiled
row loops, the update ratios of training, the model files' size check) asks a
:class:`ThetaLayout` instead of counting offsets itself.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np

__all__ = ["ThetaLayout"]


class ThetaLayout:
    """The layout of the unrolled θ of a network with the given layer sizes.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[u_1, ..., u_L]``, input first; θ⁽ˡ⁾ has shape (u_{l+1}, u_l + 1).

    Attributes
    ----------
    shapes : list of (int, int)
        The shape of each θ⁽ˡ⁾, in the order they are unrolled.
    offsets : list of int
        Where each θ⁽ˡ⁾ starts in the flat vector (``offsets[l + 1] - offsets[l]`` is its
        size); ``offsets[-1]`` is the total size.
    size : int
        The number of parameters, bias weights included. Only shapes, offsets and size
        are computed up front (O(L)), so a layout can check absurd layer sizes cheaply.
    starts, lengths : ndarray of uint64
        Row r of some θ⁽ˡ⁾ is ``flat[starts[r] : starts[r] + lengths[r]]``; its first entry
        is the bias weight θ⁽ˡ⁾ᵢ₀, the others are weights. The compiled kernels walk these
        rows to apply the regularization (weights only) in one pass.
    """

    def __init__(self, layer_sizes: Sequence[int]) -> None:
        sizes = [int(units) for units in layer_sizes]
        self.shapes = [(n_out, n_in + 1) for n_in, n_out in itertools.pairwise(sizes)]
        self.offsets = [0]
        for rows, cols in self.shapes:
            self.offsets.append(self.offsets[-1] + rows * cols)
        self.size = self.offsets[-1]
        self._scratch: np.ndarray | None = None

    @functools.cached_property
    def starts(self) -> np.ndarray:
        """Offset of each row of each θ⁽ˡ⁾ (uint64; made on first use: O(rows) memory)."""
        starts = [
            range(start, start + rows * cols, cols)
            for (rows, cols), start in zip(self.shapes, self.offsets)
        ]
        # unsigned: the compiled loops then need no negative-index handling
        return np.fromiter(itertools.chain.from_iterable(starts), dtype=np.uint64)

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        """Length of each row of each θ⁽ˡ⁾, u_l + 1 (uint64; made on first use)."""
        return np.concatenate([np.full(rows, cols, dtype=np.uint64) for rows, cols in self.shapes])

    def thetas(self, flat: np.ndarray) -> list[np.ndarray]:
        """The views θ⁽ˡ⁾ of shape (u_{l+1}, u_l + 1) of a flat array laid out like θ.

        ``flat`` must be contiguous for the views to write through (a reshape of a
        strided array would copy).
        """
        return [
            flat[start : start + rows * cols].reshape(rows, cols)
            for (rows, cols), start in zip(self.shapes, self.offsets)
        ]

    def weights(self, flat: np.ndarray) -> list[np.ndarray]:
        """The views W⁽ˡ⁾ = θ⁽ˡ⁾[:, 1:] of shape (u_{l+1}, u_l): the regularized part."""
        return [theta[:, 1:] for theta in self.thetas(flat)]

    def biases(self, flat: np.ndarray) -> list[np.ndarray]:
        """The views b⁽ˡ⁾ = θ⁽ˡ⁾[:, 0] of shape (u_{l+1},): not regularized."""
        return [theta[:, 0] for theta in self.thetas(flat)]

    def squared_weights(self, flat: np.ndarray) -> float:
        """Σₗ Σᵢ Σⱼ≥1 (θ⁽ˡ⁾ᵢⱼ)², the sum in the regularization term λ/(2m) Σ W².

        Summed over the weight views themselves (einsum reads a strided view without
        copying). Taking Σ b² back out of ‖θ‖² instead cancels when the biases dominate
        and can even turn the penalty negative.
        """
        return sum(float(np.einsum("ij,ij->", W, W)) for W in self.weights(flat))

    def add_decay(self, theta: np.ndarray, grad: np.ndarray, decay: float) -> float:
        """grad ← grad + decay·W on the weights; return Σ W² (numpy, in place, no allocation).

        This is the λ/m·θ⁽ˡ⁾ᵢⱼ (j ≥ 1) term of D with ``decay`` = λ/m, and the sum the
        penalty λ/(2m) Σ W² needs. With ``decay`` 0 nothing is added and 0.0 returned.
        """
        if decay == 0:
            return 0.0
        if self._scratch is None or self._scratch.dtype != theta.dtype:
            self._scratch = np.empty(self.size, dtype=theta.dtype)
        squared = 0.0
        for W, G, S in zip(self.weights(theta), self.weights(grad), self.weights(self._scratch)):
            squared += float(np.einsum("ij,ij->", W, W))
            np.multiply(W, decay, out=S)
            G += S
        return squared
