"""Numbers and words as the report and the command line show them."""

from __future__ import annotations

import html
import math
from typing import Any

#: Why training stopped, in words.
STOP_REASONS = {
    "max_iter": "reached the epoch limit",
    "no_improvement": "no improvement for --patience epochs",
    "converged": "converged",
    "diverged": "diverged (weights of the last good epoch kept)",
    "interrupted": "interrupted (model of the last full epoch)",
}


#: The same, short enough for a summary card.
STOP_REASONS_SHORT = {
    "max_iter": "epoch limit",
    "no_improvement": "no improvement",
    "converged": "converged",
    "diverged": "diverged",
    "interrupted": "interrupted",
}


def format_percent(value: float | None) -> str:
    """0.97333 → "97.33%"; None or NaN → "–"."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{100.0 * value:.2f}%"


def format_score(value: float | None, regression: bool) -> str:
    """R² with four decimals (regression), else accuracy as a percent; None → "–"."""
    if value is None:
        return "–"
    return f"{value:.4f}" if regression else format_percent(value)


def format_loss(value: float | None) -> str:
    """A loss with four significant digits; None or NaN → "–"."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


def format_seconds(value: float | None) -> str:
    """12.3 → "12.3 s"; 75 → "1 min 15 s"."""
    if value is None or not math.isfinite(value):
        return "–"
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds} s"


def format_size(n_bytes: int) -> str:
    """2048 → "2.0 KB"."""
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1024 or unit == "MB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} MB"  # pragma: no cover


def format_value(value: Any) -> str:
    """A configuration value as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) or "none"
    if value is None:
        return "–"
    return str(value)


def esc(value: Any) -> str:
    """Escaped text of any value."""
    return html.escape(value if isinstance(value, str) else format_value(value))
