"""Reading a numeric data set from a CSV file, with errors that point at the bad cell.

The file may be given by its path, or as its bytes or an open file (an upload, say) with
a ``name`` for the messages; every check is the same.

The format: comma-separated, UTF-8 (a byte-order mark and CRLF line ends are fine), one
header row naming the columns, then one example per row. Every feature cell must be a
finite number; the target column may hold numbers or strings. Blank lines are skipped.

Every problem with the file's content raises :class:`CSVFormatError` with a one-line
message naming the file, the line (1-based, counting the header as line 1 and blank
lines too, so it matches an editor's line numbers) and, where there is one, the column
(1-based, with its header name)::

    data.csv, line 4, column 3 ('length_cm'): 'abc' is not a number

The file is parsed with the standard library's :mod:`csv` module; each row is checked as
it is read, and nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from pathlib import Path

import numpy as np

from ..regular_files import read_regular_bytes
from ._base import Dataset

__all__ = ["CSVFormatError", "CSVTable", "load_csv", "read_csv_table"]

# a decimal number, optionally signed, with optional fraction and exponent; ASCII only
# (float() alone would also take "1_000", non-ASCII digits and "nan")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NUMBER_START = re.compile(r"[+-]?\.?\d")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
# integer targets are stored as int64 only while float64 holds every value exactly
_MAX_EXACT_INT = 2.0**53


class CSVFormatError(ValueError):
    """A CSV file that cannot be read as a data set.

    The message is one line: ``"<file>, line <i>, column <j> ('<name>'): <reason>"``, the
    line and column parts present when the problem has a place.

    Attributes
    ----------
    path : str
        The file, as given.
    reason : str
        The message without the location.
    line : int or None
        1-based line number; the header is line 1.
    column : int or None
        1-based column number.
    column_name : str or None
        The header name of ``column`` (None for a field beyond the header's last column).
    """

    def __init__(self, path, reason, line=None, column=None, column_name=None):
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.column = column
        self.column_name = column_name
        where = [self.path]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}" + (f" ({column_name!r})" if column_name else ""))
        super().__init__(f"{', '.join(where)}: {reason}")

    def __reduce__(self):
        # keep the exception picklable despite its keyword constructor
        return type(self), (self.path, self.reason, self.line, self.column, self.column_name)


def _decode(raw: bytes, path: str) -> str:
    """Return the file's text, BOM removed; invalid UTF-8 raises CSVFormatError."""
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line_start = raw.rfind(b"\n", 0, offset) + 1
        raise CSVFormatError(
            path,
            f"invalid UTF-8: byte 0x{raw[offset]:02x} at byte {offset - line_start + 1} of the "
            f"line (byte {offset + 1} of the file); save the file as UTF-8",
            line=raw.count(b"\n", 0, offset) + 1,
        ) from None


def _open_quote_column(text: str) -> int | None:
    """Return the 1-based field whose opening quote is never closed in ``text``, or None.

    ``text`` starts at the beginning of the record the csv module was reading when it hit
    the end of the file; the scan follows the same rules (a quote opens a field only at
    its start, ``""`` inside quotes is a literal quote).
    """
    field, at_start, quoted_field, in_quotes = 1, True, None, False
    i = 0
    while i < len(text):
        c = text[i]
        if in_quotes:
            if c == '"':
                if text.startswith('""', i):
                    i += 1
                else:
                    in_quotes = False
        elif c == '"' and at_start:
            in_quotes, quoted_field, at_start = True, field, False
        elif c == ",":
            field, at_start = field + 1, True
        elif c in "\r\n":
            return None
        else:
            at_start = False
        i += 1
    return quoted_field if in_quotes else None


def _read_records(text: str, path: str) -> list[tuple[int, list[str]]]:
    """Split ``text`` into ``(first line number, fields)`` records, skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    last_line = 0  # csv's line_num after the previous record: where the next one starts
    try:
        for fields in reader:
            start, last_line = last_line + 1, reader.line_num
            if len(fields) > 1 or (fields and fields[0].strip()):
                records.append((start, fields))
    except csv.Error as exc:
        start = last_line + 1
        if "unexpected end of data" in str(exc):
            rest = "".join(text.splitlines(keepends=True)[start - 1 :])
            column = _open_quote_column(rest)
            raise CSVFormatError(
                path,
                "unterminated quoted field: a '\"' opens a field that is never closed",
                line=start,
                column=column,
            ) from None
        raise CSVFormatError(path, f"malformed quoting: {exc}", line=reader.line_num) from None
    return records


def _check_cell(cell: str) -> str | None:
    """Return why ``cell`` (stripped) cannot be a value at all, or None if it can."""
    if not cell:
        return "empty cell (missing value); fill it in or remove the row"
    if _NON_FINITE.fullmatch(cell):
        return f"{cell!r} is a non-finite value; only finite numbers are allowed"
    if _NUMBER.fullmatch(cell) and not math.isfinite(float(cell)):
        # a number, also in the target column: never text, never infinity
        return f"{cell!r} is a non-finite value (too large for a float64)"
    return None


def _parse_number(cell: str) -> tuple[float | None, str | None]:
    """Return ``(value, None)`` for a finite decimal number, else ``(None, reason)``."""
    reason = _check_cell(cell)
    if reason is not None:
        return None, reason
    if not _NUMBER.fullmatch(cell):
        return None, f"{cell!r} is not a number"
    value = float(cell)
    if not math.isfinite(value):
        return None, f"{cell!r} is a non-finite value (too large for a float64)"
    return value, None


class CSVTable:
    """A CSV file's header and rows, read and checked by :func:`read_csv_table`.

    Attributes
    ----------
    path : str
        The file, as given (for messages).
    names : list of str
        The column names (stripped), unique and non-empty.
    rows : list of (int, list of str)
        Each data row's line number (1-based, as an editor counts) and its raw cells.
    """

    def __init__(self, path: str, header_line: int, names: list[str], rows) -> None:
        self.path = path
        self.header_line = header_line
        self.names = names
        self.rows = rows

    def error(self, reason: str, **where) -> CSVFormatError:
        """A :class:`CSVFormatError` about this file."""
        return CSVFormatError(self.path, reason, **where)

    def parse(self, features, target: int | None = None) -> tuple[np.ndarray, list[str]]:
        """The feature columns as numbers, and the target column's cells.

        Rows are checked in file order: the number of fields first, then each cell used,
        left to right. Every feature cell must be a finite decimal number; a target cell
        may be any non-empty text but "nan" or "inf". Columns in neither are not read.

        Parameters
        ----------
        features : sequence of int
            0-based columns, in the order of X's columns.
        target : int, optional
            0-based column of the target.

        Returns
        -------
        X : ndarray of shape (m, len(features)), float64
        targets : list of str
            The target cells, stripped (empty without ``target``).
        """
        names = self.names
        position = {j: k for k, j in enumerate(features)}
        used = sorted({*features, *(() if target is None else (target,))})
        X = np.empty((len(self.rows), len(features)))
        targets = []
        for i, (line, fields) in enumerate(self.rows):
            if len(fields) < len(names):
                j = len(fields)
                raise self.error(
                    f"missing field: the row has {len(fields)} fields, the header {len(names)}",
                    line=line,
                    column=j + 1,
                    column_name=names[j],
                )
            if len(fields) > len(names):
                raise self.error(
                    f"extra field {fields[len(names)].strip()!r}: the row has {len(fields)} "
                    f"fields, the header {len(names)}",
                    line=line,
                    column=len(names) + 1,
                )
            for j in used:
                cell = fields[j].strip()
                value, reason = (None, _check_cell(cell)) if j == target else _parse_number(cell)
                if reason is not None:
                    raise self.error(reason, line=line, column=j + 1, column_name=names[j])
                if j == target:
                    targets.append(cell)
                else:
                    X[i, position[j]] = value
        return X, targets


def _read_source(source, name: str | None) -> tuple[bytes, str]:
    """The bytes of a path, of bytes or of an open file, and the name messages use."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "<bytes>"
    if hasattr(source, "read"):
        raw = source.read()
        if isinstance(raw, str):  # a text stream: its characters, as the UTF-8 they were
            raw = raw.encode("utf-8", "surrogatepass")
        if not isinstance(raw, (bytes, bytearray)):
            raise TypeError(f"read() of the file object returned {type(raw).__name__}, not bytes")
        own = getattr(source, "name", None)
        return bytes(raw), name or (own if isinstance(own, str) else "<file object>")
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"the CSV data must be a path, bytes or an open file, got {source!r:.40}")
    shown = name or os.fspath(source)
    try:
        return read_regular_bytes(source, what="a CSV file"), shown
    except FileNotFoundError:
        raise FileNotFoundError(f"no such CSV file: {shown!r}") from None


