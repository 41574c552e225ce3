"""Wings meet only through the contract: slave/ and gateway/ never import master/ (nor the
database drivers), and master/ never imports them."""

from __future__ import annotations

import ast
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
