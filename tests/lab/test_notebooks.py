"""The lab notebooks: the solutions run top to bottom, the exercises are them minus the blanks.

The notebooks are jupytext Markdown files in ``docs/lab`` (exercises) and
``docs/lab/solutions``; Jupyter opens them as notebooks once jupytext is installed. Each
solution runs in a fresh kernel, in an empty working directory, with matplotlib's headless
backend; its own ``assert`` cells check the numbers its text states.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext  # the dev extra installs jupytext, nbclient and ipykernel
import nbclient
import pytest

LAB = Path(__file__).resolve().parents[2] / "docs" / "lab"
NOTEBOOKS = sorted(path.name for path in (LAB / "solutions").glob("*.md"))
BLANK = "..."


def test_there_is_one_exercise_per_solution_and_a_lab_for_each_topic():
    assert [path.name for path in sorted(LAB.glob("*.md"))] == NOTEBOOKS
    assert len(NOTEBOOKS) == 6


def cells(path: Path) -> list[tuple[str, str]]:
    notebook = jupytext.read(path, fmt="md")
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def matches(exercise: str, solution: str) -> bool:
    """Whether ``exercise`` is ``solution`` with some parts replaced by ``...``."""
    pattern = ".+?".join(re.escape(part) for part in exercise.split(BLANK))
    return re.fullmatch(pattern, solution, flags=re.DOTALL) is not None


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_exercise_is_the_solution_apart_from_the_blanks(name):
    exercise, solution = cells(LAB / name), cells(LAB / "solutions" / name)
    assert len(exercise) == len(solution), name
    blanks = 0
    for index, ((kind, text), (kind_solved, solved)) in enumerate(zip(exercise, solution)):
        assert kind == kind_solved, f"{name}, cell {index}"
        assert matches(text, solved), f"{name}, cell {index}:\n{text}\n---\n{solved}"
        assert BLANK not in solved or BLANK in text, (
            f"{name}, cell {index}: a blank in the solution"
        )
        blanks += text.count(BLANK)
    assert blanks >= 3, f"{name} leaves the student nothing to do"


def test_matching_is_strict():
    assert matches("x = ...\nprint(x)", "x = 2 + 2\nprint(x)")
    assert not matches("x = ...\nprint(x)", "x = 4\nprint(y)")
    assert not matches("x = ...", "x = ")  # a blank stands for something


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_solution_runs_top_to_bottom(name, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the kernel inherits it: no display needed
    notebook = jupytext.read(LAB / "solutions" / name, fmt="md")
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error" or output.get("name") == "stderr"
    ]
    assert errors == [], f"{name} printed errors or warnings"
    if name.startswith("02-"):
        # the live learning curves: one drawing, updated in place
        drawings = [
            output
            for cell in notebook.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if "image/png" in output.get("data", {})
        ]
        assert len(drawings) == 1
        assert drawings[0]["data"]["image/png"]
