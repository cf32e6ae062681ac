"""Plain JSON values from what mlplab records: the one conversion every JSON writer uses."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["to_json"]


def to_json(value: Any, *, finite: bool = False) -> Any:
    """``value`` as JSON values: dicts with string keys, lists, str, int, float, bool, None.

    numpy scalars become Python numbers, arrays and tuples lists, dtypes (and numpy
    scalar types such as ``np.float32``) their names, paths strings; anything else its
    ``str``. Mappings and sequences are converted item by item.

    Parameters
    ----------
    value : object
    finite : bool, default=False
        Write NaN and ±infinity as None (JSON has no such numbers); otherwise they stay
        floats, which Python's ``json`` writes as ``NaN`` / ``Infinity``.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.dtype):
        return value.name
    elif isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    elif isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, float):
        return None if finite and not math.isfinite(value) else value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): to_json(item, finite=finite) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item, finite=finite) for item in value]
    return str(value)
