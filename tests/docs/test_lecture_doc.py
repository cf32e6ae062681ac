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
    # The committed figures say what the fresh ones say: titles, annotations, legends,
    # accuracies (carried in each PNG's text chunk; pixels differ between BLAS kernels).
    from mlplab.plots.base import png_texts

    for link in sorted(set(IMAGE.findall(lecture))):
        fresh = png_texts(tmp_path / link)
        assert fresh, f"{link}: the demo saved no texts"
        assert png_texts(DOCS / link) == fresh, (
            f"docs/{link} is stale; redraw the figures with the command at the top of "
            "docs/lecture.md"
        )
    assert {path.name for path in tmp_path.iterdir()} == {"figures"}


def free_names(code: str) -> set[str]:
    """Names a snippet reads before (or without) assigning them, in source order."""
    import ast
    import builtins

    tree = ast.parse(code)
    assigned, free = set(), set()
    nodes = sorted(
        (n for n in ast.walk(tree) if isinstance(n, (ast.Name, ast.arg, ast.alias))),
        key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)),
    )
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for comprehension in (n for n in ast.walk(tree) if isinstance(n, ast.comprehension)):
        # the target is bound before the expression that reads it, though written after
        defined |= {n.id for n in ast.walk(comprehension.target) if isinstance(n, ast.Name)}
    for node in nodes:
        if isinstance(node, ast.alias):
            assigned.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
        elif isinstance(node.ctx, ast.Store):
            assigned.add(node.id)
        elif node.id not in assigned and node.id not in defined:
            free.add(node.id)
    return free - set(dir(builtins))


def test_each_section_stands_alone_or_names_what_it_reuses(lecture):
    sections = re.split(r"^## ", lecture, flags=re.MULTILINE)
    imports = next(s for s in sections if s.startswith("Imports"))
    imported = set().union(*(free_names("") | _stored(b["code"]) for b in fenced_blocks(imports)))
    for section in sections:
        title = section.splitlines()[0]
        reuses = set(re.findall(r"`(\w+)`", " ".join(re.findall(r"^Reuses .*$", section, re.M))))
        needed = set()
        stored: set[str] = set(imported)
        for block in fenced_blocks(section):
            if block["language"] == "python":
                needed |= free_names(block["code"]) - stored
                stored |= _stored(block["code"])
        missing = needed - reuses
        assert not missing, f"section {title!r} uses {sorted(missing)} without saying so"


def _stored(code: str) -> set[str]:
    """Every name a snippet assigns, defines or imports."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names
