"""Reports, figures and ONNX export: user strings stay text, odd values never break a figure.

The HTML report escapes every string that comes from the user (class labels, feature and
file names, the command line): a label such as ``<script>alert(1)</script>`` shows as
text and never becomes markup. Figures draw ``$`` and ``_`` literally and leave gaps for
NaN. ONNX export refuses a model that is not fitted or whose weights are not finite,
before writing anything.
"""

from __future__ import annotations

import csv
import html
import html.parser
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure
from matplotlib.text import Text
from sklearn.exceptions import NotFittedError

import mlplab
from mlplab import MLPClassifier, Network
from mlplab.runs import build_report

from ._helpers import blobs, quiet_fit

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
QUOTES = "\"quoted\" & 'single'"
#: Strings that mathtext cannot parse: drawn as math they raise, drawn literally they print.
MATH_TRAPS = ["cost_$\\frac{1$", "$x_1^$ lost", "under_score $\\undefined$"]

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Markup(html.parser.HTMLParser):
    """Collects every tag and attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def _assert_no_active_content(page: str) -> str:
    """No script, no event handler, no foreign image; return the page's visible text."""
    parser = _Markup()
    parser.feed(page)
    parser.close()
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"script", "iframe", "object", "embed", "svg", "math", "base", "form"}
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("src", "href"):
                assert not (value or "").lower().lstrip().startswith("javascript:")
            if tag == "img" and name == "src":
                assert value.startswith("data:image/png;base64,"), value[:40]
    return "".join(parser.text)


# ---------------------------------------------------------------------- the HTML report
@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    """``mlplab train`` on a CSV whose file, feature and class names are markup (or math)."""
    folder = tmp_path_factory.mktemp("report")
    data = folder / f"{IMAGE}.csv"
    X, y = blobs(90, 2, 3, seed=8)
    labels = np.array([SCRIPT, QUOTES, MATH_TRAPS[0]])[y]
    with open(data, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([IMAGE, QUOTES, "species"])
        writer.writerows([f"{a:.4f}", f"{b:.4f}", label] for (a, b), label in zip(X, labels))
    out = folder / "run"
    from mlplab.cli import cli

    result = CliRunner().invoke(
        cli, ["train", "--data", str(data), "--epochs", "3", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_report_of_a_run_escapes_labels_feature_and_file_names(hostile_run):
    page = (hostile_run / "report.html").read_text(encoding="utf-8")
    for raw in (SCRIPT, IMAGE):
        assert raw not in page
        assert html.escape(raw) in page  # shown, as text
    assert html.escape(QUOTES) in page
    text = _assert_no_active_content(page)
    assert SCRIPT in text  # what a reader sees: the label itself
    assert IMAGE in text


def test_every_part_of_a_report_escapes_what_it_is_given():
    config = {
        "command": f"mlplab train --data '{IMAGE}.csv'",
        "status": SCRIPT,
        "data": {
            "name": SCRIPT,
            "source": f"{IMAGE}.csv",
            "description": SCRIPT,
            "target": IMAGE,
            "feature_names": [SCRIPT, IMAGE],
            "feature_units": [QUOTES, ""],
            "classes": [SCRIPT, IMAGE],
            "class_names": [SCRIPT, IMAGE],
            "class_counts": [3, 4],
        },
        "per_class": {"part": SCRIPT, "rows": [{"class": SCRIPT, "precision": 0.5}]},
        "training": {"stop_reason": SCRIPT, "warnings": [IMAGE]},
        "model": {"activation": SCRIPT, "hidden": [IMAGE]},
    }
    history = {"epoch": [1, 2], "train_loss": [0.7, math.nan], "val_loss": [0.8, 0.6]}
    figures = [(b"not a png", SCRIPT, IMAGE)]
    page = build_report(
        config=config,
        history=history,
        figures=figures,
        files=[(f"{IMAGE}.bin", 10)],
        title=SCRIPT,
    )
    assert SCRIPT not in page
    assert IMAGE not in page
    assert html.escape(SCRIPT) in page
    text = _assert_no_active_content(page)
    assert SCRIPT in text


# ---------------------------------------------------------------------- figures
def _assert_drawn_literally(figure: Figure, strings) -> None:
    """Render the figure; each user string appears in a Text drawn without mathtext."""
    from mlplab.plots import figure_to_png_bytes

    assert figure_to_png_bytes(figure).startswith(_PNG_MAGIC)
    texts = [t for t in figure.findobj(Text) if t.get_text()]
    for string in strings:
        holders = [t for t in texts if string in t.get_text()]
        assert holders, f"{string!r} is not in the figure"
        for text in holders:
            assert not text.get_parse_math(), string
            assert not text.get_usetex(), string


def test_the_labels_really_break_mathtext():
    """The control: drawn as math, each of the labels below makes matplotlib raise."""
    from mlplab.plots import figure_to_png_bytes

    for label in MATH_TRAPS:
        figure = Figure()
        figure.text(0.5, 0.5, label)
        with pytest.raises(ValueError, match="Parse"):
            figure_to_png_bytes(figure)


def test_learning_curves_survive_nan_inf_and_dollar_titles():
    from mlplab.plots import learning_curves

    history = {
        "epoch": [1, 2, 3, 4, 5],
        "train_loss": [1.0, 0.8, math.nan, math.inf, 0.5],
        "val_loss": [1.1, math.nan, math.nan, 0.9, 0.7],
        "train_accuracy": [0.5, 0.6, math.nan, 0.7, 0.8],
        "val_accuracy": [math.nan] * 5,
    }
    figure = learning_curves(history, title=MATH_TRAPS[0], loss_scale="log")
    _assert_drawn_literally(figure, [MATH_TRAPS[0]])


def test_confusion_matrix_and_decision_regions_draw_hostile_names_literally():
    from mlplab.plots import confusion_matrix, decision_regions

    X, y = blobs(60, 2, 3, seed=9)
    clf = quiet_fit(MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0), X, y)
    names = MATH_TRAPS
    figure = confusion_matrix(y, clf.predict(X), class_names=names, title=MATH_TRAPS[1])
    _assert_drawn_literally(figure, names)
    figure = decision_regions(
        clf,
        X,
        y,
        feature_names=(MATH_TRAPS[0], MATH_TRAPS[2]),
        class_names=names,
        resolution=40,
        title=MATH_TRAPS[1],
    )
    _assert_drawn_literally(figure, names)


# ---------------------------------------------------------------------- ONNX export
def test_export_refuses_an_unfitted_model_and_writes_nothing(tmp_path):
    path = tmp_path / "model.onnx"
    with pytest.raises(NotFittedError, match="This MLPClassifier instance is not fitted yet"):
        mlplab.export_onnx(MLPClassifier(), path)
    assert not path.exists()


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_export_refuses_non_finite_weights_and_keeps_the_previous_file(tmp_path, value):
    X, y = blobs(40, 3, 2, seed=10)
    clf = quiet_fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), X, y)
    path = tmp_path / "model.onnx"
    mlplab.export_onnx(clf, path)
    previous = path.read_bytes()
    clf.network_.theta[5] = value
    with pytest.raises(
        ValueError, match=r"cannot export: the weights of the network hold NaN or infinity"
    ):
        mlplab.export_onnx(clf, path)
    assert path.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]

    net = Network([3, 2, 1], random_state=0)
    net.theta[0] = value
    with pytest.raises(ValueError, match="cannot export: the weights of the network hold NaN"):
        mlplab.export_onnx(net, tmp_path / "network.onnx")
    assert not (tmp_path / "network.onnx").exists()
