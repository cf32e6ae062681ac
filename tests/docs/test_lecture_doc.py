"""docs/lecture.md cannot rot: its snippets run, and its figures exist and are made by them."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
LECTURE = DOCS / "lecture.md"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]*\]\((figures/[^)]+)\)")
SECTIONS = (
    "Forward propagation",
    "Representing Boolean functions",
    "XOR and XNOR",
    "Cats and dogs",
    "Multiple classes",
    "The cost function",
    "Backpropagation",
    "Gradient descent with backprop",
    "Random initialization",
    "Gradient checking",
    "Unrolling the parameters",
    "Babysitting the learning process",
)


def fenced_blocks(text: str) -> list[dict]:
    """Every fenced block: language, code, first code line, and the prose just before it."""
    blocks, previous_end = [], 0
    for match in FENCE.finditer(text):
        blocks.append(
            {
                "language": match.group(1),
                "code": match.group(2),
                "line": text.count("\n", 0, match.start(2)) + 1,
                "before": text[previous_end : match.start()].strip(),
            }
        )
        previous_end = match.end()
    return blocks


@pytest.fixture(scope="module")
def lecture() -> str:
    return LECTURE.read_text(encoding="utf-8")


def test_the_walk_covers_the_lecture_in_order(lecture):
    headings = re.findall(r"^## (?:\d+\. )?(.+)$", lecture, re.MULTILINE)
    found = [next((h for h in headings if h.startswith(s)), None) for s in SECTIONS]
    assert None not in found, f"missing sections: {[s for s, h in zip(SECTIONS, found) if not h]}"
    assert [headings.index(h) for h in found] == sorted(headings.index(h) for h in found)


def test_linked_figures_are_small_pngs_and_none_is_stale(lecture):
    linked = IMAGE.findall(lecture)
    assert len(linked) >= 12
    for link in linked:
        data = (DOCS / link).read_bytes()
        assert data.startswith(PNG_SIGNATURE), link
        assert len(data) < 150_000, f"{link} is {len(data)} bytes"
    # nothing stale: every PNG in docs/figures is shown by this or another document
    shown = set(linked)
    for other in DOCS.glob("*.md"):
        shown |= set(IMAGE.findall(other.read_text(encoding="utf-8")))
    on_disk = {f"figures/{path.name}" for path in (DOCS / "figures").glob("*.png")}
    assert on_disk <= shown


def test_every_snippet_runs_and_makes_the_linked_figures(lecture, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # the snippets write figures/ here, nowhere else
    blocks = fenced_blocks(lecture)
    assert sum(block["language"] == "python" for block in blocks) >= 12
    namespace: dict = {"__name__": "lecture"}
    printed = ""
    checked_outputs = 0
    for block in blocks:
        if block["language"] == "python":
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                # a traceback's file name points at the failing block's line in the document
                exec(compile(block["code"], f"{LECTURE}:{block['line']}", "exec"), namespace)
            printed = output.getvalue()
        elif block["language"] == "text" and block["before"].endswith("which prints"):
            assert block["code"].strip() in printed, f"output shown at line {block['line']}"
            checked_outputs += 1
    assert checked_outputs >= 1
    made = {f"figures/{path.name}" for path in (tmp_path / "figures").glob("*.png")}
    assert set(IMAGE.findall(lecture)) <= made
    assert {path.name for path in tmp_path.iterdir()} == {"figures"}
