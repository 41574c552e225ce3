"""A task written already started: the task, its steps (the first one running) and the first
step's executions, in one write transaction (the engine's fast start, tasks/launch.py).

The executions go in with SQL built once per backend rather than by peewee's query builder
(a 10,000-node start is 10,000 rows): multi-row INSERTs returning the ids on SQLite, psycopg2's
`execute_values` on PostgreSQL. The rows handed back are built from the values written, not
read back: both backends number a statement's rows in the order of its VALUES, so the returned
ids, sorted, are the rows' ids in order.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import psycopg2.extras

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, Task, utcnow
from master.domain import ExecutionStatus, NewTask, Placement
from master.store import tasks, vv

VersionValues = Callable[[Task], Iterable[tuple[str, str, str]]]
"""The (node, name, value) version variables a task writes as it starts (tasks/versions.py)."""
COLUMNS = (
    "task",
    "subtask",
    "node",
    "slave",
    "status",
    "exit_code",
    "reason",
    "chunk_count",
    "log_bytes",
    "created_at",
    "started_at",
    "finished_at",
    "attempt",
    "superseded",
    "role",
    "blob",
    "blob_size",
    "log_dropped",
    "dropped_seq",
    "ip",
    "cloud_id",
)
"""Every column of `execution` but its id, in the order the INSERT names them."""
_COLUMN_NAMES = ", ".join(f'"{Execution._meta.fields[c].column_name}"' for c in COLUMNS)
INSERT_HEAD = f'INSERT INTO "execution" ({_COLUMN_NAMES}) VALUES '
RETURNING = ' RETURNING "id"'


def start_task(
    new: NewTask,
    max_running: int,
    placements: list[Placement],
    spec: dict[str, Any] | None,
    versions: VersionValues,
) -> tuple[Task, list[Execution]]:
    """Write the task (refused as tasks.create refuses it) with its first step RUNNING and one
    execution per placement (a failed placement's already final, the others PENDING), and the
    version variables the task sets as it starts; `spec`: the first step as it starts, when it
    read something then. The task and its executions, in node order."""
    now = utcnow()
    with write_transaction():
        task = tasks.insert_task(new, max_running, now, spec, first_running=True)
        vv.write(new.project_id, versions(task))
        subtask_id = _first_subtask_id(task.id)
        rows = _execution_rows(task.id, subtask_id, placements, now)
        ids = _insert(rows)
    return task, [_execution(i, row, now) for i, row in zip(ids, rows, strict=True)]


def _first_subtask_id(task_id: int) -> int:
    cursor = db.execute_sql(
        f'SELECT "id" FROM "subtask" WHERE "task_id" = {db.param} AND "position" = 0', (task_id,)
    )
    return int(cursor.fetchone()[0])


def _execution_rows(
    task_id: int, subtask_id: int, placements: list[Placement], now: dt.datetime
) -> list[tuple[Any, ...]]:
    """The database values of each execution, in COLUMNS order (as tasks._insert_executions
    writes them); the time and the flag converted once, as peewee converts them."""
    pending, failed = ExecutionStatus.PENDING.value, ExecutionStatus.FAIL.value
    time_value: Callable[..., Any] = Execution.created_at.db_value
    flag_value: Callable[..., Any] = Execution.superseded.db_value
    stamp, no = time_value(now), flag_value(False)
    return [
        (
            task_id,
            subtask_id,
            p.node,
            p.slave,
            failed if p.failure else pending,
            -1 if p.failure else None,
            p.failure,
            0,
            0,
            stamp,
            None,
            stamp if p.failure else None,
            1,
            no,
            p.role.value,
            p.blob.encode() if p.blob else "",
            p.blob.size if p.blob else 0,
            0,
            -1,
            p.ip,
            p.cloud_id,
        )
        for p in placements
    ]


def _insert(values: list[tuple[Any, ...]]) -> list[int]:
    """INSERT the rows; their ids in row order."""
    if not values:
        return []
    if is_postgres():
        cursor = db.cursor()
        found = psycopg2.extras.execute_values(
            cursor, INSERT_HEAD + "%s" + RETURNING, values, page_size=len(values), fetch=True
        )
        return sorted(r[0] for r in found)
    ids: list[int] = []
    one = "(" + ", ".join(["?"] * len(COLUMNS)) + ")"
    per = max(1, _sqlite_parameters() // len(COLUMNS))
    for start in range(0, len(values), per):
        part = values[start : start + per]
        sql = INSERT_HEAD + ", ".join([one] * len(part)) + RETURNING
        flat = [v for row in part for v in row]
        ids += sorted(r[0] for r in db.execute_sql(sql, flat).fetchall())
    return ids


def _sqlite_parameters() -> int:
    limit: int = db.connection().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return limit


def _execution(execution_id: int, row: tuple[Any, ...], now: dt.datetime) -> Execution:
    """The row as a model, as a SELECT would have read it (no query: its values are known)."""
    data = dict(zip(COLUMNS, row, strict=True))
    data.update(id=execution_id, created_at=now, superseded=False)
    if data["finished_at"] is not None:
        data["finished_at"] = now
    model = Execution(__no_default__=1)
    model.__data__ = data
    return model
