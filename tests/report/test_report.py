"""mlplab.runs: one self-contained, escaped HTML report from a run folder or from parts."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import pytest

from mlplab import plots
from mlplab.runs import (
    RunFolderError,
    build_report,
    format_loss,
    format_percent,
    load_run,
    write_report,
)
from mlplab.training.history import History

EVIL = '<script>alert("x")</script>&'


class Page(HTMLParser):
    """Collects tags, attributes and text of a page (and fails on malformed nesting)."""

    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(document)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def history(n: int = 6) -> History:
    h = History()
    for epoch in range(1, n + 1):
        h.append(
            {
                "epoch": epoch,
                "train_loss": 1.0 / epoch,
                "train_accuracy": 1 - 0.5 / epoch,
                "val_loss": 1.2 / epoch,
                "val_accuracy": 1 - 0.6 / epoch,
                "update_ratio_1": 1e-3,
            }
        )
    return h


def config(**changes) -> dict:
    base = {
        "format": "mlplab-run",
        "mlplab_version": "0.1.0",
        "created": "2024-05-01T12:00:00+00:00",
        "command": f"mlplab train --data {EVIL}.csv",
        "run_dir": "run",
        "data": {
            "name": EVIL,
            "source": f"{EVIL}.csv",
            "target": "kind",
            "task": "classification",
            "n_examples": 80,
            "n_features": 2,
            "feature_names": ["weight", EVIL],
            "feature_units": ["kg", ""],
            "classes": ["a", "b"],
            "class_names": [EVIL, "plain"],
            "class_counts": [30, 50],
            "split": {"n_train": 51, "n_validation": 9, "n_test": 20, "seed": 0},
            "scaling": {"kind": "standardize", "mean": [1, 2], "scale": [3, 4]},
        },
        "model": {"kind": "MLPClassifier", "layer_sizes": [2, 4, 1], "activation": "relu"},
        "training": {"epochs_run": 6, "seconds": 1.25, "stop_reason": "max_iter"},
        "metrics": {
            "train": {"n": 51, "accuracy": 0.98039, "loss": 0.05123},
            "validation": {"n": 9, "accuracy": 0.8888889, "loss": 0.2},
            "test": {"n": 20, "accuracy": 0.95, "loss": 0.1234567},
        },
        "per_class": {
            "part": "test",
            "rows": [
                {"class": "a", "precision": 1.0, "recall": 0.9, "f1": 0.947, "support": 10},
                {"class": "b", "precision": 0.909, "recall": 1.0, "f1": 0.952, "support": 10},
            ],
        },
    }
    base.update(changes)
    return base


@pytest.fixture
def png_bytes() -> bytes:
    figure = plots.learning_curves(history())
    return plots.figure_to_png_bytes(figure)


# ---------------------------------------------------------------------- the page
def test_page_is_self_contained_and_escaped(png_bytes):
    document = build_report(
        config=config(), history=history(), figures=[(png_bytes, EVIL, f"caption {EVIL}")]
    )
    page = Page(document)
    # nothing is fetched and nothing runs
    assert not page.all("script")
    assert not page.all("link")
    for img in page.all("img"):
        assert img["src"].startswith("data:image/png;base64,")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", document)
    assert "@import" not in document
    # every user string is escaped: the only tags are the page's own
    assert "<script" not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in document
    assert EVIL in page.plain  # and reads as the user wrote it
    assert document.startswith("<!DOCTYPE html>")


def test_metrics_appear_as_printed(png_bytes):
    page = Page(build_report(config=config(), history=history(), figures=[]))
    text = page.plain
    for shown in (
        "95.00%",
        "98.04%",
        "88.89%",
        "0.1235",
        "0.05123",
        "1.2 s",
        "reached the epoch limit",
    ):
        assert shown in text, shown
    # the headline is the test accuracy
    assert "95.00% test accuracy" in text


def test_learning_curves_drawn_from_history_when_no_png():
    document = build_report(config=config(), history=history(), figures=[])
    images = Page(document).all("img")
    assert len(images) == 1
    data = base64.b64decode(images[0]["src"].split(",", 1)[1])
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Learning curves" in images[0]["alt"]


def test_sections_and_contents_links():
    page = Page(build_report(config=config(), history=history(), figures=[]))
    ids = {attrs.get("id") for _, attrs in page.tags if attrs.get("id")}
    assert {"results", "figures", "per-class", "data", "configuration", "diagnostics"} <= ids
    assert "gradient-check" not in ids
    links = {a["href"] for a in page.all("a") if a.get("href", "").startswith("#")}
    assert links == {f"#{anchor}" for anchor in ids}


def test_data_section_lists_classes_with_counts():
    text = Page(build_report(config=config(), figures=[])).plain
    assert f"{EVIL} 30" in text
    assert "plain 50" in text
    assert "51 training, 9 validation, 20 test" in text
    assert "weight (kg)" in text
    assert "standardized" in text


def test_regression_shows_r2():
    cfg = config(metrics={"test": {"n": 20, "r2": 0.87654, "loss": 0.25}})
    cfg["data"]["task"] = "regression"
    text = Page(build_report(config=cfg, figures=[])).plain
    assert "0.8765 test R²" in text
    assert "mean squared error" in text


def test_diagnostics_not_run_names_the_command():
    cfg = config(doctor_command="mlplab doctor --data x.csv --out run")
    text = Page(build_report(config=cfg, figures=[])).plain
    assert "Not run." in text
    assert "mlplab doctor --data x.csv --out run" in text


def test_diagnostics_from_json_are_rendered():
    diagnosis = {
        "task": "binary",
        "quick": True,
        "params": {},
        "findings": [
            {
                "check": "gradient_check",
                "status": "FAIL",
                "measured": 0.5,
                "threshold": "< 1e-4",
                "message": f"backprop is wrong {EVIL}",
                "advice": "fix the backward pass",
                "layer": None,
                "details": {},
            },
            {
                "check": "initial_loss",
                "status": "PASS",
                "measured": 0.69,
                "threshold": "≈ ln 2",
                "message": "fine",
                "advice": "",
                "layer": None,
                "details": {},
            },
        ],
    }
    document = build_report(config=config(), figures=[], diagnosis=diagnosis)
    assert "mlplab-diagnosis" in document
    assert "<script" not in document
    text = Page(document).plain
    assert "FAIL" in text
    assert "fix the backward pass" in text
    assert "Not run" not in text


def test_damaged_diagnostics_are_named_not_fatal():
    diagnosis = {"findings": [{"check": "no_such_check", "status": "PASS"}]}
    text = Page(build_report(config=config(), figures=[], diagnosis=diagnosis)).plain
    assert "diagnostics.json cannot be shown" in text
    assert "unknown check 'no_such_check'" in text


def test_gradcheck_table():
    record = {
        "relative_error": 3e-10,
        "layer_errors": [2e-10, 5e-3],
        "layer_shapes": [[4, 3], [1, 5]],
        "verdict": "suspect",
        "settings": {"examples": 5},
    }
    text = Page(build_report(config=config(), figures=[], gradcheck=record)).plain
    assert "4×3" in text
    assert "2.00e-10 good" in text
    assert "5.00e-03 suspect" in text
    assert "verdict suspect" in text


def test_missing_and_non_png_figures_are_not_embedded(tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a not a png")
    document = build_report(
        config=config(),
        figures=[(tmp_path / "gone.png", "Gone", ""), (fake, "Fake", "")],
    )
    page = Page(document)
    assert not page.all("img")
    assert "Gone: gone.png is missing" in page.plain
    assert "Fake: not a PNG image" in page.plain


def test_formatting():
    assert format_percent(0.973333) == "97.33%"
    assert format_percent(None) == "–"
    assert format_percent(float("nan")) == "–"
    assert format_loss(0.123456) == "0.1235"
    assert format_loss(float("inf")) == "–"


# ---------------------------------------------------------------------- run folders
def write_run(folder, png_bytes, **changes):
    folder.mkdir(parents=True, exist_ok=True)
    cfg = config(**changes)
    cfg["figures"] = [{"file": "learning_curves.png"}, {"file": "../../etc/passwd"}]
    (folder / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    history().to_csv(folder / "history.csv")
    (folder / "learning_curves.png").write_bytes(png_bytes)
    (folder / "confusion_matrix.png").write_bytes(png_bytes)
    return folder


def test_write_report_from_a_run_folder(tmp_path, png_bytes):
    run = write_run(tmp_path / "run", png_bytes)
    written = write_report(run)
    assert written == run / "report.html"
    document = written.read_text(encoding="utf-8")
    page = Page(document)
    # the listed figure, then the known one that config.json did not list; a path
    # outside the folder is never read (it becomes a missing figure of that name)
    assert [img["alt"] for img in page.all("img")] == [
        "Learning curves (learning_curves.png)",
        "Confusion matrix (confusion_matrix.png)",
    ]
    assert "passwd is missing" in page.plain
    assert "config.json" in page.plain  # the files section
    assert "report.html" not in page.plain.split("Files in the run folder")[1]


def test_load_run_parts(tmp_path, png_bytes):
    run = write_run(tmp_path / "run", png_bytes)
    parts = load_run(run)
    assert parts["config"]["data"]["n_examples"] == 80
    assert parts["history"].n_epochs == 6
    assert parts["gradcheck"] is None
    assert parts["diagnosis"] is None


def test_history_alone_is_enough(tmp_path):
    history().to_csv(tmp_path / "history.csv")
    document = build_report(tmp_path)
    assert len(Page(document).all("img")) == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no such run folder"),
        ("empty", "is not an mlplab run folder"),
        ("bad-json", "config.json is damaged"),
        ("json-list", "must hold a JSON object"),
        ("bad-history", "cannot read history.csv"),
    ],
)
def test_unusable_folders(tmp_path, setup, message):
    folder = tmp_path / "run"
    if setup != "missing":
        folder.mkdir()
    if setup == "bad-json":
        (folder / "config.json").write_text("{oops")
    elif setup == "json-list":
        (folder / "config.json").write_text("[1, 2]")
    elif setup == "bad-history":
        (folder / "history.csv").write_text("epoch,train_loss\n1\n")
    with pytest.raises(RunFolderError, match=message):
        build_report(folder)
