"""The reads a task's start makes (its project, the nodes and slaves it names), in SQL written
once: peewee building the text of these small SELECTs cost more than running them, and every
submit runs them. A node list is matched by SQL (name, inner or outer IP), never loaded whole
into Python: a project of thousands of machines costs a submit naming one of them nothing more.

Within `remembered()` (one start: its planning, then its routing, on one database thread),
the nodes and slaves read while planning answer routing's reads of the same names again.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from master.db.connection import db
from master.db.models import Node, Project, Slave

PROJECT = f'SELECT "id", "name", "created_at" FROM "{Project._meta.table_name}" WHERE "id" = ?'
NODES_NAMED = f'SELECT * FROM "{Node._meta.table_name}" WHERE "project_id" = ? AND "name" IN '
NODES_MATCHING = (
    f'SELECT * FROM "{Node._meta.table_name}" WHERE "project_id" = ? AND ("name" IN {{0}} OR '
    '"inip" IN {0} OR "exip" IN {0}) ORDER BY "name"'
)
"""Ordered by name: as SQLite read a project's nodes by its (project, name) index before."""
SLAVES_NAMED = (
    f'SELECT "name", "projects", "addresses" FROM "{Slave._meta.table_name}" WHERE "name" IN '
)
MATCH_AT_MOST = 1000
"""Names matched in SQL at most; more (a start on thousands of machines) read the project's
nodes whole, which is then about as many rows and one statement of fewer parameters."""


SlaveRow = tuple[str, str, str]
"""A slave's (name, projects, addresses)."""


@dataclass
class Remembered:
    """What one start read: per project, the node names its node rows decide (those asked
    for and those found) and the rows; the slave names asked for and the slaves found."""

    nodes: dict[int, tuple[set[str], list[Node]]] = field(default_factory=dict)
    slave_names: set[str] = field(default_factory=set)
    slaves: dict[str, SlaveRow] = field(default_factory=dict)


_remembered: contextvars.ContextVar[Remembered | None] = contextvars.ContextVar(
    "remembered", default=None
)


@contextlib.contextmanager
def remembered() -> Iterator[None]:
    """Reads of the same nodes and slaves answered from the first one, until the end."""
    token = _remembered.set(Remembered())
    try:
        yield
    finally:
        _remembered.reset(token)


@functools.cache
def _text(sql: str, param: str) -> str:
    """`sql` with the driver's placeholder (`?` for SQLite, `%s` for PostgreSQL)."""
    return sql.replace("?", param)


def _sql(sql: str) -> str:
    param: Any = db.param
    return _text(sql, str(param))


@functools.cache
def _marks(count: int) -> str:
    return "(" + ", ".join(["?"] * count) + ")"


def project(project_id: int) -> Project | None:
    row = db.execute_sql(_sql(PROJECT), (project_id,)).fetchone()
    if row is None:
        return None
    as_time: Callable[[Any], Any] = Project.created_at.python_value
    created_at = as_time(row[2])
    return Project(id=row[0], name=row[1], created_at=created_at)


def nodes_named(project_id: int, names: list[str]) -> list[Node]:
    """The project's nodes of those names (as catalogue.machines_named)."""
    if not names:
        return []
    memory = _remembered.get()
    decided, rows = memory.nodes.get(project_id, (set(), [])) if memory else (set(), [])
    if decided.issuperset(names):
        wanted = set(names)
        return [n for n in rows if n.name in wanted]
    return list(Node.raw(_sql(NODES_NAMED + _marks(len(names))), project_id, *names))


def nodes_matching(project_id: int, keys: list[str]) -> list[Node] | None:
    """The project's nodes whose name, inner or outer IP is one of `keys`, by name; None when
    there are too many keys to match in SQL (read the project's nodes instead)."""
    if len(keys) > MATCH_AT_MOST:
        return None
    if not keys:
        return []
    sql = _sql(NODES_MATCHING.format(_marks(len(keys))))
    rows: list[Node] = list(Node.raw(sql, project_id, *keys, *keys, *keys))
    memory = _remembered.get()
    if memory is not None:  # a node of a name asked for or found: in these rows
        memory.nodes[project_id] = ({*keys, *(n.name for n in rows)}, rows)
    return rows


def slaves_named(names: list[str]) -> list[SlaveRow]:
    """(name, projects, addresses) of the slaves of those names."""
    if not names:
        return []
    memory = _remembered.get()
    if memory is not None and memory.slave_names.issuperset(names):
        return [memory.slaves[n] for n in dict.fromkeys(names) if n in memory.slaves]
    cursor = db.execute_sql(_sql(SLAVES_NAMED + _marks(len(names))), names)
    rows = [(str(n), str(p), str(a)) for n, p, a in cursor.fetchall()]
    if memory is not None:
        memory.slave_names.update(names)
        memory.slaves.update((row[0], row) for row in rows)
    return rows
