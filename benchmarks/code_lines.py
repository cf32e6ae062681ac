"""Count the code lines of mlplab's sources: not docstrings, comments or blank lines.

Usage: ``python benchmarks/code_lines.py [REVISION]`` counts ``src/`` in the working tree,
or at a git revision (read with ``git show``, nothing is checked out). A line counts when
it holds any token of code; a docstring (the string that opens a module, class or
function) and everything on lines holding only comments or whitespace do not.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_lines(source: str) -> int:
    """The number of lines of ``source`` that hold code."""
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    lines = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in skip or token.type == tokenize.ENDMARKER:
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def sources(revision: str | None) -> dict[str, str]:
    """Path → text of every .py file under src/, in the tree or at ``revision``."""
    if revision is None:
        return {str(p.relative_to(ROOT)): p.read_text("utf-8") for p in ROOT.glob("src/**/*.py")}
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", revision, "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        name: subprocess.run(
            ["git", "show", f"{revision}:{name}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in names
        if name.endswith(".py")
    }


def main() -> None:
    revision = sys.argv[1] if len(sys.argv) > 1 else None
    files = sources(revision)
    total = sum(code_lines(text) for text in files.values())
    print(f"{revision or 'working tree'}: {total} code lines in {len(files)} files")


if __name__ == "__main__":
    main()
