"""convmath.symbolic's modules import each other along a DAG: no import cycle.

Every import of a convmath.symbolic module counts — at module level, inside functions,
methods and ``if`` blocks (``TYPE_CHECKING`` ones included), absolute or relative, and
``importlib.import_module("…")`` / ``__import__("…")`` with a literal name — so that a
cycle cannot be hidden by moving an import into a function. ``from P import x`` depends on
the submodule ``P.x`` when there is one, and on ``P`` itself otherwise; so a submodule that
takes another submodule from the package (``from convmath.symbolic import operators``) does
not depend on the package ``__init__``, while one that takes a name the ``__init__`` defines
(``from convmath.symbolic import conv``) does. Importing ``P.x`` first runs ``P``'s
``__init__``: so an edge to ``P`` too (to ``convmath.symbolic.rules`` for
``convmath.symbolic.rules.kernel``), except from a module inside ``P``, which only runs once
that ``__init__`` has started (hence never from a submodule to ``convmath.symbolic``).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import convmath.symbolic

PACKAGE = "convmath.symbolic"
ROOT = Path(convmath.symbolic.__file__).parent


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    where: str  # path:line of the import statement
    line: int


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package in directory ``root``, subpackages included."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if all(p.isidentifier() for p in parts):
            out[".".join([package, *parts])] = path
    return out


def _resolve(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module that importing ``name`` depends on: itself, or the nearest enclosing module
    of the package (``P.f`` for a function ``f`` of ``P``); None when outside the package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _packages_above(name: str, modules: Mapping[str, Path]) -> Iterator[str]:
    parts = name.split(".")
    for i in range(1, len(parts)):
        if ".".join(parts[:i]) in modules:
            yield ".".join(parts[:i])


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of ``from .…name import …`` written in ``module``."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imported(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import node can load, ``from P import x`` giving ``P.x``, ``P``."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = _absolute(module, is_package, node.level, node.module)
        for alias in node.names:
            if alias.name != "*":
                yield f"{base}.{alias.name}"  # the submodule, when it is one
        yield base
    elif isinstance(node, ast.Call) and node.args:
        f = node.func
        fname = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
        arg = node.args[0]
        if fname in ("import_module", "__import__") and isinstance(arg, ast.Constant) \
                and isinstance(arg.value, str):
            dots = len(arg.value) - len(arg.value.lstrip("."))
            yield _absolute(module, is_package, dots, arg.value[dots:] or None)


def import_edges(root: Path, package: str) -> list[Edge]:
    """Every import of a module of ``package`` (directory ``root``) by another one."""
    modules = module_names(root, package)
    top = root.parents[package.count(".")]  # the directory that holds the top-level package
    edges = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            names = list(_imported(node, module, is_package))
            if isinstance(node, ast.ImportFrom):
                # ``from P import x``: the submodule P.x when x is one, else P itself
                *subs, base = names
                hits = {t for t in subs if t in modules}
                if len(hits) < len(subs) or not subs:
                    hits |= {t for t in [_resolve(base, modules)] if t is not None}
            else:
                hits = {t for t in (_resolve(n, modules) for n in names) if t is not None}
            line = getattr(node, "lineno", 0)
            where = f"{path.relative_to(top)}:{line}"
            edges += [Edge(module, t, where, line) for t in sorted(hits) if t != module]
            # Importing P.x first runs P's __init__: an edge to each package above the target
            # that does not contain the importer (a package's own modules only run once its
            # __init__ has started, so for them that step is no dependency).
            parents = {p for t in hits for p in _packages_above(t, modules)
                       if not _inside(module, p)}
            edges += [Edge(module, p, f"{where} (package of the module imported)", line)
                      for p in sorted(parents - hits)]
    return sorted(edges, key=lambda e: (e.source, e.line, e.target))


def _successors(graph: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    succ = {v: sorted(set(ws)) for v, ws in graph.items()}
    for ws in list(succ.values()):
        for w in ws:
            succ.setdefault(w, [])
    return succ


def cyclic_components(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components that contain a cycle (Tarjan, iterative)."""
    succ = _successors(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(succ):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            if i < len(succ[v]):
                work.append((v, i + 1))
                w = succ[v][i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in succ[v]:
                    components.append(sorted(comp))
    return sorted(components)


def shortest_cycle(graph: Mapping[str, Iterable[str]], start: str) -> list[str] | None:
    """A shortest cycle ``[start, …, start]`` (breadth-first), or None."""
    succ = _successors(graph)
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier and start not in prev:
        nxt = []
        for v in frontier:
            for w in succ[v]:
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    if start not in prev:
        return None
    path = [start]
    v = prev[start]
    while v != start:
        path.append(v)
        v = prev[v]
    return [start, *reversed(path[1:]), start]


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One shortest cycle per strongly connected component that has one (through the
    component's first module)."""
    cycles = [shortest_cycle(graph, comp[0]) for comp in cyclic_components(graph)]
    return [c for c in cycles if c is not None]


def describe(component: list[str], graph: Mapping[str, Iterable[str]],
             edges: list[Edge]) -> str:
    """The component's modules, and a shortest cycle through each (each cycle once)."""
    lines = ["cycle among: " + ", ".join(component)]
    seen: set[frozenset[tuple[str, str]]] = set()
    for start in component:
        cycle = shortest_cycle(graph, start)
        assert cycle is not None
        key = frozenset(itertools.pairwise(cycle))
        if key in seen:
            continue
        seen.add(key)
        lines.append("  " + " -> ".join(cycle))
        for a, b in itertools.pairwise(cycle):
            at = ", ".join(e.where for e in edges if e.source == a and e.target == b)
            lines.append(f"      {a} imports {b} ({at})")
    return "\n".join(lines)


def test_symbolic_import_graph_is_acyclic() -> None:
    edges = import_edges(ROOT, PACKAGE)
    graph: dict[str, set[str]] = {m: set() for m in module_names(ROOT, PACKAGE)}
    for e in edges:
        graph[e.source].add(e.target)
    components = cyclic_components(graph)
    assert not components, "import cycles among convmath.symbolic's modules:\n" + "\n".join(
        describe(c, graph, edges) for c in components)


def test_find_cycles_on_a_small_graph() -> None:
    dag = {"a": ["b", "c"], "b": ["c"], "c": []}
    assert find_cycles(dag) == []
    assert find_cycles({**dag, "c": ["a"]}) == [["a", "c", "a"]]
    g = {"a": ["b"], "b": ["c"], "c": ["a", "b"], "d": ["d"], "e": ["a"]}
    assert cyclic_components(g) == [["a", "b", "c"], ["d"]]
    assert find_cycles(g) == [["a", "b", "c", "a"], ["d", "d"]]
    assert shortest_cycle(g, "b") == ["b", "c", "b"]
    assert shortest_cycle(g, "e") is None
    assert "a -> b -> c -> a" in describe(["a", "b", "c"], g, [])


def test_import_edges_on_a_small_package(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from pkg.a import A\nfrom pkg import b\n",
        "a.py": "A = 1\ndef f():\n    from . import b, A  # b: submodule; A: name of __init__\n",
        "b.py": "import os\nimport pkg.sub.c as c\nfrom .sub import c as cc\n",
        "sub/__init__.py": "from .c import C\n",
        "sub/c.py": "class C:\n    def m(self):\n        from ..a import A\n"
                    "        import importlib; importlib.import_module('pkg.b')\n",
    }
    for name, src in files.items():
        (root / name).write_text(src, encoding="utf-8")
    got = {(e.source, e.target) for e in import_edges(root, "pkg")}
    assert got == {
        ("pkg", "pkg.a"), ("pkg", "pkg.b"),
        ("pkg.a", "pkg.b"), ("pkg.a", "pkg"),
        ("pkg.b", "pkg.sub.c"), ("pkg.b", "pkg.sub"),  # pkg.sub's __init__ runs first
        ("pkg.sub", "pkg.sub.c"),
        ("pkg.sub.c", "pkg.a"), ("pkg.sub.c", "pkg.b"),
    }
    graph: dict[str, set[str]] = {}
    for a, b in got:
        graph.setdefault(a, set()).add(b)
    assert find_cycles(graph) == [["pkg", "pkg.a", "pkg"]]  # the shortest through "pkg"


@pytest.mark.parametrize("module", ["operators", "printing"])
def test_printing_and_operators_are_layered(module: str) -> None:
    """operators never imports printing; printing imports operators at module level only."""
    edges = [e for e in import_edges(ROOT, PACKAGE) if e.source == f"{PACKAGE}.{module}"]
    if module == "operators":
        assert f"{PACKAGE}.printing" not in {e.target for e in edges}
    else:
        tree = ast.parse((ROOT / "printing.py").read_text(encoding="utf-8"))
        top = {n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}
        late = [e.where for e in edges if e.line not in top]
        assert not late, f"function-level imports in printing.py: {late}"


def test_operators_print_through_the_printers_printing_installs() -> None:
    """operators reaches printing's printers through the hooks printing installs on import
    (the package ``__init__`` imports printing, so they are set before any printing)."""
    from sympy import Function, symbols

    from convmath.symbolic import operators, printing

    assert operators._Printers.definition is printing.definition
    assert operators._Printers.text is printing._TextPrinter
    assert operators._Printers.latex is printing._NotationLatexPrinter
    f, g = symbols("f g", cls=Function)
    assert str(operators.conv(f, g, symbols("x"))) == "∫_{−∞}^{∞} f(z)·g(x − z) dz"
