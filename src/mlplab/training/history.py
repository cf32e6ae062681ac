"""The per-epoch record of a training run (what "babysitting" the learning process reads).

A :class:`History` is a table with one row per epoch and named columns; it behaves like a
read-only mapping of column name → 1-D float array (``history["val_loss"]``), so plots,
reports and diagnostics read it without knowing how it was made. ``len(history)`` is the
number of epochs (rows); ``history.columns`` names the columns. In a notebook it shows as
a table. Columns:

====================  ==================================================================
epoch                 1, 2, ... (for L-BFGS/CG, the optimizer's iterations)
train_loss            J on the training data: the mean over the epoch's batches of the
                      batch cost (data loss plus the batch's λ/(2m) Σθ² term)
val_loss              the data loss on the validation data (if any), *without* the
                      λ/(2m) Σθ² term: it does not shift with λ
train_accuracy        classifiers: fraction right over the epoch's batches, as trained
val_accuracy          classifiers: fraction right on the validation data
train_r2              regressors: coefficient of determination over the epoch's batches,
                      as trained (each batch's outputs before its step)
val_r2                regressors: coefficient of determination on the validation data
learning_rate         η of the epoch's last step (Adam: the bias-corrected η_t); a
                      schedule's new η shows in the next epoch's row
grad_norm             ‖D‖ of the epoch's last step
update_ratio_<l>      ‖Δθ⁽ˡ⁾‖ / ‖θ⁽ˡ⁾‖ of the epoch's last step, for each layer l
seconds               wall time of the epoch
====================  ==================================================================
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator, Mapping

import numpy as np

from .._tables import markdown_table
from ..regular_files import read_regular_bytes

__all__ = ["History"]


class History(Mapping):
    """Rows of per-epoch figures; a mapping of column name → ndarray of shape (n_epochs,).

    ``len(history)`` is the number of epochs, as a student counting them expects; iterating
    gives the column names, as for any mapping (``history.keys()`` has their count).
    """

    def __init__(self, columns: list[str] | None = None) -> None:
        self._columns: list[str] = list(columns or [])
        self._rows: list[dict[str, float]] = []

    def append(self, row: Mapping[str, float]) -> None:
        """Add one epoch's figures; new column names are added as they appear."""
        for name in row:
            if name not in self._columns:
                self._columns.append(name)
        self._rows.append({name: float(value) for name, value in row.items()})

    @property
    def columns(self) -> list[str]:
        """Column names in order of first appearance."""
        return list(self._columns)

    @property
    def rows(self) -> list[dict[str, float]]:
        """One dict per epoch (copies)."""
        return [dict(row) for row in self._rows]

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._columns:
            raise KeyError(f"no column {name!r}; columns are {self._columns}")
        return np.array([row.get(name, math.nan) for row in self._rows], dtype=np.float64)

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        """The number of epochs (rows), not of columns."""
        return len(self._rows)

    def keys(self):
        """The column names (a view of their own length, unlike ``len(history)``)."""
        return dict.fromkeys(self._columns).keys()

    def items(self):
        """(column name, ndarray) pairs."""
        return {name: self[name] for name in self._columns}.items()

    def values(self):
        """The columns as ndarrays."""
        return {name: self[name] for name in self._columns}.values()

    @property
    def n_epochs(self) -> int:
        """Number of rows."""
        return len(self._rows)

    def last(self, name: str, default: float = math.nan) -> float:
        """The latest value of a column, or ``default``."""
        if not self._rows:
            return default
        return self._rows[-1].get(name, default)

    def __repr__(self) -> str:
        return f"History(n_epochs={self.n_epochs}, columns={self._columns})"

    def _repr_markdown_(self, head: int = 5, tail: int = 5) -> str:
        """The table as a notebook shows it: the first and last epochs, "…" between."""
        rows = [[row.get(name, math.nan) for name in self._columns] for row in self._rows]
        if len(rows) > head + tail + 1:
            rows = [*rows[:head], ["…"] * len(self._columns), *rows[-tail:]]
        caption = f"History: {self.n_epochs} epochs"
        return markdown_table(self._columns, rows, caption=caption)

    # ------------------------------------------------------------------ CSV
    def to_csv(self, path: str | os.PathLike | None = None) -> str:
        """Write the table as CSV (to ``path`` if given, atomically); return the text."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self._columns)
        for row in self._rows:
            writer.writerow(_format(row.get(name, math.nan), name) for name in self._columns)
        text = buffer.getvalue()
        if path is not None:
            from ..fileformat import atomic_write_bytes

            atomic_write_bytes(path, text.encode("utf-8"))
        return text

    @classmethod
    def from_csv(cls, path: str | os.PathLike) -> History:
        """Read a table written by :meth:`to_csv`."""
        text = read_regular_bytes(path, what="a history file").decode("utf-8")
        reader = csv.reader(io.StringIO(text, newline=""))
        columns = next(reader, None)
        if not columns:
            raise ValueError(f"{os.fspath(path)}: empty history file")
        history = cls(columns)
        for line_number, values in enumerate(reader, start=2):
            if len(values) != len(columns):
                raise ValueError(
                    f"{os.fspath(path)}, line {line_number}: expected {len(columns)} "
                    f"fields, got {len(values)}"
                )
            history.append({name: float(value) for name, value in zip(columns, values)})
        return history

    # ------------------------------------------------------------------ state
    def state(self) -> dict:
        """A JSON-serializable copy (for checkpoints)."""
        return {"columns": self._columns, "rows": [dict(row) for row in self._rows]}

    @classmethod
    def from_state(cls, state: Mapping) -> History:
        """Rebuild a history from :meth:`state`.

        Raises
        ------
        ValueError
            ``state`` is not what :meth:`state` makes: columns a list of distinct strings,
            rows a list of objects mapping some of those columns to numbers.
        """
        columns, rows = state["columns"], state["rows"]
        if not (
            isinstance(columns, list)
            and all(isinstance(name, str) for name in columns)
            and len(set(columns)) == len(columns)
        ):
            raise ValueError(f"history columns must be a list of distinct strings, got {columns!r}")
        if not isinstance(rows, list):
            raise ValueError(f"history rows must be a list, got {type(rows).__name__}")
        for index, row in enumerate(rows):
            if not (
                isinstance(row, Mapping)
                and all(
                    name in columns
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    for name, value in row.items()
                )
            ):
                raise ValueError(
                    f"history row {index} must map columns {columns} to numbers, got {row!r}"
                )
        history = cls(list(columns))
        for row in rows:
            history.append(row)
        return history


def _format(value: float, name: str) -> str:
    """A CSV cell: epochs as integers, NaN as empty-free 'nan', others with full precision."""
    if name == "epoch" and math.isfinite(value):
        return str(int(value))
    return repr(float(value))
