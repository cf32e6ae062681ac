"""The report of a real ``mlplab train`` run, rendered by a headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlplab.cli import cli
from mlplab.runs import format_loss, format_percent

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A digits run (few epochs) with the gradient check, so that every section shows."""
    out = tmp_path_factory.mktemp("browser") / "run"
    result = CliRunner().invoke(
        cli, ["train", "--hidden", "16", "--epochs", "8", "--gradcheck", "-q", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_report_renders_in_chromium(browser, run_folder, tmp_path):
    config = json.loads((run_folder / "config.json").read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((run_folder / "report.html").as_uri())
    page.wait_for_load_state("load")

    images = page.evaluate(
        "() => Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
        " width: i.naturalWidth, height: i.naturalHeight}))"
    )
    figures = [entry["file"] for entry in config["figures"]]
    assert len(images) == len(figures) >= 5
    for image in images:
        assert image["complete"], image
        assert image["width"] > 0, image
        assert image["height"] > 0, image

    text = page.inner_text("body")
    for part, values in config["metrics"].items():
        assert format_percent(values["accuracy"]) in text, part
        assert format_loss(values["loss"]) in text, part
    assert f"{format_percent(config['metrics']['test']['accuracy'])}\ntest accuracy" in text
    assert "Gradient check" in text
    assert "Diagnostics" in text

    # nothing but the page itself was loaded: the figures are data: URIs
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    assert errors == []

    # the page fits the viewport's width: no horizontal scrolling
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1100

    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert screenshot.stat().st_size > 50_000
    page.close()
