"""The shape of the code: no import cycle among the workbench's modules, counting the
imports inside functions too (a cycle that only closes at call time is still a knot)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "workbench"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = ("workbench", *path.relative_to(SOURCE).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the workbench modules it imports anywhere in its body. Importing
    ``a.b.c`` runs ``a`` and ``a.b`` first, so those count as imported too."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                while target:
                    if target in modules and target != name and not name.startswith(target + "."):
                        graph[name].add(target)
                    target = target.rpartition(".")[0]
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walker_sees_a_cycle_closed_inside_a_function():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_no_import_cycle_among_the_modules():
    graph = import_graph()
    assert "workbench.views" in graph["workbench.loading"]  # imports inside functions are seen
    assert cycles(graph) == []


def test_the_views_name_no_model_class():
    graph = import_graph()
    views = [m for m in graph if m == "workbench.plots" or m == "workbench.views" or m.startswith("workbench.views.")]
    assert len(views) > 2
    for view in views:
        assert not {m for m in graph[view] if not m.startswith("workbench.views")} & {
            "workbench.analysis", "workbench.loading", "workbench.corpus", "workbench.topics"}, view


def test_every_package_ships_in_the_wheel():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    listed = set(tomllib.loads((SOURCE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    packages = {".".join(("workbench", *p.parent.relative_to(SOURCE).parts)) for p in SOURCE.rglob("__init__.py")}
    assert packages <= listed, sorted(packages - listed)


def test_no_module_is_longer_than_one_sitting():
    lengths = {path.relative_to(SOURCE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in SOURCE.rglob("*.py")}
    assert {name: n for name, n in lengths.items() if n > 400} == {}
