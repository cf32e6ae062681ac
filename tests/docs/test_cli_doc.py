"""docs/cli.md cannot rot: each command of its walk-through runs, in order, on a CSV."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shlex
from pathlib import Path

import pytest

from ..cli._helpers import invoke
from ..cli._sklearn_csv import sklearn_csv

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)

pytestmark = pytest.mark.slow


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(CLI_DOC.read_text(encoding="utf-8"))]


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """patients.csv (breast_cancer with an ID) and new-patients.csv (10 rows, no target)."""
    made = sklearn_csv(tmp_path, "breast_cancer", id_column="patient_id")
    made.rename(tmp_path / "patients.csv")
    lines = (tmp_path / "patients.csv").read_text(encoding="utf-8").splitlines()
    new = []
    for i, line in enumerate([lines[0], *lines[1:11]]):
        cells = line.split(",")[:-1]  # no target
        if i:
            cells[0] = str(2000 + i)
        new.append(",".join(cells))
    (tmp_path / "new-patients.csv").write_text("\n".join(new) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_command_of_the_walk_through_runs(workdir):
    blocks = _blocks()
    commands = [
        line[2:]
        for language, code in blocks
        if language == "console"
        for line in code.splitlines()
        if line.startswith("$ ")
    ]
    assert [shlex.split(c)[:2] for c in commands] == [
        ["mlplab", "train"],
        ["mlplab", "evaluate"],
        ["mlplab", "predict"],
        ["mlplab", "export"],
    ]
    outputs = []
    for command in commands:
        result = invoke(*shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.stdout)
    assert "by val_loss" in outputs[0]
    assert (workdir / "cancer-run" / "diagnostics.json").exists()
    report = (workdir / "cancer-run" / "report.html").read_text(encoding="utf-8")
    for figure in ("roc_pr.png", "calibration.png", "confusion_matrix.png"):
        assert figure in report
    assert "accuracy" in outputs[1]
    with open(workdir / "predictions.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["patient_id", "prediction", "p_benign", "p_malignant"]
    assert [r[0] for r in rows[1:]] == [str(2000 + i) for i in range(1, 11)]

    # the Python block runs the exported model in onnxruntime on the new rows
    (code,) = [code for language, code in blocks if language == "python"]
    printed = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(CLI_DOC), "exec"), namespace)  # the doc's own code
    labels = [str(label) for label in namespace["labels"]]
    assert labels == [r[1] for r in rows[1:]]
    assert os.path.getsize(workdir / "cancer.onnx") > 0
    assert printed.getvalue().strip()
