"""Reports of runs on one's own CSV files in headless Chromium, at desktop and phone widths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlplab.cli import cli

from ..cli._sklearn_csv import sklearn_csv

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    """Where the screenshots are kept for a person to look at: $MLPLAB_TEST_ARTIFACTS/report,
    else pytest's temporary folder (its path is printed with -s)."""
    root = os.environ.get("MLPLAB_TEST_ARTIFACTS")
    folder = Path(root) / "report" if root else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"report screenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """A binary (breast_cancer, with the doctor and the gradient check) and a regression run."""
    folder = tmp_path_factory.mktemp("own-data")
    made = {}
    for name, extra in (
        ("breast_cancer", ["--diagnose", "--gradcheck"]),
        ("diabetes", ["--task", "regression"]),
    ):
        out = folder / f"{name}-run"
        data = sklearn_csv(folder, name)
        args = ["train", "--data", str(data), "--out", str(out), "--epochs", "60", "-q", *extra]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        made[name] = out
    return made


@pytest.mark.parametrize("width", [1100, 420])
@pytest.mark.parametrize("name", ["breast_cancer", "diabetes"])
def test_report_fits_and_loads(browser, runs, artifacts, name, width):
    run = runs[name]
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((run / "report.html").as_uri())
    page.wait_for_load_state("load")
    images = page.evaluate(
        "() => Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
        " width: i.naturalWidth}))"
    )
    files = [entry["file"] for entry in config["figures"]]
    expected = {"roc_pr.png", "calibration.png", "confusion_matrix.png"}
    if name == "diabetes":
        expected = {"predicted_vs_actual.png", "residuals.png"}
    assert expected <= set(files)
    assert len(images) == len(files)
    for image in images:
        assert image["complete"], image
        assert image["width"] > 0, image
    assert errors == []
    # no horizontal scrolling of the page: wide tables scroll inside themselves
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    shot = artifacts / f"{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
    page.close()
