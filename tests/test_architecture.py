"""The shape of the library: its import graph has no cycle and its layers point down (issue 22).

The graph is read from the source with :mod:`ast`, not by importing it: every ``import`` and
``from ... import`` of a module counts, at module level and inside functions (an import inside a
function that closes a cycle is a cycle that only has not been hit yet). Relative imports are
resolved against the importing module's package; ``from sppr_gis import overlay`` is an edge to
``sppr_gis.overlay`` when ``overlay`` is a submodule, else to the package that defines the name.

Importing ``sppr_gis.a.b`` also runs ``sppr_gis/a/__init__.py``: that package is an edge too, unless
the importer is inside it (its ``__init__`` is then already running). The root ``sppr_gis/__init__.py``
is not counted that way: every import runs it, and it only re-exports (it is the top of the graph,
which :func:`test_no_module_imports_the_package_root` keeps true). Imports by name in a string
(``importlib.import_module``, the lazy attributes of ``sppr_gis.maps``) are not seen.

The source read is the package Python imports (``sppr_gis.__file__``): with
``PYTHONPATH=/path/to/checkout/src`` the test reads that checkout.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import sppr_gis

ROOT = Path(sppr_gis.__file__).resolve().parent
PKG = "sppr_gis"

#: What ``sppr_gis.io`` (readers and writers, the bottom of the flow) may import from the rest of the
#: library, directly or through these modules' own imports. Each is a leaf or close to one:
#: ``errors`` (the exception hierarchy), ``findings`` (the ``Finding`` type, data-quality rows the
#: readers report), ``crs`` (the CRS check a reader applies), ``schema`` (canonical field names, to find
#: a program's id field), ``clock`` (``SOURCE_DATE_EPOCH`` for reproducible files), ``text`` (Indonesian
#: numbers), and, where they exist, ``vocabulary`` (the field lists ``schema`` reads) and ``i18n`` (the
#: messages' language); the last two import nothing of the library. Nothing here may import
#: ``validate``, ``engine``, ``pipeline`` or anything above them.
IO_MAY_IMPORT = frozenset({"errors", "findings", "crs", "schema", "clock", "text", "vocabulary", "i18n"})


#: The layers of docs/design.md ("Modules and layers"), bottom up: a module imports only modules of its
#: own layer or below. Names are relative to ``sppr_gis`` ("" is the package root); a package's
#: ``__init__`` is listed by the package's name. ``cache``, ``vocabulary``, ``i18n`` and ``results`` are
#: where docs/design.md places those modules (names that do not exist are ignored).
LAYERS: list[tuple[str, set[str]]] = [
    ("foundations", {"errors", "findings", "text", "clock", "processes", "_version", "zoning", "crs", "schema", "overlay", "vocabulary",
                     "i18n", "maps", "maps.palette", "maps.classify", "report"}),
    ("io", {"io", "io.tables", "io.write", "io.combine", "io.postgis", "io.pg_uri", "io.vector", "io.guard"}),
    ("writers", {"report.labels", "report.excel", "maps.cartography", "maps.cartography.common", "maps.cartography.continuation", "maps.cartography.draw", "maps.cartography.enlarge", "maps.cartography.frame", "maps.cartography.grid", "maps.cartography.inset", "maps.cartography.labels", "maps.cartography.legend", "maps.cartography.preparer", "maps.cartography.scalebar", "maps.cartography.textfit", "maps.styles", "results"}),
    ("geometry", {"engine", "engine.parts", "engine.cut", "engine.lines", "validate", "dask_cluster", "cluster", "cache"}),
    ("rules and verdicts", {"rules", "conformance", "sipd", "relocation", "network", "sync", "config", "config.tables", "summary"}),
    ("check", {"pipeline", "analyses", "site"}),
    ("tables and kinerja", {"matrices", "matrices._common", "matrices.headers", "matrices.plan", "matrices.priority",
                            "matrices.coordination", "matrices.budget", "kinerja", "kinerja.core", "kinerja.canonical", "kinerja.evaluasi", "kinerja.forms",
                            "kinerja.book", "kinerja.consolidate"}),
    ("pages and report", {"maps.kinerja_pages", "maps.revision_map", "maps.album", "maps.single", "maps.pages", "maps.pages.administrasi", "maps.pages.base", "maps.pages.budget", "maps.pages.common", "maps.pages.conformance", "maps.pages.front", "maps.pages.ipu", "maps.pages.opd", "maps.pages.pola_ruang", "maps.pages.priority", "maps.pages.spots", "maps.pages.struktur", "maps.pages.synergy", "report.kinerja_html", "report.html"}),
    ("runs", {"revision", "prepare", "prepare.rows", "year", "run", "regions"}),
    ("facade", {"", "distributed"}),
]


@dataclass(frozen=True)
class Edge:
    """One import: ``source`` imports ``target`` at ``line`` of ``path`` (inside a function or not)."""

    source: str
    target: str
    path: Path
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = "inside a function" if self.in_function else "module level"
        return f"{self.source} -> {self.target}  ({self.path.relative_to(ROOT.parent)}:{self.line}, {where})"


def _modules() -> dict[str, Path]:
    mods = {}
    for p in sorted(ROOT.rglob("*.py")):
        parts = list(p.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = p
    return mods


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _resolve(name: str) -> str | None:
    """The module a dotted name lives in (``sppr_gis.io.read_layer`` -> ``sppr_gis.io``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): its imports never run, they only name types."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node that runs, and whether it sits inside a function (or a lambda); the body of an
    ``if TYPE_CHECKING:`` block is skipped (annotations only)."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        yield node, inside
        inner = inside or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        children = [node.test, *node.orelse] if _type_checking(node) else list(ast.iter_child_nodes(node))
        stack.extend((child, inner) for child in children)


