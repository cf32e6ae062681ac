"""The Boolean functions the lecture builds from sigmoid units, as data sets (their truth tables).

Named :func:`boolean_function` so as not to clash with :func:`mlplab.logic.truth_table`,
the slide's table of a *network* (its inputs, hidden activations and h_θ(x)).
"""

from __future__ import annotations

import itertools

import numpy as np

from ._base import Dataset

__all__ = ["BOOLEAN_FUNCTIONS", "BOOLEAN_OPERATIONS", "boolean_function"]

# name -> (number of inputs, output as a function of the input bits, description)
_FUNCTIONS = {
    "not": (1, lambda x1: 1 - x1, "NOT x1: 1 when the input is 0"),
    "and": (2, lambda x1, x2: x1 & x2, "x1 AND x2: 1 when both inputs are 1"),
    "or": (2, lambda x1, x2: x1 | x2, "x1 OR x2: 1 when at least one input is 1"),
    "nor": (2, lambda x1, x2: 1 - (x1 | x2), "(NOT x1) AND (NOT x2): 1 when both inputs are 0"),
    "nand": (2, lambda x1, x2: 1 - (x1 & x2), "NOT (x1 AND x2): 0 only when both inputs are 1"),
    "xor": (2, lambda x1, x2: x1 ^ x2, "x1 XOR x2: 1 when exactly one input is 1"),
    "xnor": (2, lambda x1, x2: 1 - (x1 ^ x2), "x1 XNOR x2: 1 when the inputs are equal"),
}

#: Names accepted by :func:`boolean_function`.
BOOLEAN_FUNCTIONS = tuple(_FUNCTIONS)

#: name -> the function itself, of 0/1 (or bool) inputs: ``BOOLEAN_OPERATIONS["and"](1, 1)``.
BOOLEAN_OPERATIONS = {name: function for name, (_, function, _) in _FUNCTIONS.items()}


def boolean_function(name: str) -> Dataset:
    """Return the complete truth table of a Boolean function as a data set (X, y).

    The lecture builds NOT, AND, OR and (NOT x₁) AND (NOT x₂) from a single sigmoid unit
    and XNOR / XOR from a hidden layer; these tables are what those networks must
    reproduce (XOR and XNOR are the ones a single layer cannot).

    Parameters
    ----------
    name : {"not", "and", "or", "nor", "nand", "xor", "xnor"}
        The function (case-insensitive). NOT has one input, the others two.

    Returns
    -------
    Dataset
        ``X`` of shape (2ᵏ, k) with entries 0.0 / 1.0, rows in the lecture's order
        (``0``, ``1`` for NOT; ``00``, ``01``, ``10``, ``11`` for two inputs); ``y`` of
        shape (2ᵏ,), int64 0 / 1; ``feature_names`` ``("x1",)`` or ``("x1", "x2")``;
        ``class_names`` ``("0", "1")``.

    Examples
    --------
    >>> table = boolean_function("xor")
    >>> table.X.tolist(), table.y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in _FUNCTIONS:
        raise ValueError(
            f"unknown Boolean function {name!r}; valid names: {', '.join(BOOLEAN_FUNCTIONS)}"
        )
    n_inputs, function, description = _FUNCTIONS[key]
    # itertools.product counts in binary, most significant input first: 00, 01, 10, 11
    bits = np.array(list(itertools.product((0, 1), repeat=n_inputs)), dtype=np.int64)
    y = function(*bits.T).astype(np.int64)
    return Dataset(
        X=bits.astype(np.float64),
        y=y,
        feature_names=tuple(f"x{j + 1}" for j in range(n_inputs)),
        class_names=("0", "1"),
        name=key,
        description=f"Truth table of {description}.",
        target_name=key,
    )
