"""The package's import graph: no cycles, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import mlplab

SRC = Path(mlplab.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["mlplab", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The mlplab modules ``path`` imports, anywhere in it (function bodies included)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = (
                node.module
                if node.level == 0
                else (f"{base}.{node.module}" if node.module else base)
            )
            if target is None:
                continue
            candidates = [f"{target}.{alias.name}" for alias in node.names] + [target]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate in modules and candidate != name:
                found.add(candidate)
                break
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in SRC.rglob("*.py")}
    modules = set(paths)
    return {name: _imports(path, name, modules) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _without_package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges into a package's ``__init__`` that only re-exports are not layering edges.

    ``mlplab/__init__.py`` imports nothing eagerly (lazy ``__getattr__``), and a
    subpackage's ``__init__`` only gathers its own modules' names.
    """
    return {
        name: {t for t in targets if t != "mlplab"} if name != "mlplab" else set()
        for name, targets in graph.items()
    }


def test_the_package_has_no_import_cycles():
    assert _cycles(_without_package_inits(_graph())) == []


def test_the_graph_sees_imports_inside_functions():
    # A check of the checker: cli.doctor imports mlplab.diagnostics inside a function.
    assert "mlplab.diagnostics" in _graph()["mlplab.cli.doctor"]
