"""The architecture as data, checked with `ast` (imports under TYPE_CHECKING and inside functions
count like any other):

- Wings meet only through the contract: slave/ and gateway/ never import master/ (nor the
  database drivers), and master/ never imports them (FORBIDDEN).
- Inside master/ every module belongs to a layer (LAYER_OF) and imports only the layers its own
  may (MAY_IMPORT) and no outside package its layer is kept from (KEPT_FROM).
- Inside gateway/ each REST document is a package of its own (DOCUMENTS): it imports the
  generic modules and nothing of another document; generic modules import no document, but
  for the one module that mounts them (MOUNTS_DOCUMENTS).
- No import cycle, in any wing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "slave": {"master", "gateway", "peewee", "playhouse", "psycopg2"},
    "gateway": {"master", "slave", "peewee", "playhouse", "psycopg2"},
    "master": {"slave", "gateway"},
    "jobfleet": {"master", "slave", "gateway", "peewee", "playhouse", "psycopg2"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("wing", sorted(FORBIDDEN))
def test_no_crossing_imports(wing: str) -> None:
    files = sorted((ROOT / wing).rglob("*.py"))
    assert files, f"no python files under {wing}"
    crossings = {
        str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN[wing]) for f in files
    }
    assert {k: v for k, v in crossings.items() if v} == {}


# --- inside master/

CAPABILITIES = ("catalogue", "slaves", "tasks", "reports", "notify", "cron", "terminal", "cluster")
"""The master's capabilities, each allowed to import those before it: the catalogue is what
tasks run on; slaves are who runs them; tasks use both; reports count tasks; notify tells people
what tasks did; cron starts tasks; terminals open shells on slaves and run lines as tasks; the
cluster keeps a master's lease, hands a dead master's tasks and slaves to live ones, and
wakes and relays work between masters."""

LAYER_OF = {
    # plain values: the vocabulary every layer speaks
    "master.domain": "values",
    "master.errors": "values",
    # self-contained helpers any layer may use: settings, secrets at rest, logging set-up
    "master.config": "standalone",
    "master.secrets": "standalone",
    "master.log_config": "standalone",
    # the database: connection, models, migrations, what is private at rest
    "master.db": "db",
    # all SQL
    "master.store": "store",
    # capabilities
    "master.catalogue": "catalogue",
    "master.slaves": "slaves",
    "master.tasks": "tasks",
    "master.reports": "reports",
    "master.notify": "notify",
    "master.cron": "cron",
    "master.terminal": "terminal",
    "master.cluster": "cluster",
    # the gRPC adapters: servicers, auth, converters
    "master.rpc": "rpc",
    # the composition root and the command line
    "master": "compose",
    "master.app": "compose",
    "master.cli": "compose",
    "master.__main__": "compose",
}
"""Module or package -> layer (the longest key naming the module or a package holding it)."""

BELOW_CAPABILITIES = {"values", "standalone", "db", "store"}
MAY_IMPORT: dict[str, set[str]] = {
    "values": set(),
    "standalone": set(),
    "db": {"values", "standalone", "db"},
    "store": {"values", "standalone", "db", "store"},
    **{
        name: BELOW_CAPABILITIES | set(CAPABILITIES[: i + 1]) for i, name in enumerate(CAPABILITIES)
    },
    "rpc": {"values", "standalone", "rpc", *CAPABILITIES},
    "compose": {"values", "standalone", "db", "store", "rpc", "compose", *CAPABILITIES},
}
"""Layer -> the layers it may import. rpc calls capabilities, never the store or the database."""

GENERATED = ("jobfleet.v1", "google.protobuf", "grpc_health", "grpc_reflection")
DATABASE = ("peewee", "playhouse", "psycopg2")
KEPT_FROM: dict[str, tuple[str, ...]] = {
    "values": (*GENERATED, *DATABASE),
    "standalone": (*GENERATED, *DATABASE, "grpc"),
    "db": (*GENERATED, "grpc"),
    "store": (*GENERATED, "grpc"),
    **{name: (*GENERATED, *DATABASE, "grpc") for name in CAPABILITIES},
    "rpc": DATABASE,
    "compose": GENERATED,
}
"""Layer -> outside packages it never imports: rpc/ alone speaks the generated code, db/ and
store/ alone the database drivers (the composition root names peewee's Database, no more)."""

EXCEPTIONS: dict[tuple[str, str], str] = {
    ("master.rpc.convert", "master.db.models"): "the converters turn the rows capabilities return "
    "(tasks, executions, catalogue objects) into protobuf, field by field: they name the rows' "
    "classes in their signatures and never query them",
}
"""(importer module or package, imported module) -> why this import is right although the
table forbids it."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def python_files(wing: str) -> list[Path]:
    """The wing's hand-written modules (the generated jobfleet/v1 left out)."""
    base = ROOT / wing
    return [p for p in sorted(base.rglob("*.py")) if p.relative_to(base).parts[:1] != ("v1",)]


MODULES = {
    module_name(p): p for w in ("master", "slave", "gateway", "jobfleet") for p in python_files(w)
}


def imports_of(module: str) -> Iterator[str]:
    """Every module `module` imports: `from pkg import mod` names pkg.mod when that is a module."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def layer(module: str) -> str | None:
    """The layer of the longest LAYER_OF key naming the module or a package holding it (the
    wing itself, "master", holds nothing: a new module must be given a layer)."""
    owners = [p for p in LAYER_OF if module == p or ("." in p and module.startswith(p + "."))]
    return LAYER_OF[max(owners, key=len)] if owners else None


def outside(imported: str, packages: tuple[str, ...]) -> bool:
    return any(imported == p or imported.startswith(p + ".") for p in packages)


def excepted(module: str, imported: str) -> bool:
    return any((module == m or module.startswith(m + ".")) and imported == i for m, i in EXCEPTIONS)


def breaches() -> set[str]:
    found = set()
    for module in (m for m in MODULES if m == "master" or m.startswith("master.")):
        mine = layer(module)
        assert mine is not None, f"{module} belongs to no layer: add it to LAYER_OF"
        for imported in imports_of(module):
            theirs = layer(imported) if imported.startswith("master") else None
            wrong = theirs is not None and theirs not in MAY_IMPORT[mine]
            if (wrong or outside(imported, KEPT_FROM[mine])) and not excepted(module, imported):
                found.add(f"{module} -> {imported}")
    return found


def test_every_layer_imports_only_what_the_table_allows() -> None:
    assert sorted(breaches()) == []


def test_every_exception_is_still_needed() -> None:
    used = {(m, i) for m in MODULES if m.startswith("master.") for i in imports_of(m)}
    assert [e for e in EXCEPTIONS if not any(excepted(m, i) and i == e[1] for m, i in used)] == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# --- inside gateway/

DOCUMENTS = sorted(p.name for p in (ROOT / "gateway").iterdir() if (p / "__init__.py").is_file())
"""gateway/<document>/: one package per REST document (openc3, and the next ones beside it)."""
MOUNTS_DOCUMENTS = {"gateway.app"}


def document_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "gateway" and parts[1] in DOCUMENTS else None


def test_each_gateway_document_imports_the_generic_modules_and_no_other_document() -> None:
    assert DOCUMENTS, "no document package under gateway/"
    found = []
    for module in (m for m in MODULES if m.startswith("gateway.")):
        mine = document_of(module)
        for imported in imports_of(module):
            theirs = document_of(imported)
            if theirs is not None and theirs != mine and module not in MOUNTS_DOCUMENTS:
                found.append(f"{module} -> {imported}")
    assert found == []


def test_no_import_cycle_in_any_wing() -> None:
    graph = {m: {i for i in imports_of(m) if i in MODULES and i != m} for m in MODULES}
    assert cycles(graph) == []


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