def read_csv_table(source, name: str | None = None) -> CSVTable:
    """Read a CSV file's header and rows; the one reader of every data file mlplab takes.

    Checks the bytes (UTF-8), the quoting and the header (non-empty, unique names) and
    that there is at least one data row; :meth:`CSVTable.parse` checks the cells.

    Parameters
    ----------
    source : str, os.PathLike, bytes or file object
        The file's path, or its content (an upload, say): bytes, or an open file (a
        binary one, or a text one whose characters are taken as UTF-8).
    name : str, optional
        How messages name the file. Default: the path as given, a file object's
        ``name``, else ``"<bytes>"`` or ``"<file object>"``.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    CSVFormatError
        For any problem, with file, line and column in the message.
    """
    raw, path_str = _read_source(source, name)
    records = _read_records(_decode(raw, path_str), path_str)
    if not records:
        raise CSVFormatError(
            path_str,
            "the file is empty; expected a header row naming the columns, then data rows",
        )
    line, names = records[0][0], [name.strip() for name in records[0][1]]
    first_seen: dict[str, int] = {}
    for j, name in enumerate(names, start=1):
        if not name:
            raise CSVFormatError(path_str, "empty column name in the header", line=line, column=j)
        if name in first_seen:
            raise CSVFormatError(
                path_str,
                f"duplicate column name (also column {first_seen[name]}); column names "
                "must be unique",
                line=line,
                column=j,
                column_name=name,
            )
        first_seen[name] = j
    if len(records) == 1:
        raise CSVFormatError(path_str, f"no data rows: the file has only the header (line {line})")
    return CSVTable(path_str, line, names, records[1:])


