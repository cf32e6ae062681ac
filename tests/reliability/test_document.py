"""docs/reliability.md and this folder agree: every promise names tests that exist, and
every test here backs a promise listed there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCUMENT = HERE.parents[1] / "docs" / "reliability.md"


def _tests_in_folder() -> set[str]:
    found = set()
    for path in HERE.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= {
            f"{path.name}::{node.name}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        }
    return found


def test_the_document_and_the_tests_name_each_other():
    cited = set(re.findall(r"`(test_\w+\.py::test_\w+)`", DOCUMENT.read_text(encoding="utf-8")))
    present = _tests_in_folder()
    assert sorted(cited - present) == [], "the document cites tests that do not exist"
    assert sorted(present - cited) == [], "tests that back no promise of the document"
