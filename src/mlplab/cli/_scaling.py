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
