"""Fixtures of the command-line tests: a runner, a trained run folder, data files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ._helpers import EPOCHS, invoke, write_csv


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory) -> Path:
    """A run folder of ``mlplab train`` with the lab's defaults and a few epochs."""
    out = tmp_path_factory.mktemp("cli") / "digits-run"
    result = invoke("train", "--epochs", EPOCHS, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def digits_config(digits_run) -> dict:
    return json.loads((digits_run / "config.json").read_text(encoding="utf-8"))


@pytest.fixture
def animals_csv(tmp_path) -> Path:
    """Two well-separated classes on features of very different scales, string labels."""
    rng = np.random.default_rng(7)
    rows = []
    for label, (weight, length) in (("cat", (4.0, 46.0)), ("dog", (30.0, 95.0))):
        for _ in range(40):
            rows.append(
                [f"{weight + rng.normal(0, 1):.3f}", f"{length + rng.normal(0, 5):.2f}", label]
            )
    order = rng.permutation(len(rows))
    return write_csv(
        tmp_path / "pets.csv", ["weight_kg", "length_cm", "species"], [rows[i] for i in order]
    )
