"""The shape of the package: one-way imports between layers, small modules, no private reach.

Read from the source with :mod:`ast` (imports inside functions count as much as those at
the top), so a cycle or an upward import hidden in a function body is still found.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "mlplab"

#: The layers of ``docs/architecture.md`` (DESIGN §2), from the top: a module may import
#: its own layer and the layers below it, never one above. Each entry: module prefixes.
LAYERS = (
    ("shell", ("mlplab.cli", "mlplab.demos", "mlplab.__main__", "mlplab.playground")),
    ("runs", ("mlplab.runs",)),
    ("plots", ("mlplab.plots",)),
    ("diagnostics", ("mlplab.diagnostics",)),
    ("estimators", ("mlplab.estimators", "mlplab.multiclass", "mlplab.logic")),
    ("io", ("mlplab.io", "mlplab.persistence", "mlplab.export")),
    ("training", ("mlplab.training",)),
    ("optimizers", ("mlplab.optimizers",)),
    (
        "network",
        (
            "mlplab.network",
            "mlplab.layout",
            "mlplab.backprop",
            "mlplab._kernels",
            "mlplab._numba_kernels",
        ),
    ),
    (
        "foundations",
        (
            "mlplab.activations",
            "mlplab.losses",
            "mlplab.initializers",
            "mlplab.gradcheck",
            "mlplab.metrics",
            "mlplab.tasks",
            "mlplab.names",
            "mlplab.solvers",
            "mlplab.presets",
            "mlplab.scaling",
            "mlplab.memory",
            "mlplab._validation",
            "mlplab.jsonvalues",
            "mlplab.fileformat",
            "mlplab.regular_files",
            "mlplab._rng",
            "mlplab._tables",
            "mlplab._version",
            "mlplab.datasets",
        ),
    ),
)

# Known exceptions: every entry names the module and what is wrong; remove it when fixed.
_SPLIT = "still over the limit: to be split by topic"
#: Modules over the size limit, with the reason.
KNOWN_LARGE: dict[str, str] = {
    "mlplab.network": _SPLIT,
    "mlplab.training.loop": _SPLIT,
}
#: Upward imports (importer, imported), with the reason.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}
#: Import cycles (as the test prints them), with the reason.
KNOWN_CYCLES: dict[str, str] = {}
#: Private names read across modules (module, name), with the reason.
_AVAILABLE_IF = "scikit-learn's available_if reads the estimator's private check, by design"
KNOWN_PRIVATE: dict[tuple[str, str], str] = {
    ("mlplab.estimators.classifier", "_check_solver"): _AVAILABLE_IF,
    ("mlplab.estimators.regressor", "_check_solver"): _AVAILABLE_IF,
}

MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "mlplab":
                    found.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node.level, node.module)
            if source.split(".")[0] != "mlplab":
                continue
            names = []
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:  # a submodule
                    found.append((f"{source}.{alias.name}", [], node.lineno))
                else:
                    names.append(alias.name)
            if names:
                found.append((source, names, node.lineno))
    return found


def _owner(name: str) -> str:
    """The module that defines ``name`` (the longest prefix that is a module)."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _layer(module: str) -> int:
    """Rank of the module's layer: 0 is the top."""
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and the architecture doc)")


GRAPH = {
    module: sorted({_owner(target) for target, _, _ in _imports(module)} - {module})
    for module in MODULES
}


def test_the_graph_sees_imports_inside_functions():
    # A check of the checker: the command line imports the diagnostics inside a function.
    assert "mlplab.diagnostics" in GRAPH["mlplab.cli.doctor"]


def test_every_module_has_a_layer():
    for module in MODULES:
        if module != "mlplab":  # the root only re-exports, lazily, by name
            _layer(module)


def test_no_import_goes_up_a_layer():
    upward = []
    for module, targets in GRAPH.items():
        if module == "mlplab":
            continue
        for target in targets:
            if target == "mlplab" or (module, target) in KNOWN_UPWARD:
                continue  # the root's lazy names resolve at call time, to any layer
            if _layer(target) < _layer(module):
                upward.append(f"{module} -> {target}")
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(upward)


def test_no_import_cycles():
    # Edges into a package's __init__ from its own submodules are not followed: the
    # package re-exports them, they never import it back for anything else.
    def edges(module):
        return [t for t in GRAPH[module] if not (_is_package(t) and module.startswith(t + "."))]

    cycles = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(module):
        state[module] = 1
        stack.append(module)
        for target in edges(module):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                start = cycle.index(min(cycle))
                cycles.add(" -> ".join(cycle[start:] + cycle[:start] + [min(cycle)]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module)
    cycles -= set(KNOWN_CYCLES)
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    if module in KNOWN_LARGE:
        pytest.skip(KNOWN_LARGE[module])
    assert lines <= MAX_LINES, f"{module} has {lines} lines (limit {MAX_LINES}): split it by topic"


def _defined_names(module: str) -> set[str]:
    """Every private name a module defines or binds: functions, classes, attributes, variables."""
    names = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)  # dataclass fields set by name
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # names in __slots__, getattr(...), dataclass fields
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


DEFINED = {module: _defined_names(module) for module in MODULES}
ALL_PRIVATE = set().union(*DEFINED.values())


def _is_own(receiver: ast.expr) -> bool:
    """Whether ``receiver`` is the object itself: ``self``, ``cls`` or ``super()``."""
    if isinstance(receiver, ast.Name):
        return receiver.id in ("self", "cls")
    return (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and receiver.func.id == "super"
    )


def test_no_private_names_across_modules():
    """``other._name``: a private name of another mlplab module, imported or read."""
    reached = []
    for module in MODULES:
        for source, names, line in _imports(module):
            for name in names:
                private = name.startswith("_") and not name.startswith("__")
                if private and source != module and (module, name) not in KNOWN_PRIVATE:
                    reached.append(f"{module}:{line} imports {name} from {source}")
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            name = node.attr
            if name.startswith("__") or name in DEFINED[module] or name not in ALL_PRIVATE:
                continue  # its own, a dunder, or another library's
            if _is_own(node.value):
                continue  # self._name: the object's own, maybe inherited from a base class
            if (module, name) not in KNOWN_PRIVATE:
                reached.append(f"{module}:{node.lineno} reads .{name}")
    assert not reached, "private names used across modules:\n" + "\n".join(reached)


def test_the_layers_are_those_of_the_architecture_document():
    document = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, prefixes in LAYERS:
        assert f"**{name}**" in document, name
        for prefix in prefixes:
            if prefix in MODULES:
                assert prefix.removeprefix("mlplab.") in document, prefix
