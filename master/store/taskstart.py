"""A task written already started: the task, its steps (the first one running) and the first
step's executions, in one write transaction (the engine's fast start, tasks/launch.py).

The executions go in with SQL built once per backend rather than by peewee's query builder
(a 10,000-node start is 10,000 rows): one prepared INSERT run for every row (executemany) on
SQLite, three times faster there than one statement of 10,000 VALUES; COPY on PostgreSQL, a
third of the client's CPU of psycopg2's `execute_values` and half its time at the server.
Their ids are then read by the step (new: they are all its rows), in id order, which is the
order they were inserted in (what reading a step's rows "ORDER BY id" as node order relies on
everywhere). The rows handed back are built from the values written, not read back.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, Task, utcnow
from master.domain import ExecutionStatus, NewTask, Placement
from master.store import tasks, vv

statements = logging.getLogger("peewee")
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
INSERT_ONE = f'INSERT INTO "execution" ({_COLUMN_NAMES}) VALUES ({", ".join("?" * len(COLUMNS))})'
COPY = f'COPY "execution" ({_COLUMN_NAMES}) FROM STDIN'
"""How the executions go in: SQLite's one row INSERT run for each row, PostgreSQL's COPY."""


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
        task, steps = tasks.insert_task(new, max_running, now, spec, first_running=True)
        vv.write(new.project_id, versions(task))
        subtask_id = steps[0]
        rows = _execution_rows(task.id, subtask_id, placements, now)
        ids = _insert(subtask_id, rows)
    return task, [_execution(i, row, now) for i, row in zip(ids, rows, strict=True)]


def _execution_rows(
    task_id: int, subtask_id: int, placements: list[Placement], now: dt.datetime
) -> list[tuple[Any, ...]]:
    """The database values of each execution, in COLUMNS order (as tasks._insert_executions
    writes them); the time and the flag converted once, as peewee converts them."""
    pending, failed = ExecutionStatus.PENDING.value, ExecutionStatus.FAIL.value
    time_value: Callable[..., Any] = Execution.created_at.db_value
    flag_value: Callable[..., Any] = Execution.superseded.db_value
    stamp, no = time_value(now), flag_value(False)
    if not is_postgres():  # what sqlite3 would turn it into for each row, once
        stamp = sqlite3.adapt(stamp, sqlite3.PrepareProtocol)
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


def _insert(subtask_id: int, values: list[tuple[Any, ...]]) -> list[int]:
    """INSERT the rows of a step just written; their ids in row order."""
    if not values:
        return []
    if is_postgres():
        statements.debug((COPY, ()))  # as peewee logs those it runs, for statement counts
        db.cursor().copy_expert(COPY, io.StringIO(copy_text(values)))
    else:
        statements.debug((INSERT_ONE, ()))
        db.cursor().executemany(INSERT_ONE, values)  # prepared once: no SQL text per row
    cursor = db.execute_sql(
        f'SELECT "id" FROM "execution" WHERE "subtask_id" = {db.param} ORDER BY "id"',
        (subtask_id,),
    )
    return [r[0] for r in cursor.fetchall()]


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
"""What COPY's text format escapes in a value."""


def copy_text(values: list[tuple[Any, ...]]) -> str:
    """The rows in COPY's text format: tab-separated, \\N for NULL, t/f for booleans."""
    return "".join("\t".join([_copy_value(v) for v in row]) + "\n" for row in values)


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    return str(value)  # numbers; a naive datetime as "YYYY-MM-DD HH:MM:SS[.ffffff]"


def _execution(execution_id: int, row: tuple[Any, ...], now: dt.datetime) -> Execution:
    """The row as a model, as a SELECT would have read it (no query: its values are known)."""
    data = dict(zip(COLUMNS, row, strict=True))
    data.update(id=execution_id, created_at=now, superseded=False)
    if data["finished_at"] is not None:
        data["finished_at"] = now
    model = Execution(__no_default__=1)
    model.__data__ = data
    return model
