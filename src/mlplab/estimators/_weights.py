"""``coefs_`` and ``intercepts_``: per-layer views of θ that write through to the network.

``coefs_[l]`` is W⁽ˡ⁾ᵀ = θ⁽ˡ⁾[:, 1:].T of shape (u_l, u_{l+1}) (scikit-learn's layout,
inputs as rows) and ``intercepts_[l]`` is the bias column θ⁽ˡ⁾[:, 0] of shape
(u_{l+1},). Both idioms of scikit-learn users write into the network's one parameter
buffer: ``est.coefs_ = [...]`` (the estimator's setter) and ``est.coefs_[l] = W`` (the
list's item assignment, defined here).
"""

from __future__ import annotations

import numpy as np

from ..network import Network
from ._errors import NotFittedError

__all__ = ["LayerList", "WeightsMixin", "check_layer_arrays"]


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


class WeightsMixin:
    """``coefs_`` and ``intercepts_`` of an estimator whose fitted network is ``network_``."""

    @property
    def coefs_(self) -> LayerList:
        """W⁽ˡ⁾ᵀ per layer, shape (u_l, u_{l+1}): writable views of θ⁽ˡ⁾[:, 1:].T.

        ``coefs_[l] = W`` copies W into the network (see :mod:`._weights`).
        """
        thetas = self._fitted_network("coefs_").thetas
        return LayerList("coefs_", [theta[:, 1:].T for theta in thetas])

    @coefs_.setter
    def coefs_(self, coefs) -> None:
        thetas = self._fitted_network("coefs_").thetas
        coefs = check_layer_arrays("coefs_", coefs, [t[:, 1:].T.shape for t in thetas])
        for theta, coef in zip(thetas, coefs):
            theta[:, 1:] = coef.T

    @property
    def intercepts_(self) -> LayerList:
        """b⁽ˡ⁾ per layer, shape (u_{l+1},): writable views of the bias column θ⁽ˡ⁾[:, 0]."""
        thetas = self._fitted_network("intercepts_").thetas
        return LayerList("intercepts_", [theta[:, 0] for theta in thetas])

    @intercepts_.setter
    def intercepts_(self, intercepts) -> None:
        thetas = self._fitted_network("intercepts_").thetas
        intercepts = check_layer_arrays("intercepts_", intercepts, [t[:, 0].shape for t in thetas])
        for theta, intercept in zip(thetas, intercepts):
            theta[:, 0] = intercept

    def _fitted_network(self, name: str) -> Network:
        """``network_``, or the AttributeError that explains why ``name`` is not there."""
        network = self.__dict__.get("network_")
        if network is not None:
            return network
        if "estimators_" in self.__dict__:
            raise AttributeError(
                f"{name} is not defined for multiclass={self.multiclass!r}: the model is "
                f"{len(self.estimators_)} binary networks; read estimators_[k].{name}"
            )
        raise NotFittedError(
            f"This {type(self).__name__} instance is not fitted yet, so it has no {name}. "
            "Call 'fit' first: the layer shapes come from the data."
        )
