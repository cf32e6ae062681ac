"""Classic two-dimensional teaching sets: XOR blobs, concentric circles, two spirals.

Each is a balanced binary problem in the plane that a single sigmoid unit (one line)
cannot solve and a hidden layer can, in rising order of difficulty.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validation import check_fraction, check_number
from ._base import Dataset, balanced_counts, check_n_samples, shuffled_classes

__all__ = ["circles", "spirals", "xor_blobs"]


def _binary(name, classes, rng, description) -> Dataset:
    """Class 0 and class 1 stacked, rows shuffled, as a Dataset."""
    return shuffled_classes(
        rng, classes, class_names=("0", "1"), name=name, description=description
    )


def xor_blobs(n_samples: int = 200, noise: float = 0.2, random_state=None) -> Dataset:
    """XOR with noise: Gaussian blobs around the four corners of the XOR truth table.

    The blobs at (0, 0) and (1, 1) are class 0, those at (0, 1) and (1, 0) class 1, so
    the labels are x₁ XOR x₂ of the nearest corner: the lecture's XOR as a sampled data
    set that can be split into training and test examples.

    Parameters
    ----------
    n_samples : int, default=200
        m (at least 2). Half per class, each class split evenly between its two corners.
    noise : float, default=0.2
        Standard deviation of the Gaussian around each corner (≥ 0; 0 gives the four
        corners exactly). Beyond about 0.35 the blobs overlap noticeably.
    random_state : None, int or numpy.random.Generator
        Seed for the draw.

    Returns
    -------
    Dataset
        ``X`` of shape (m, 2), ``y`` of shape (m,), int64 0 / 1.
    """
    n_samples = check_n_samples(n_samples, minimum=2)
    noise = check_number("noise", noise, minimum=0)
    rng = as_generator(random_state)
    corners = {0: [(0.0, 0.0), (1.0, 1.0)], 1: [(0.0, 1.0), (1.0, 0.0)]}
    classes = []
    for label, n_class in enumerate(balanced_counts(n_samples, 2)):
        blobs = [
            corner + noise * rng.standard_normal((n, 2))
            for corner, n in zip(np.array(corners[label]), balanced_counts(n_class, 2))
        ]
        classes.append(np.vstack(blobs))
    return _binary(
        "xor",
        classes,
        rng,
        f"x1 XOR x2 with Gaussian noise (sd {noise:g}) around the corners of the unit square.",
    )


def circles(
    n_samples: int = 200, noise: float = 0.1, factor: float = 0.5, random_state=None
) -> Dataset:
    """Two concentric circles: class 0 on the outer ring, class 1 on the inner one.

    Parameters
    ----------
    n_samples : int, default=200
        m (at least 2), half per circle.
    noise : float, default=0.1
        Standard deviation of the Gaussian added to each point (≥ 0).
    factor : float, default=0.5
        Radius of the inner circle; the outer circle has radius 1. Must be in (0, 1).
    random_state : None, int or numpy.random.Generator
        Seed for the draw.

    Returns
    -------
    Dataset
        ``X`` of shape (m, 2), ``y`` of shape (m,), int64: 0 outer, 1 inner (the labels
        of scikit-learn's ``make_circles``). Angles are drawn uniformly at random.
    """
    n_samples = check_n_samples(n_samples, minimum=2)
    noise = check_number("noise", noise, minimum=0)
    factor = check_fraction("factor (inner radius)", factor)
    rng = as_generator(random_state)
    rings = []
    for radius, n in zip((1.0, float(factor)), balanced_counts(n_samples, 2)):
        angle = rng.uniform(0.0, 2.0 * np.pi, n)
        ring = radius * np.column_stack([np.cos(angle), np.sin(angle)])
        rings.append(ring + noise * rng.standard_normal((n, 2)))
    return _binary(
        "circles",
        rings,
        rng,
        f"Two concentric circles (radii 1 and {factor:g}) with Gaussian noise (sd {noise:g}).",
    )


def spirals(
    n_samples: int = 200, noise: float = 0.05, turns: float = 1.5, random_state=None
) -> Dataset:
    """Two interleaved spirals, one per class: the hardest of the classic 2-D sets.

    A point of arm k at position s ∈ [0, 1] along it lies at radius s and angle
    2π·turns·s + kπ, so arm 1 is arm 0 turned half a circle and the two arms alternate
    with a radial gap of 1 / (2·turns) between them.

    Parameters
    ----------
    n_samples : int, default=200
        m (at least 2), half per arm.
    noise : float, default=0.05
        Standard deviation of the Gaussian added to each point (≥ 0); past about a
        quarter of the gap the arms start to mix.
    turns : float, default=1.5
        How many full turns each arm makes (> 0); more turns need a bigger network.
    random_state : None, int or numpy.random.Generator
        Seed for the draw.

    Returns
    -------
    Dataset
        ``X`` of shape (m, 2) within about the unit disc, ``y`` of shape (m,), int64 0 / 1.
    """
    n_samples = check_n_samples(n_samples, minimum=2)
    noise = check_number("noise", noise, minimum=0)
    turns = check_number("turns", turns, minimum=0, strict=True)
    rng = as_generator(random_state)
    arms = []
    for k, n in enumerate(balanced_counts(n_samples, 2)):
        # sqrt spreads the points about evenly along the arm, whose length grows like s²
        s = np.sqrt(rng.uniform(0.0, 1.0, n))
        angle = 2.0 * np.pi * turns * s + k * np.pi
        arm = s[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
        arms.append(arm + noise * rng.standard_normal((n, 2)))
    return _binary(
        "spirals",
        arms,
        rng,
        f"Two interleaved spirals of {turns:g} turns with Gaussian noise (sd {noise:g}).",
    )
