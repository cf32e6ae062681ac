"""Result tables for Jupyter: the Markdown a notebook shows for ``History``, gradient checks,
diagnoses and multiclass comparisons (their ``_repr_markdown_``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["format_cell", "markdown_table"]


def format_cell(value) -> str:
    """A table cell: integers as such, floats to 4 significant digits, text as is."""
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    return str(value)


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence], *, caption: str | None = None
) -> str:
    """A GitHub-flavoured Markdown table (``|`` in cells escaped), with an optional caption."""

    def line(cells) -> str:
        return "| " + " | ".join(format_cell(c).replace("|", "\\|") for c in cells) + " |"

    lines = [f"{caption}\n"] if caption else []
    lines += [line(header), "|" + "|".join("---" for _ in header) + "|"]
    lines += [line(row) for row in rows]
    return "\n".join(lines)
