"""Data sets by name, for the command line's ``--data``: the registry and :func:`load`."""

from __future__ import annotations

import os
from pathlib import Path

from ._animals import animals, cat_vs_noncat, cats_vs_dogs
from ._base import Dataset
from ._csv import load_csv
from ._digits import digits
from ._shapes import circles, spirals, xor_blobs

__all__ = ["DATASETS", "load"]


def _digits(random_state=None) -> Dataset:
    """:func:`digits` with the registry's signature (the digits involve no randomness)."""
    return digits()


#: name -> loader ``f(random_state=...) -> Dataset`` with its default size and noise.
DATASETS = {
    "digits": _digits,
    "xor": xor_blobs,
    "circles": circles,
    "spirals": spirals,
    "cats-dogs": cats_vs_dogs,
    "cat-noncat": cat_vs_noncat,
    "animals": animals,
}


def load(name_or_path, target: str | None = None, random_state=0, drop=()) -> Dataset:
    """Return a registered data set by name, or read a CSV file.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A name in :data:`DATASETS` (``"digits"``, ``"xor"``, ``"circles"``,
        ``"spirals"``, ``"cats-dogs"``, ``"cat-noncat"``, ``"animals"``; case and ``_``
        for ``-`` do not matter), or the path of a CSV file: a path object, a string
        ending in ``.csv``, or any existing file. A registered name wins over a file of
        the same name in the working directory.
    target : str, optional
        The target column of a CSV file (default: its last column). Not allowed with a
        registered name, whose target is fixed.
    drop : sequence of str, optional
        Columns of a CSV file that are not features (see :func:`load_csv`).
    random_state : None, int or numpy.random.Generator, default=0
        Seed of a generated data set; fixed by default so that repeated runs see the
        same data. Ignored for digits and CSV files.

    Returns
    -------
    Dataset
    """
    if not isinstance(name_or_path, os.PathLike):
        if not isinstance(name_or_path, str):
            raise TypeError(f"name_or_path must be a data set name or a path, got {name_or_path!r}")
        key = name_or_path.strip().lower().replace("_", "-")
        if key in DATASETS:
            for given, what in ((target is not None, "target"), (bool(drop), "drop")):
                if given:
                    raise ValueError(
                        f"{what} applies only to CSV files; data set {key!r} has a fixed "
                        "target and features"
                    )
            return DATASETS[key](random_state=random_state)
        if not (name_or_path.lower().endswith(".csv") or Path(name_or_path).is_file()):
            raise ValueError(
                f"unknown data set {name_or_path!r}; valid names: {', '.join(DATASETS)}, "
                "or the path of a .csv file"
            )
    return load_csv(name_or_path, target=target, drop=drop)
