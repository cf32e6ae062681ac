"""The commands' input and target scaling: :class:`mlplab.scaling.Scaling`, in their words.

The scaling, its fit and its folding into θ⁽¹⁾ (or a regression target's into the output
layer) are the library's; the commands only name their own way out of a refusal.
"""

from __future__ import annotations

from .. import scaling
from ..scaling import ScalingOverflow

__all__ = ["Scaling", "ScalingOverflow"]


class Scaling(scaling.Scaling):
    """:class:`mlplab.Scaling`, whose refusal of a too-large feature names ``--no-scale``."""

    too_large_advice = f"{scaling.Scaling.too_large_advice} or use --no-scale"

    def unfold_from(self, network) -> None:
        """Undo :meth:`fold_into`, in place: ``network`` takes scaled inputs again.

        b ← b + W μ (with the raw-input W), then W ← W·s column by column: the network
        is the one that was trained, up to rounding (``mlplab doctor`` on a saved run).
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
