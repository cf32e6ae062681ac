"""The README's Quick start and CI run the same commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    """The command lines inside code blocks of the README's "Quick start" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README.md has no '## Quick start' section"
    blocks = re.findall(r"```(?:bash)?\n(.*?)```", section.group(1), re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands_install_and_train_then_install_and_test():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("&& mlplab train")
    assert commands[1].endswith("&& pytest")


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in ci_lines


def test_the_python_example_runs_without_a_warning(tmp_path, monkeypatch):
    # filterwarnings = ["error"] turns a ConvergenceWarning (a snippet that never
    # converged) into a failure here
    import contextlib
    import io
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"^```python\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    monkeypatch.chdir(tmp_path)  # it saves a model file
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert "3000 epochs: [1 0 0 1]" in printed.getvalue()
