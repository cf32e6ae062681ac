"""Fixtures of the demo tests: each demo runs once per session, into its own folder."""

from __future__ import annotations

import pytest

from mlplab.demos import DEMOS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """``demo_run(name)`` -> (DemoResult, out_dir): the demo with its defaults, run once."""
    cache = {}

    def run(name: str):
        if name not in cache:
            out_dir = tmp_path_factory.mktemp(f"demo-{name}")
            cache[name] = (DEMOS[name](out_dir=out_dir), out_dir)
        return cache[name]

    return run
