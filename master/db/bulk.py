"""Writing many rows at once: one INSERT for thousands of rows, and the id sequence after rows
written with explicit ids. Infrastructure the store uses; SQL built from the models' fields."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import peewee

from master.db.connection import db, is_postgres


def insert_rows(model: type[peewee.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT the rows with one statement (on SQLite, as few as its parameter cap allows),
    values converted as peewee converts them and missing columns given their defaults.

    peewee's insert_many builds its statement node by node: for 10,000 rows of a dozen columns
    that is ~0.4 s of Python before the database sees anything (scripts/bench_store.py: starting
    a step on 10,000 nodes went from 576 to ~200 ms on SQLite, 999 to ~470 ms on PostgreSQL)."""
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
    values = [_column_values(field, rows) for field in fields]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    head = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES '
    one = "(" + ", ".join([db.param] * len(fields)) + ")"
    per_statement = max(1, _max_parameters() // len(fields))
    run: Callable[..., Any] = db.execute_sql
    for start in range(0, len(rows), per_statement):
        stop = min(start + per_statement, len(rows))
        params = [v for i in range(start, stop) for v in (column[i] for column in values)]
        run(head + ", ".join([one] * (stop - start)), params)


def sync_id_sequence(model: type[peewee.Model]) -> None:
    """After rows were inserted with explicit ids, make the next generated id follow them.

    SQLite picks max(id) + 1 by itself; a PostgreSQL sequence knows nothing of explicit ids
    and would hand out ones already taken."""
    if is_postgres():
        table = model._meta.table_name
        run: Callable[..., Any] = db.execute_sql
        run(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
        )


def _column_values(field: Any, rows: list[dict[str, Any]]) -> list[Any]:
    default = field.default
    if callable(default):
        return [field.db_value(r[field.name] if field.name in r else default()) for r in rows]
    return [field.db_value(r.get(field.name, default)) for r in rows]


def _max_parameters() -> int:
    """Bound parameters one statement may carry: SQLite caps them; psycopg2 binds client-side."""
    if is_postgres():
        return 1 << 30
    limit: int = db.connection().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return limit
