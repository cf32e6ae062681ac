"""The lecture's animals on two features, weight (kg) and length (cm).

The lecture's running example classifies animals from two measurements: weight and
length. No real measurements come with it, so these generators draw them from a small,
documented model, :data:`SPECIES`, built from typical adult sizes:

=========  ======================  ============  ============  =====  ===================
species    group (share)           weight, kg    length, cm    corr.  clipped to
=========  ======================  ============  ============  =====  ===================
cat        domestic cats (1)       4.5 ± 0.8     50 ± 3.5      0.6    2.5–8 kg, 40–62 cm
dog        small breeds (1/4)      7 ± 2.5       44 ± 5        0.6    2–15 kg, 30–60 cm
dog        medium breeds (2/5)     18 ± 5        70 ± 7        0.6    8–32 kg, 52–92 cm
dog        large breeds (7/20)     35 ± 8        92 ± 9        0.6    20–65 kg, 70–120 cm
fox        red foxes (1)           6.5 ± 1.2     66 ± 5        0.5    3.5–10 kg, 52–82 cm
bird       large birds (1)         1.0 ± 0.5     38 ± 8        0.5    0.2–3 kg, 20–65 cm
=========  ======================  ============  ============  =====  ===================

Length is nose to the base of the tail (the tail is left out: it says little about the
animal's size). Each group is a two-dimensional Gaussian (mean ± standard deviation, with
the given correlation between weight and length, since heavier animals are longer),
truncated to the range shown by redrawing the few samples that fall outside.

What the geometry teaches:

- **cats vs dogs** is *almost* linearly separable: most dogs are heavier and longer than
  any cat, but small breeds (Chihuahua, Shih Tzu, Pug: as heavy as a big cat and more
  compact) overlap the cats, so no classifier scores 100%.
- **cat vs non-cat** is not linearly separable: the cats form an island with lighter,
  shorter birds on one side, longer foxes above, compact small dogs below, and bigger
  dogs beyond. A single sigmoid unit (logistic regression) draws one line and must give
  up one side of the island; a hidden layer can enclose it.
- **four classes** cat / dog / fox / bird is the lecture's one-hot example.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._rng import as_generator
from ._base import Dataset, balanced_counts, check_n_samples, shuffled_classes

__all__ = ["SPECIES", "SpeciesGroup", "animals", "cat_vs_noncat", "cats_vs_dogs"]

FEATURE_NAMES = ("weight", "length")
FEATURE_UNITS = ("kg", "cm")


class SpeciesGroup(NamedTuple):
    """One Gaussian group of a species in the (weight, length) plane.

    ``share`` is the fraction of the species drawn from this group; means and standard
    deviations are in kg and cm; samples outside the ranges are redrawn.
    """

    group: str
    share: float
    weight_mean: float
    weight_sd: float
    length_mean: float
    length_sd: float
    correlation: float
    weight_range: tuple[float, float]
    length_range: tuple[float, float]


#: species -> its groups; the model behind every generator in this module (table above).
SPECIES: dict[str, tuple[SpeciesGroup, ...]] = {
    "cat": (SpeciesGroup("domestic cats", 1.0, 4.5, 0.8, 50.0, 3.5, 0.6, (2.5, 8.0), (40, 62)),),
    "dog": (
        SpeciesGroup("small breeds", 0.25, 7.0, 2.5, 44.0, 5.0, 0.6, (2.0, 15.0), (30, 60)),
        SpeciesGroup("medium breeds", 0.40, 18.0, 5.0, 70.0, 7.0, 0.6, (8.0, 32.0), (52, 92)),
        SpeciesGroup("large breeds", 0.35, 35.0, 8.0, 92.0, 9.0, 0.6, (20.0, 65.0), (70, 120)),
    ),
    "fox": (SpeciesGroup("red foxes", 1.0, 6.5, 1.2, 66.0, 5.0, 0.5, (3.5, 10.0), (52, 82)),),
    "bird": (SpeciesGroup("large birds", 1.0, 1.0, 0.5, 38.0, 8.0, 0.5, (0.2, 3.0), (20, 65)),),
}


def _sample_group(rng: np.random.Generator, group: SpeciesGroup, n: int) -> np.ndarray:
    """Draw ``n`` (weight, length) rows from one truncated 2-D Gaussian group."""
    mean = np.array([group.weight_mean, group.length_mean])
    sd = np.array([group.weight_sd, group.length_sd])
    cov = np.outer(sd, sd) * np.array([[1.0, group.correlation], [group.correlation, 1.0]])
    low = np.array([group.weight_range[0], group.length_range[0]])
    high = np.array([group.weight_range[1], group.length_range[1]])
    kept = np.empty((0, 2))
    while kept.shape[0] < n:
        # the ranges hold > 95% of each Gaussian, so one or two rounds suffice
        draw = rng.multivariate_normal(mean, cov, size=2 * (n - kept.shape[0]) + 8)
        draw = draw[np.all((draw >= low) & (draw <= high), axis=1)]
        kept = np.vstack([kept, draw])
    return kept[:n]


def _sample_species(rng: np.random.Generator, species: str, n: int) -> np.ndarray:
    """Draw ``n`` (weight, length) rows of one species, each row's group drawn by share."""
    groups = SPECIES[species]
    which = rng.choice(len(groups), size=n, p=[g.share for g in groups])
    X = np.empty((n, 2))
    for k, group in enumerate(groups):
        rows = which == k
        X[rows] = _sample_group(rng, group, int(rows.sum()))
    return X


