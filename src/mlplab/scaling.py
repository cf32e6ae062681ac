"""Feature scaling, and folding it into θ⁽¹⁾ so that a trained network takes raw inputs.

The lecture's advice for gradient descent: bring the features to similar ranges (weight in
kg and length in cm must weigh alike), by mean normalization x′ⱼ = (xⱼ − μⱼ) / sⱼ with μⱼ
the mean and sⱼ the standard deviation of feature j on the training data. A network
trained on x′ needs the same map at prediction time; because the map is affine and the
first layer computes z⁽²⁾ = θ⁽¹⁾ [1; x′], the map can instead be folded into θ⁽¹⁾
(:meth:`Scaling.fold_into`): the network then takes raw x and computes the same z⁽²⁾, and
its model file, ONNX export or prediction needs no separate scaler.

A regression target scaled the same way, y′ = (y − μ)/s, folds into the output layer
(:meth:`Scaling.fold_into_output`): the network then predicts y in its own units.

==================  =========================================================
lecture             here
==================  =========================================================
μⱼ, sⱼ              ``Scaling.mean[j]``, ``Scaling.scale[j]``
x′ = (x − μ)/s      ``Scaling.transform(X)`` (rows are examples)
θ⁽¹⁾ on x′          ``Scaling.fold_into(network)``: θ⁽¹⁾ then works on raw x
==================  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KINDS", "Scaling", "ScalingOverflow"]

#: The kinds of scaling :meth:`Scaling.fit` computes.
KINDS = ("standardize", "divide")
#: Pixel values of the lecture's 8 × 8 digits run from 0 to 16 ("divide" maps them to [0, 1]).
DIGIT_SCALE = 16.0


class ScalingOverflow(ValueError):
    """A feature too large to standardize (its square overflows float64).

    Attributes
    ----------
    column, row : int
        Where the feature's largest value is, 0-based, in the X given to
        :meth:`Scaling.fit`.
    value : float
        That value.
    reason : str
        What is wrong with it and the fix, without the feature's name (for messages that
        name the place themselves, such as a CSV file's line and column).
    """

    def __init__(self, message: str, *, column: int, row: int, value: float, reason: str):
        super().__init__(message)
        self.column, self.row, self.value, self.reason = column, row, value, reason


@dataclass
class Scaling:
    """The affine input map x′ = (x − mean) / scale, per feature.

    Attributes
    ----------
    kind : {"standardize", "divide"}
        "standardize": mean and standard deviation of the training data; "divide": the
        digits' pixels divided by 16 (mean 0).
    mean, scale : ndarray of shape (n_features,)
        μ and s; a constant feature gets s = 1 (as in scikit-learn).

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab import Network, Scaling
    >>> X = np.array([[4.0, 48.0], [30.0, 90.0], [5.0, 51.0]])  # kg, cm
    >>> scaling = Scaling.fit(X)
    >>> net = Network([2, 3, 1], random_state=0)
    >>> on_scaled = net.forward(scaling.transform(X))
    >>> scaling.fold_into(net)  # θ⁽¹⁾ now takes kg and cm
    >>> bool(np.allclose(net.forward(X), on_scaled))
    True
    """

    kind: str
    mean: np.ndarray
    scale: np.ndarray

    #: The fix a refusal of a too-large feature suggests (a command line adds its option).
    too_large_advice = "rescale the column (e.g. to other units)"

    @classmethod
    def fit(cls, X, kind: str = "standardize", names=None) -> Scaling:
        """The scaling of ``kind`` for training inputs X of shape (m, n).

        Parameters
        ----------
        X : array-like of shape (m, n_features)
            The training inputs (never the validation or test data: their statistics
            would leak into training).
        kind : {"standardize", "divide"}, default="standardize"
        names : sequence of str, optional
            The features' names, for messages.

        Raises
        ------
        ValueError
            An unknown ``kind`` or a shape that is not 2-D.
        ScalingOverflow
            A feature whose spread float64 cannot compute (values near 1e308, whose
            squares overflow), naming the feature and its largest value, rather than
            silently scaling it to zero.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (examples × features), got shape {X.shape}")
        n = X.shape[1]
        if kind == "divide":
            return cls(kind, np.zeros(n), np.full(n, DIGIT_SCALE))
        with np.errstate(over="ignore", invalid="ignore"):
            scale = X.std(axis=0)
        for j in np.flatnonzero(~np.isfinite(scale)):
            row = int(np.argmax(np.abs(X[:, j])))
            value = float(X[row, j])
            name = f"{names[j]!r}" if names is not None else f"{j + 1}"
            reason = (
                f"too large to standardize in float64 (its square overflows); "
                f"{cls.too_large_advice}"
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

    def transform(self, X) -> np.ndarray:
        """(X − mean) / scale, a new float64 array of X's shape."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale

    def fold_into(self, network) -> None:
        """Make ``network`` take raw inputs: θ⁽¹⁾ absorbs the scaling, in place.

        With W = θ⁽¹⁾[:, 1:] and b = θ⁽¹⁾[:, 0], z⁽²⁾ = b + W (x − μ)/s
        = (b − (W/s) μ) + (W/s) x, so W ← W/s column by column and b ← b − W μ: the
        network's outputs on raw x equal the old outputs on scaled x (up to rounding).

        Parameters
        ----------
        network : Network
            Trained on ``transform(X)``; an estimator's ``network_`` (its ``coefs_`` and
            ``intercepts_`` are views of θ and change with it).
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

    def to_dict(self) -> dict:
        """Plain values (for a run's config.json)."""
        return {"kind": self.kind, "mean": self.mean.tolist(), "scale": self.scale.tolist()}