def _imported(module: str, node: ast.AST) -> list[str]:
    """The dotted names an import node brings in (absolute), before resolving them to modules."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".") if _is_package(module) else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    # `from pkg import name`: the submodule pkg.name when there is one, else pkg itself
    return [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix for a in node.names]


def import_edges() -> list[Edge]:
    """Every import among ``sppr_gis`` modules, and every import of ``sppr_cli`` (target ``sppr_cli...``)."""
    edges = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, inside in _walk(tree):
            for name in _imported(module, node):
                if name == "sppr_cli" or name.startswith("sppr_cli."):
                    edges.append(Edge(module, name, path, node.lineno, inside))
                    continue
                if not (name == PKG or name.startswith(PKG + ".")):
                    continue
                target = _resolve(name)
                if target is None:
                    continue
                # the packages on the way run their __init__ (unless the importer is inside them; never the root)
                parts = target.split(".")
                targets = [".".join(parts[:k]) for k in range(2, len(parts))] + [target]
                for t in targets:
                    implicit_but_running = t != target and (not _is_package(t) or (module + ".").startswith(t + "."))
                    if t != module and not implicit_but_running:
                        edges.append(Edge(module, t, path, node.lineno, inside))
    return edges


EDGES = import_edges()


def _graph(edges: list[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for e in edges:
        if e.target in MODULES:
            graph[e.source].add(e.target)
    return graph


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for t in graph[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def test_the_graph_is_read():
    """The reader finds what is there (else the tests below would pass on an empty graph)."""
    assert len(MODULES) > 30 and "sppr_gis.io.vector" in MODULES
    pairs = {(e.source, e.target) for e in EDGES}
    assert ("sppr_gis.pipeline", "sppr_gis.engine") in pairs  # module level, absolute
    assert ("sppr_gis.validate", "sppr_gis.overlay") in pairs  # `from sppr_gis import overlay` is the submodule
    assert ("sppr_gis.prepare", "sppr_gis.kinerja") in pairs  # the package whose __init__ runs on the way
    inside = {(e.source, e.target) for e in EDGES if e.in_function}
    assert ("sppr_gis.io.vector", "sppr_gis.io.postgis") in inside  # an import inside a function counts


def test_no_import_cycle():
    """No chain of imports, at module level or inside functions, leads from a module back to itself."""
    graph = _graph(EDGES)
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]  # [a, b, ..., a]: each node is imported by the next
        steps = []
        for a, b in zip(cycle, cycle[1:]):
            e = next((e for e in EDGES if e.source == b and e.target == a), None) or next(e for e in EDGES if e.source == a and e.target == b)
            steps.append(str(e))
        pytest.fail("import cycle:\n  " + "\n  ".join(steps))
    assert set(order) == set(MODULES)


def test_no_module_imports_the_package_root():
    """Modules import the module they need; ``sppr_gis/__init__.py`` only re-exports (the top of the graph)."""
    bad = [str(e) for e in EDGES if e.target == PKG and e.source != PKG]
    assert not bad, "imports of the package root:\n  " + "\n  ".join(bad)


def test_nothing_imports_the_distributed_alias():
    """``sppr_gis.distributed`` only re-exports :mod:`sppr_gis.cluster` and :mod:`sppr_gis.regions` for scripts."""
    bad = [str(e) for e in EDGES if e.target == "sppr_gis.distributed"]
    assert not bad, "imports of the alias module (import sppr_gis.cluster or sppr_gis.regions):\n  " + "\n  ".join(bad)
    assert {e.target for e in EDGES if e.source == "sppr_gis.distributed"} == {"sppr_gis.cluster", "sppr_gis.regions"}


def test_io_imports_nothing_above_it():
    """``sppr_gis.io`` reaches, through every chain of imports, only itself and :data:`IO_MAY_IMPORT`."""
    graph = _graph(EDGES)
    io = {m for m in MODULES if m == "sppr_gis.io" or m.startswith("sppr_gis.io.")}
    allowed = io | {f"{PKG}.{m}" for m in IO_MAY_IMPORT}
    reached = io.union(*(_reach(graph, m) for m in io))
    # each import that leaves the allowed set, from io or from an allowed module io reaches
    bad = sorted(str(e) for e in EDGES if e.source in reached & allowed and e.target in MODULES and e.target not in allowed)
    assert not bad, "sppr_gis.io imports above itself:\n  " + "\n  ".join(bad)


def test_library_never_imports_the_cli():
    """``cli/sppr_cli`` is the front end: the library never imports it (it would run Click and terminal code)."""
    bad = [str(e) for e in EDGES if e.target == "sppr_cli" or e.target.startswith("sppr_cli.")]
    assert not bad, "the library imports the CLI:\n  " + "\n  ".join(bad)


def _layer_of() -> dict[str, tuple[int, str]]:
    return {(f"{PKG}.{m}" if m else PKG): (i, name) for i, (name, mods) in enumerate(LAYERS) for m in mods}


def test_every_module_has_a_layer():
    """Each module is placed in :data:`LAYERS` (and so in docs/design.md's map of modules)."""
    missing = sorted(set(MODULES) - set(_layer_of()))
    assert not missing, "modules in no layer (add them to LAYERS here and to docs/design.md, 'Modules and layers'): " + ", ".join(missing)


def test_imports_point_down_the_layers():
    """No module imports a module of a layer above its own."""
    layer = _layer_of()
    bad = sorted(f"{e}: {layer[e.source][1]} imports {layer[e.target][1]}" for e in EDGES
                 if e.source in layer and e.target in layer and layer[e.target][0] > layer[e.source][0])
    assert not bad, "imports pointing up:\n  " + "\n  ".join(bad)
