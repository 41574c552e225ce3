"""Writing many rows at once and reading back their generated columns (ids): one INSERT ...
RETURNING per statement bulk.py would use, where peewee would build and run one per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import peewee

from master.db.bulk import _column_values, _max_parameters
from master.db.connection import db


def insert_returning(
    model: type[peewee.Model], rows: list[dict[str, Any]], returning: list[str]
) -> list[tuple[Any, ...]]:
    """INSERT the rows as bulk.insert_rows does; the `returning` columns of each row inserted,
    in no set order (so return a column that tells the rows apart)."""
    if not rows:
        return []
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
    values = [_values(field, rows) for field in fields]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    head = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES '
    tail = " RETURNING " + ", ".join(f'"{name}"' for name in returning)
    one = "(" + ", ".join([db.param] * len(fields)) + ")"
    per_statement = max(1, _max_parameters() // len(fields))
    run: Callable[..., Any] = db.execute_sql
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), per_statement):
        stop = min(start + per_statement, len(rows))
        params = [v for i in range(start, stop) for v in (column[i] for column in values)]
        found.extend(tuple(r) for r in run(head + ", ".join([one] * (stop - start)) + tail, params))
    return found


TIMES = (peewee.DateTimeField, peewee.DateField, peewee.TimeField)


def _values(field: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """The column's values converted as bulk.insert_rows converts them, each distinct value
    once: rows written together repeat most of their values (name, status, submitter...)."""
    if callable(field.default) or isinstance(field, TIMES):
        return _column_values(field, rows)
    converted: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    for row in rows:
        value = row.get(field.name, field.default)
        try:
            known = (type(value), value)
            if known not in converted:
                converted[known] = field.db_value(value)
            out.append(converted[known])
        except TypeError:  # not hashable
            out.append(field.db_value(value))
    return out
