"""Everything a master keeps: every row of every table, and the files of its store.

Tests of refused requests compare a snapshot before and after: "nothing changed" is then a
statement about the whole database and store, not about the one list a test thought to look at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg2

Snapshot = tuple[dict[str, list[str]], list[str]]


def take(db_url: str, data_dir: Path) -> Snapshot:
    """(table -> its rows, each as text, sorted; the store's files with their sizes)."""
    files = sorted(
        f"{path.relative_to(data_dir)} {path.stat().st_size}"
        for path in data_dir.rglob("*")
        if path.is_file() and not _volatile(path, db_url)
    )
    return _rows(db_url), files


def _volatile(path: Path, db_url: str) -> bool:
    """Not the store: the SQLite file and its journal (they change on reads: WAL checkpoints),
    ready files and logs."""
    return path.name.startswith(Path(db_url).name) or path.suffix in (".ready", ".log")


def selected(db_url: str, queries: Mapping[str, str]) -> dict[str, list[str]]:
    """Name -> the rows of its query (SQL both backends take), each as text, sorted: what a
    test compares when other rows change on their own meanwhile."""
    if db_url.startswith(("postgres://", "postgresql://")):
        with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
            return {name: _dump(cur, query) for name, query in queries.items()}
    conn = sqlite3.connect(f"file:{db_url}?mode=ro", uri=True)
    try:
        cur = conn.cursor()
        return {name: _dump(cur, query) for name, query in queries.items()}
    finally:
        conn.close()


def _rows(db_url: str) -> dict[str, list[str]]:
    if db_url.startswith(("postgres://", "postgresql://")):
        with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            tables = [row[0] for row in cur.fetchall()]
            return {t: _dump(cur, f'SELECT * FROM "{t}"') for t in tables}
    conn = sqlite3.connect(f"file:{db_url}?mode=ro", uri=True)
    try:
        cur = conn.cursor()
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [row[0] for row in cur.fetchall()]
        return {t: _dump(cur, f'SELECT * FROM "{t}"') for t in tables}
    finally:
        conn.close()


def _dump(cur: Any, query: str) -> list[str]:
    cur.execute(query)
    return sorted(repr(tuple(row)) for row in cur.fetchall())
