"""The affine scalings of the commands' data, and their folding into a trained network.

A :class:`Scaling` is an affine map x′ = (x − μ) / s per feature (or per target), so it
can be folded into the first layer of a trained network (:meth:`Scaling.fold_into`), or a
regression target's scaling into its output layer (:meth:`Scaling.fold_into_output`): the
saved model then takes raw features and predicts raw targets, and ``mlplab predict``,
``evaluate`` and an ONNX export need no separate scaler file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Scaling", "ScalingOverflow"]


class ScalingOverflow(ValueError):
    """A feature too large to standardize: ``column`` and ``row`` (0-based, of the X
    given to :meth:`Scaling.fit`), its ``value``, and the ``reason`` with the fix."""

    def __init__(self, message: str, *, column: int, row: int, value: float, reason: str):
        super().__init__(message)
        self.column, self.row, self.value, self.reason = column, row, value, reason


@dataclass
class Scaling:
    """The affine input map x′ = (x − mean) / scale, per feature.

    Attributes
    ----------
    kind : {"divide", "standardize"}
        "divide": the digits' pixels divided by 16 (mean 0); "standardize": mean and
        standard deviation of the training part.
    mean, scale : ndarray of shape (n_features,)
        μ and s; a constant feature gets s = 1 (as in scikit-learn).
    """

    kind: str
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray, kind: str, names=None) -> Scaling:
        """The scaling of ``kind`` for training inputs X of shape (m, n).

        A feature whose spread float64 cannot compute (values near 1e308, whose squares
        overflow) is refused, naming the feature (from ``names``) and its largest value,
        rather than silently scaled to zero.
        """
        n = X.shape[1]
        if kind == "divide":
            return cls(kind, np.zeros(n), np.full(n, 16.0))
        with np.errstate(over="ignore", invalid="ignore"):
            scale = X.std(axis=0)
        for j in np.flatnonzero(~np.isfinite(scale)):
            row = int(np.argmax(np.abs(X[:, j])))
            value = float(X[row, j])
            name = f"{names[j]!r}" if names is not None else f"{j + 1}"
            reason = (
                "too large to standardize in float64 (its square overflows); rescale the "
                "column (e.g. to other units) or use --no-scale"
            )
            raise ScalingOverflow(
                f"feature {name} holds {value!r}, {reason}",
                column=int(j),
                row=row,
                value=value,
                reason=reason,
            )
        scale[~(scale > 1e-12 * np.maximum(1.0, np.abs(X).max(axis=0)))] = 1.0
        return cls(kind, X.mean(axis=0), scale)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(X − mean) / scale, a new float64 array of X's shape."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale

    def fold_into(self, network) -> None:
        """Make ``network`` take raw inputs: θ⁽¹⁾ absorbs the scaling, in place.

        With W = θ⁽¹⁾[:, 1:] and b = θ⁽¹⁾[:, 0], z⁽²⁾ = b + W (x − μ)/s
        = (b − (W/s) μ) + (W/s) x, so W ← W/s column by column and b ← b − W μ: the
        network's outputs on raw x equal the old outputs on scaled x.
        """
        theta = network.thetas[0]
        weights = theta[:, 1:]
        weights /= self.scale.astype(theta.dtype)
        theta[:, 0] -= weights @ self.mean.astype(theta.dtype)

    def fold_into_output(self, network) -> None:
        """Make a regression network predict raw targets: θ⁽ᴸ⁻¹⁾ absorbs the scaling, in place.

        The network was trained on y′ = (y − μ)/s; its identity output h′ = b + W a⁽ᴸ⁻¹⁾, so
        y = μ + s h′ = (μ + s b) + (s W) a⁽ᴸ⁻¹⁾: row k of θ⁽ᴸ⁻¹⁾ is multiplied by s_k and
        μ_k is added to its bias. (The estimators' ``loss_`` stays that of the scaled
        targets; the saved model predicts in the target's own units.)
        """
        if network.output != "identity":
            raise ValueError("only an identity output layer can absorb a target scaling")
        theta = network.thetas[-1]
        theta *= self.scale.astype(theta.dtype)[:, None]
        theta[:, 0] += self.mean.astype(theta.dtype)

    def unfold_from(self, network) -> None:
        """Undo :meth:`fold_into`, in place: ``network`` takes scaled inputs again.

        W ← W·s column by column after b ← b + W μ (with the raw-input W), so the
        network is the one that was trained, up to rounding.
        """
        theta = network.thetas[0]
        weights = theta[:, 1:]
        theta[:, 0] += weights @ self.mean.astype(theta.dtype)
        weights *= self.scale.astype(theta.dtype)

    def unfold_from_output(self, network) -> None:
        """Undo :meth:`fold_into_output`, in place: the network predicts scaled targets."""
        theta = network.thetas[-1]
        theta[:, 0] -= self.mean.astype(theta.dtype)
        theta /= self.scale.astype(theta.dtype)[:, None]

    def to_dict(self) -> dict:
        """Plain values for config.json."""
        return {"kind": self.kind, "mean": self.mean.tolist(), "scale": self.scale.tolist()}