def _generate(name, species_per_class, class_names, n_samples, random_state, description):
    """Draw a balanced data set whose class k holds the species ``species_per_class[k]``.

    A class listing several species (non-cat) splits its examples evenly among them.
    """
    n_samples = check_n_samples(n_samples, minimum=len(class_names))
    rng = as_generator(random_state)
    blocks = []
    for members, n_class in zip(species_per_class, balanced_counts(n_samples, len(class_names))):
        counts = balanced_counts(n_class, len(members))
        blocks.append(np.vstack([_sample_species(rng, s, n) for s, n in zip(members, counts)]))
    return shuffled_classes(
        rng,
        blocks,
        feature_names=FEATURE_NAMES,
        feature_units=FEATURE_UNITS,
        class_names=tuple(class_names),
        name=name,
        description=description,
        target_name="species",
    )


def cats_vs_dogs(n_samples: int = 200, random_state=None) -> Dataset:
    """Cats and dogs on weight (kg) and length (cm): the lecture's binary example.

    Parameters
    ----------
    n_samples : int, default=200
        m, the number of examples (at least 2). Half are cats, half dogs; with an odd m
        the cats get the extra one.
    random_state : None, int or numpy.random.Generator
        Seed for the draw; the same seed gives the same data.

    Returns
    -------
    Dataset
        ``X`` of shape (m, 2): weight in kg, length in cm. ``y`` of shape (m,), int64:
        0 = cat, 1 = dog (``class_names == ("cat", "dog")``), rows in random order.
        Dogs mix small, medium and large breeds (see :data:`SPECIES`); the small ones
        overlap the cats, so the classes are not perfectly separable.
    """
    return _generate(
        "cats-dogs",
        [("cat",), ("dog",)],
        ("cat", "dog"),
        n_samples,
        random_state,
        "Cats (0) and dogs (1) by weight (kg) and length (cm); small dog breeds overlap the cats.",
    )


def cat_vs_noncat(n_samples: int = 200, random_state=None) -> Dataset:
    """Cat vs non-cat: a class that no single line can separate.

    Parameters
    ----------
    n_samples : int, default=200
        m, the number of examples (at least 2). Half are cats; the other half is split
        evenly among dogs, foxes and birds.
    random_state : None, int or numpy.random.Generator
        Seed for the draw.

    Returns
    -------
    Dataset
        ``X`` of shape (m, 2): weight in kg, length in cm. ``y`` of shape (m,), int64:
        0 = non-cat, 1 = cat (``class_names == ("non-cat", "cat")``), so that the
        sigmoid output h_θ(x) reads as "probability of cat". The cats sit in an island
        surrounded by the non-cats, which is why this set needs a hidden layer.
    """
    return _generate(
        "cat-noncat",
        [("dog", "fox", "bird"), ("cat",)],
        ("non-cat", "cat"),
        n_samples,
        random_state,
        "Cats (1) among non-cats (0: dogs, foxes and birds in equal numbers) by weight (kg) "
        "and length (cm); not linearly separable.",
    )


def animals(n_samples: int = 400, random_state=None) -> Dataset:
    """Four classes, cat / dog / fox / bird: the lecture's multiclass example.

    Parameters
    ----------
    n_samples : int, default=400
        m, the number of examples (at least 4), split evenly among the four classes (the
        first classes get the remainder when m is not a multiple of 4).
    random_state : None, int or numpy.random.Generator
        Seed for the draw.

    Returns
    -------
    Dataset
        ``X`` of shape (m, 2): weight in kg, length in cm. ``y`` of shape (m,), int64 in
        0..3 with ``class_names == ("cat", "dog", "fox", "bird")``, the order of the
        lecture's one-hot vectors (cat = [1 0 0 0]ᵀ, ..., bird = [0 0 0 1]ᵀ);
        ``dataset.one_hot()`` gives them as rows.
    """
    return _generate(
        "animals",
        [("cat",), ("dog",), ("fox",), ("bird",)],
        ("cat", "dog", "fox", "bird"),
        n_samples,
        random_state,
        "Cats, dogs, foxes and birds by weight (kg) and length (cm), four balanced classes.",
    )
