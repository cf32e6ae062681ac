"""The lecture's examples as runnable demos: each returns its numbers and figures.

Every demo is a function ``demo_<name>(*, out_dir=None, random_state=..., ...)`` that
returns a :class:`DemoResult` (figures as matplotlib Figures, numbers as plain values,
tables as text) and, given ``out_dir``, writes each figure there as
``<name>-<figure>.png``. :data:`DEMOS` maps the command line's names (``mlplab demo NAME``)
to the functions and :data:`DESCRIPTIONS` to one-line descriptions; :func:`run_demo`
looks a name up with an error listing the valid ones.

=========  ===============================================================================
name       the lecture's example
=========  ===============================================================================
logic      NOT, (NOT x₁) AND (NOT x₂), AND, OR from hand-set units; XNOR and XOR from two
xor        no hidden layer cannot learn XOR (≤ 75%); a hidden layer of 2 units can (100%)
cats-dogs  cats vs dogs by weight and length; cat vs non-cat needs a hidden layer
animals    cat / dog / fox / bird with one-hot outputs: native vs one-vs-all vs one-vs-one
features   "features a⁽²⁾ are learned by the network": hidden units in 2-D and on digits
init       random initialization: zero weights never break the symmetry
gradcheck  gradient checking of backprop (and of a buggy gradient)
digits     the lab: digits, learning curves, confusion matrix, misclassified images
=========  ===============================================================================

Each demo runs in a few seconds on two cores; the networks are small, so BLAS runs
single-threaded inside them (its threads only cost time at these sizes). Nothing here
imports matplotlib or scikit-learn until a demo runs.
"""

from __future__ import annotations

from collections.abc import Callable

from ._animals import demo_animals
from ._cats_dogs import demo_cats_dogs
from ._common import DemoResult
from ._digits import demo_digits
from ._features import demo_features
from ._gradcheck import demo_gradcheck
from ._init import demo_init
from ._logic import demo_logic
from ._xor import XOR_SEED, demo_xor, fit_xor

__all__ = [
    "DEMOS",
    "DESCRIPTIONS",
    "XOR_SEED",
    "DemoResult",
    "demo_animals",
    "demo_cats_dogs",
    "demo_digits",
    "demo_features",
    "demo_gradcheck",
    "demo_init",
    "demo_logic",
    "demo_xor",
    "fit_xor",
    "run_demo",
]

#: name -> demo function, in the order of the lecture.
DEMOS: dict[str, Callable[..., DemoResult]] = {
    "logic": demo_logic,
    "xor": demo_xor,
    "cats-dogs": demo_cats_dogs,
    "animals": demo_animals,
    "features": demo_features,
    "init": demo_init,
    "gradcheck": demo_gradcheck,
    "digits": demo_digits,
}

#: name -> one line for ``mlplab demo --help`` and listings.
DESCRIPTIONS: dict[str, str] = {
    "logic": "Boolean functions from hand-set sigmoid units: NOT, NOR, AND, OR, XNOR, XOR.",
    "xor": "No hidden layer cannot learn XOR (<= 75%); a hidden layer of 2 units can (100%).",
    "cats-dogs": "Cats vs dogs by weight and length; cat vs non-cat needs a hidden layer.",
    "animals": "Cat/dog/fox/bird with one-hot outputs: native vs one-vs-all vs one-vs-one.",
    "features": "Features a(2) learned by hidden units: half-planes in 2-D, weights on digits.",
    "init": "Random initialization breaks the symmetry that zero weights never break.",
    "gradcheck": "Gradient checking: backprop vs central differences, and a buggy gradient.",
    "digits": "The lab: digits with learning curves, confusion matrix, misclassified images.",
}


def run_demo(name: str, **kwargs) -> DemoResult:
    """Run the demo called ``name`` (a key of :data:`DEMOS`) with ``kwargs``.

    Raises
    ------
    ValueError
        If ``name`` is not a demo; the message lists the valid names.
    """
    if name not in DEMOS:
        raise ValueError(f"unknown demo {name!r}; valid demos are {', '.join(DEMOS)}")
    return DEMOS[name](**kwargs)
