"""Configurations and small helpers shared by the diagnostics tests."""

from __future__ import annotations

#: The healthy configuration: what a careful user would start from on the digits.
HEALTHY = {"hidden_layer_sizes": (64,), "activation": "relu", "solver": "adam"}


def problems(diagnosis) -> list[tuple[str, str, str]]:
    """(status, title, message) of every WARN and FAIL finding, for readable assertions."""
    return [
        (f.status, f.title, f.message) for f in diagnosis.findings if f.status in ("WARN", "FAIL")
    ]
