"""Turning a ``random_state`` argument into one ``numpy.random.Generator``."""

from __future__ import annotations

import numbers

import numpy as np


def as_generator(random_state) -> np.random.Generator:
    """Return a Generator for None, an int seed, a SeedSequence, a Generator or a RandomState.

    A Generator is returned as it is (so a caller can pass one stream down a call chain);
    a legacy ``RandomState`` (scikit-learn's currency) seeds a new Generator from one draw.
    """
    if random_state is None or isinstance(
        random_state, (numbers.Integral, np.random.SeedSequence, np.random.Generator)
    ):
        if isinstance(random_state, numbers.Integral) and random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise ValueError(
        "random_state must be None, an int, a numpy Generator or RandomState, "
        f"got {type(random_state).__name__}"
    )


def as_seed(random_state) -> int:
    """An int seed for scikit-learn's ``random_state``: an int as it is (validated as by
    :func:`as_generator`), anything else one draw below 2³² − 1 from its Generator."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        as_generator(random_state)  # the usual validation and error for negative seeds
        return int(random_state)
    return int(as_generator(random_state).integers(2**32 - 1))