def _targets(values: list[str]) -> np.ndarray:
    """Return the target column as int64, float64 or str, whichever holds it exactly."""
    numbers = [_parse_number(v)[0] for v in values]
    if any(x is None for x in numbers):
        return np.array(values, dtype=str)
    floats = np.array(numbers, dtype=np.float64)
    if np.all(floats == np.round(floats)) and np.all(np.abs(floats) <= _MAX_EXACT_INT):
        return floats.astype(np.int64)
    return floats


def _is_text(cell: str) -> bool:
    """Whether a cell is a word rather than a (possibly malformed) number."""
    return (
        _check_cell(cell) is None
        and any(c.isalpha() for c in cell)
        and not _NUMBER_START.match(cell)
    )


def _refuse_text_features(table: CSVTable, features) -> None:
    """Refuse feature columns that hold text, naming them all and how to encode them.

    A column counts as text when its cell in the first data row holds a letter and does
    not start like a number ("red", "Zürich"; not "0x10" or "1_000", which ``parse``
    reports as malformed numbers, nor empty or non-finite cells).
    """
    line, fields = table.rows[0]
    text = [j for j in features if j < len(fields) and _is_text(fields[j].strip())]
    if not text:
        return
    names = ", ".join(repr(table.names[j]) for j in text)
    example = fields[text[0]].strip()
    raise table.error(
        f"feature column(s) {names} hold text (such as {example!r}), but features must be "
        "numbers: leave them out (drop=[...]; on the command line --drop COLUMN), or encode "
        "them as numbers first, one 0/1 column per category (e.g. pandas.get_dummies)",
        line=line,
        column=text[0] + 1,
        column_name=table.names[text[0]],
    )


