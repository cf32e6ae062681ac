"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os

import numpy as np
import pytest

#: Debian's browser (``apt-get install chromium``; ``.ci/run`` installs it).
CHROMIUM = "/usr/bin/chromium"
#: Without the sandbox (containers) and anything that calls home (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_report_header(config) -> list[str]:
    """Which BLAS kernel runs the matrix products: rounding, and some tests' figures, differ."""
    from threadpoolctl import threadpool_info

    np.ones((2, 2)) @ np.ones((2, 2))  # loads the BLAS library, so threadpoolctl sees it
    return [f"threadpool_info: {threadpool_info()}"]


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded Generator for test data (never numpy's global state)."""
    return np.random.default_rng(12345)


@pytest.fixture
def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR examples: X of shape (4, 2) and Y of shape (4, 1)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, Y


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright; the test is skipped without it."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} does not exist (install Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
