"""The house: no import circles between modules, the engine apart from this dataset's content,
and the loading path at the bottom. Every import counts, also those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "china_ai_landscape"
PACKAGE = "china_ai_landscape"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of this package that ``path`` imports (resolved to real modules, not names)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(PACKAGE)}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith(PACKAGE):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


MODULES = {_module_name(p): p for p in SRC.rglob("*.py")}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _reachable(start: str) -> set[str]:
    seen, todo = set(), list(GRAPH[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo += GRAPH[node]
    return seen


def test_no_import_circles():
    assert sorted(m for m in GRAPH if m in _reachable(m)) == []


def test_the_engine_imports_nothing_of_this_dataset():
    for name in GRAPH:
        if name.startswith(f"{PACKAGE}.validation"):
            assert not any(m.startswith(f"{PACKAGE}.dataset_rules") for m in _reachable(name)), name


def test_loading_imports_nothing_above_it():
    allowed = {f"{PACKAGE}.{m}" for m in ("errors", "package", "arrow_types", "typed_csv", "resource_bytes")}
    assert _reachable(f"{PACKAGE}.loading") <= allowed | {PACKAGE}


def test_the_graph_sees_real_imports():
    """The checks above would pass on an empty graph; this one would not."""
    assert f"{PACKAGE}.loading" in GRAPH[f"{PACKAGE}.diffing"]
    assert f"{PACKAGE}.validation.rules" in GRAPH[f"{PACKAGE}.dataset_rules.rules"]