def load_csv(source, target: str | None = None, drop=(), *, name: str | None = None) -> Dataset:
    """Load a data set from a CSV file with a header row.

    Parameters
    ----------
    source : str, os.PathLike, bytes or file object
        The file, or its content (bytes, or an open binary or text file): UTF-8 (with
        or without a byte-order mark), comma-separated, LF or CRLF line ends, the first
        non-blank line naming the columns.
    target : str, optional
        Name of the target column. Default: the last column. Every other column is a
        feature, except those in ``drop``.
    drop : sequence of str, optional
        Columns that are not features (an ID, a free-text note): not read at all.
    name : str, optional
        How messages (and the data set's ``name``) call the file, e.g. an upload's
        ``"upload.csv"``. Default: the path as given, a file object's ``name``, else
        ``"<bytes>"``.

    Returns
    -------
    Dataset
        ``X`` of shape (m, n), float64, the feature columns in file order; ``y`` of shape
        (m,): int64 if every target is a whole number (class labels such as 0/1),
        float64 if the targets are numbers but not all whole (a regression target),
        otherwise the cells as strings (surrounding spaces stripped). ``feature_units``
        are all ``""``; ``class_names`` are the distinct labels as strings (``()`` for a
        float target); ``name`` is the file's stem (of ``name`` when given).

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    CSVFormatError
        For any problem with the content, with file, line and column in the message:
        invalid UTF-8; an empty file; a header with fewer than two columns, an empty or
        a duplicate name; no data rows; a missing ``target`` column (the message lists
        the columns); a ``drop`` column that is not in the header; feature columns that
        hold text (named, with how to encode them); a row with too few or too many
        fields; an empty cell; a feature
        cell that is not a number; a "nan" or "inf" cell (in any column); an
        unterminated or malformed quoted field.
    """
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target must be a column name (str) or None, got {target!r}")
    table = read_csv_table(source, name=name)
    path_str, names = table.path, table.names
    if len(names) < 2:
        raise table.error(
            f"the header has 1 column ({names[0]!r}); need at least one feature and a "
            "target column, separated by commas",
            line=table.header_line,
        )
    if target is None:
        t = len(names) - 1
    elif target in names:
        t = names.index(target)
    else:
        available = ", ".join(repr(name) for name in names)
        raise table.error(f"target column {target!r} not found; available columns: {available}")
    drop = [drop] if isinstance(drop, str) else list(drop)
    for name in drop:
        if name not in names:
            available = ", ".join(repr(n) for n in names)
            raise table.error(f"cannot drop column {name!r}: not found; the columns: {available}")
        if names.index(name) == t:
            raise table.error(f"cannot drop column {name!r}: it is the target column")
    features = [j for j in range(len(names)) if j != t and names[j] not in drop]
    if not features:
        raise table.error("no feature column is left after dropping " + ", ".join(drop))
    _refuse_text_features(table, features)
    X, target_cells = table.parse(features, target=t)
    y = _targets(target_cells)
    m = X.shape[0]
    return Dataset(
        X=X,
        y=y,
        feature_names=tuple(names[j] for j in features),
        class_names=() if y.dtype.kind == "f" else tuple(str(c) for c in np.unique(y)),
        name=Path(path_str).stem,
        description=f"{m} rows read from {path_str}; target column {names[t]!r}.",
        target_name=names[t],
    )
