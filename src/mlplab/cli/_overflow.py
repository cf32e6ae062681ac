"""Values that the chosen dtype or the scaling cannot hold, refused before training.

float32 holds magnitudes up to about 3.4e38: a larger feature or target would become
infinity and train a useless model without a word. Each refusal names the value and
where it is: for a CSV file the file, line and column (as the CSV reader's own errors
do, read again through the same reader); for a built-in data set the example's number.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "check_fits_dtype",
    "check_inputs_fit",
    "check_outputs_finite",
    "refuse_text_targets",
    "value_error",
]


def value_error(dataset, source: str, csv: bool, column: str, row: int, problem) -> ValueError:
    """The error for the value of ``column`` (a feature or the target) in example ``row``.

    ``row`` counts the data set's examples from 0, in file order; ``problem`` has the
    ``value`` and the ``reason`` (what is wrong with it, and the fix).
    """
    if csv:
        from ..datasets import read_csv_table

        table = read_csv_table(source)
        j = table.names.index(column)
        line, fields = table.rows[row]
        return table.error(
            f"{fields[j].strip()!r} is {problem.reason}",
            line=line,
            column=j + 1,
            column_name=column,
        )
    what = "the target" if column == dataset.target_name else f"feature {column!r}"
    return ValueError(
        f"{source}: {what} holds {problem.value!r} (example {row + 1}), {problem.reason}"
    )


class _Problem:
    def __init__(self, value: float, reason: str) -> None:
        self.value, self.reason = value, reason


def check_fits_dtype(data, dtype: str, source: str) -> None:
    """Refuse features (raw or scaled) or regression targets that ``dtype`` cannot hold."""
    largest = float(np.finfo(np.dtype(dtype)).max)
    dataset = data.dataset
    beyond = f"beyond the largest {dtype} ({largest:.4g})"
    checks = [(dataset.X, "{}, " + beyond + "; rescale the column, or use --dtype float64")]
    if data.scaling is not None:
        checks.append(
            (data.scaled(dataset.X), "{} after scaling, " + beyond + "; use --dtype float64")
        )
    for X, reason in checks:
        too_large = np.abs(X) > largest
        if too_large.any():
            i, j = np.argwhere(too_large)[0]
            value = float(X[i, j])
            shown = "too large" if X is dataset.X else f"{value:.4g}"
            problem = _Problem(value, reason.format(shown))
            name = dataset.feature_names[j]
            raise value_error(dataset, source, not data.builtin, name, int(i), problem)
    if data.task == "regression":
        y = np.asarray(dataset.y, dtype=np.float64)
        rows = np.flatnonzero(np.abs(y) > largest)
        if rows.size:
            problem = _Problem(
                float(y[rows[0]]), f"too large, {beyond}; rescale it, or use --dtype float64"
            )
            name = dataset.target_name
            raise value_error(dataset, source, not data.builtin, name, int(rows[0]), problem)


def refuse_text_targets(dataset, source: str, csv: bool) -> None:
    """Refuse a target column with text for a regressor, naming the first such cell."""
    y = np.asarray(dataset.y)
    if y.dtype.kind in "iuf":
        return
    for row, cell in enumerate(y.tolist()):
        try:
            float(cell)
        except (TypeError, ValueError):
            reason = (
                "not a number, but the model is a regressor: give the target column of "
                "numbers it was trained on (--target)"
            )
            problem = _Problem(cell, reason)
            raise value_error(dataset, source, csv, dataset.target_name, row, problem) from None


def check_inputs_fit(X, names, dtype, source: str, csv: bool, dataset=None) -> None:
    """Refuse inputs that a model of ``dtype`` cannot hold (they would become infinity).

    ``X`` rows are the file's data rows in order; ``names`` its columns' names.
    """
    largest = float(np.finfo(np.dtype(dtype)).max)
    too_large = np.abs(X) > largest
    if too_large.any():
        i, j = np.argwhere(too_large)[0]
        problem = _Problem(
            float(X[i, j]),
            f"too large for the model, beyond the largest {np.dtype(dtype).name} "
            f"({largest:.4g}); give values on the scale the model was trained on",
        )
        raise value_error(dataset, source, csv, str(names[j]), int(i), problem)


def check_outputs_finite(outputs, source: str, csv: bool) -> None:
    """Refuse a prediction that is not a finite number (features too large for the network)."""
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    bad = np.flatnonzero(~np.isfinite(outputs).all(axis=1))
    if not bad.size:
        return
    reason = (
        "the model's output for this row is not a finite number: its features are too "
        "large for the network; give values on the scale the model was trained on"
    )
    if csv:
        from ..datasets import read_csv_table

        table = read_csv_table(source)
        raise table.error(reason, line=table.rows[int(bad[0])][0])
    raise ValueError(f"{source}: example {int(bad[0]) + 1}: {reason}")
