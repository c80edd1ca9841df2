"""No module imports another that imports it back, directly or through others, anywhere in our
packages (import-linter checks the direction between packages; this checks the modules inside
them). TYPE_CHECKING and function-level imports count: a circle hidden there is still one."""

from __future__ import annotations

import grimp

PACKAGES = ("recommender", "engine", "sources", "storage", "bots", "paperbot")


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every back edge of a depth-first walk, as the circle it closes (empty when acyclic)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    found: list[list[str]] = []

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        path.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(other) == 1:
                found.append([*path[path.index(other) :], other])
            elif other not in state:
                walk(other, path)
        path.pop()
        state[module] = 2

    for module in sorted(graph.modules):
        if module not in state:
            walk(module, [])
    return found


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert circles(graph) == []


def test_a_circle_is_found() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    assert circles(graph) == [["a", "b", "c", "a"]]
