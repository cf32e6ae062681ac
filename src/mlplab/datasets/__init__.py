"""Data for the examples, demos, command line and tests; nothing is downloaded.

- :class:`Dataset`, the result of every loader: ``X`` (m, n) float64, ``y`` (m,),
  feature names and units, class names; :func:`one_hot` for the lecture's one-hot Y.
- :func:`boolean_function`: the truth tables of NOT, AND, OR, NOR, NAND, XOR, XNOR, the
  functions the lecture builds from hand-set sigmoid units (``truth_table``, its old
  name, is deprecated: :func:`mlplab.logic.truth_table` is the table of a network).
- :func:`cats_vs_dogs`, :func:`cat_vs_noncat`, :func:`animals`: the lecture's animals on
  weight (kg) and length (cm), drawn from the documented model :data:`SPECIES`.
- :func:`xor_blobs`, :func:`circles`, :func:`spirals`: classic 2-D teaching sets.
- :func:`digits`, :func:`digits_split`: scikit-learn's bundled 8×8 handwritten digits.
- :func:`load_csv` (errors: :class:`CSVFormatError`) over :func:`read_csv_table`, the one
  CSV reader (``mlplab predict`` reads its inputs with it too), and :func:`load` with the registry
  :data:`DATASETS` behind the command line's ``--data``.

Generated sets take ``random_state`` (None, an int or a ``numpy.random.Generator``) and
are balanced: the classes differ in size by at most one example. scikit-learn is
imported only by the digits functions.
"""

from __future__ import annotations

from ._animals import SPECIES, SpeciesGroup, animals, cat_vs_noncat, cats_vs_dogs
from ._base import Dataset, one_hot
from ._csv import CSVFormatError, CSVTable, load_csv, read_csv_table
from ._digits import digits, digits_split
from ._registry import DATASETS, load
from ._shapes import circles, spirals, xor_blobs
from ._truth import BOOLEAN_FUNCTIONS, BOOLEAN_OPERATIONS, boolean_function

__all__ = [
    "BOOLEAN_FUNCTIONS",
    "BOOLEAN_OPERATIONS",
    "DATASETS",
    "SPECIES",
    "CSVFormatError",
    "CSVTable",
    "Dataset",
    "SpeciesGroup",
    "animals",
    "boolean_function",
    "cat_vs_noncat",
    "cats_vs_dogs",
    "circles",
    "digits",
    "digits_split",
    "load",
    "load_csv",
    "one_hot",
    "read_csv_table",
    "spirals",
    "xor_blobs",
]


_RENAMED = {"truth_table": "boolean_function", "TRUTH_TABLES": "BOOLEAN_FUNCTIONS"}


def __getattr__(name: str):
    """The old names of renamed functions, for one release, with a DeprecationWarning."""
    if name in _RENAMED:
        import warnings

        warnings.warn(
            f"mlplab.datasets.{name} is renamed {_RENAMED[name]} (mlplab.logic.truth_table is "
            "the table of a network); the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module 'mlplab.datasets' has no attribute {name!r}")
