"""``coefs_`` and ``intercepts_``: per-layer views of θ that write through to the network.

``coefs_[l]`` is W⁽ˡ⁾ᵀ = θ⁽ˡ⁾[:, 1:].T of shape (u_l, u_{l+1}) (scikit-learn's layout,
inputs as rows) and ``intercepts_[l]`` is the bias column θ⁽ˡ⁾[:, 0] of shape
(u_{l+1},). Both idioms of scikit-learn users write into the network's one parameter
buffer: ``est.coefs_ = [...]`` (the estimator's setter) and ``est.coefs_[l] = W`` (the
list's item assignment, defined here).
"""

from __future__ import annotations

import numpy as np

__all__ = ["LayerList", "check_layer_arrays"]


class LayerList(list):
    """A list of per-layer views of θ whose item assignment copies into the views.

    A plain list would take ``coefs_[0] = W`` by replacing its own item, which the
    network never sees; this one copies W into the view, after checking its shape.
    """

    def __init__(self, name: str, views) -> None:
        super().__init__(views)
        self.name = name

    def __setitem__(self, index, value) -> None:
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"{self.name} takes one layer at a time: {self.name}[l] = array")
        view = list.__getitem__(self, index)
        value = np.asarray(value)
        if value.shape != view.shape:
            raise ValueError(
                f"{self.name}[{index}] must have shape {view.shape}, got {value.shape}"
            )
        view[...] = value

    def __reduce__(self):
        # pickled and deep-copied as a plain list of copies (the views' buffer stays behind)
        return list, (list(self),)


def check_layer_arrays(name: str, arrays, shapes) -> list[np.ndarray]:
    """One array per layer with the given shapes, or a ValueError naming the mismatch."""
    arrays = [np.asarray(a) for a in arrays]
    if len(arrays) != len(shapes):
        raise ValueError(
            f"{name} must hold {len(shapes)} arrays (one per layer), got {len(arrays)}"
        )
    for layer, (array, shape) in enumerate(zip(arrays, shapes)):
        if array.shape != shape:
            raise ValueError(f"{name}[{layer}] must have shape {shape}, got {array.shape}")
    return arrays
