"""Data for the examples, demos, command line and tests; nothing is downloaded.

- :class:`Dataset`, the result of every loader: ``X`` (m, n) float64, ``y`` (m,),
  feature names and units, class names; :func:`one_hot` for the lecture's one-hot Y.
- :func:`truth_table`: NOT, AND, OR, NOR, NAND, XOR, XNOR, the functions the lecture
  builds from hand-set sigmoid units.
- :func:`cats_vs_dogs`, :func:`cat_vs_noncat`, :func:`animals`: the lecture's animals on
  weight (kg) and length (cm), drawn from the documented model :data:`SPECIES`.
- :func:`xor_blobs`, :func:`circles`, :func:`spirals`: classic 2-D teaching sets.
- :func:`digits`, :func:`digits_split`: scikit-learn's bundled 8×8 handwritten digits.
- :func:`load_csv` (errors: :class:`CSVFormatError`), and :func:`load` with the registry
  :data:`DATASETS` behind the command line's ``--data``.

Generated sets take ``random_state`` (None, an int or a ``numpy.random.Generator``) and
are balanced: the classes differ in size by at most one example. scikit-learn is
imported only by the digits functions.
"""

from __future__ import annotations

from ._animals import SPECIES, SpeciesGroup, animals, cat_vs_noncat, cats_vs_dogs
from ._base import Dataset, one_hot
from ._csv import CSVFormatError, load_csv
from ._digits import digits, digits_split
from ._registry import DATASETS, load
from ._shapes import circles, spirals, xor_blobs
from ._truth import TRUTH_TABLES, truth_table

__all__ = [
    "DATASETS",
    "SPECIES",
    "TRUTH_TABLES",
    "CSVFormatError",
    "Dataset",
    "SpeciesGroup",
    "animals",
    "cat_vs_noncat",
    "cats_vs_dogs",
    "circles",
    "digits",
    "digits_split",
    "load",
    "load_csv",
    "one_hot",
    "spirals",
    "truth_table",
    "xor_blobs",
]
