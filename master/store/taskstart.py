"""A task written already started: the task, its steps (the first one running) and the first
step's executions, in one write transaction (the engine's fast start, tasks/launch.py), its
rows and checks (those of tasks.create) in SQL built once rather than by peewee's query
builder, which was most of the CPU of a small task's start.

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
import enum
import functools
import io
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import peewee as pw

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, Subtask, Task, utcnow
from master.domain import ExecutionStatus, NewTask, Placement, SubtaskStatus
from master.errors import AlreadyExists
from master.store import tasks, taskview, vv

statements = logging.getLogger("peewee")
M = TypeVar("M", bound=pw.Model)
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
RETURNING = ' RETURNING "id"'
SKIP_TAKEN = " ON CONFLICT DO NOTHING"
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
    task, rows, _ = start_task_steps(new, max_running, placements, spec, versions)
    return task, rows


def start_task_steps(
    new: NewTask,
    max_running: int,
    placements: list[Placement],
    spec: dict[str, Any] | None,
    versions: VersionValues,
) -> tuple[Task, list[Execution], list[Subtask]]:
    """As start_task, and the task's steps: each row as a read of it would find it."""
    now = utcnow()
    with write_transaction():
        task = _insert_task(new, max_running, now)
        vv.write(new.project_id, versions(task))
        steps = _insert_steps(task.id, new, now, spec)
        subtask_id = steps[0].id
        rows = _execution_rows(task.id, subtask_id, placements, now)
        ids = _insert(subtask_id, rows)
    return task, _executions(ids, rows, now), steps


def _insert_task(new: NewTask, max_running: int, now: dt.datetime) -> Task:
    """tasks.create's checks and task row, in SQL built once; the uuid checked by the INSERT
    itself (the project's uuids are unique: a taken one writes nothing), not by a SELECT."""
    project_id = new.project_id
    if max_running and _open_count(project_id, max_running) >= max_running:
        if new.uuid and _uuid_taken(project_id, new.uuid):  # as before: that is said first
            raise AlreadyExists(f"task {new.uuid} exists", "task_uuid")
        raise tasks.too_many_running(project_id, max_running)
    for _ in range(1 if new.uuid else tasks.UUID_TRIES):
        values = tasks.task_values(new, new.uuid or tasks.new_uuid(), now)
        task_id = _insert_new(Task, values)
        if task_id is not None:
            return _model(Task, task_id, values)
    if new.uuid:
        raise AlreadyExists(f"task {new.uuid} exists", "task_uuid")
    raise AlreadyExists(f"no unused task uuid in {tasks.UUID_TRIES} draws", "task_uuid")


def _insert_steps(
    task_id: int, new: NewTask, now: dt.datetime, spec: dict[str, Any] | None
) -> list[Subtask]:
    """The task's steps, the first one RUNNING since `now` (its spec `spec`, when given), in
    order: built from what was written when it is the only one, else read (the others' ids
    are not known)."""
    first, *rest = tasks.step_rows(task_id, new)
    first.update(status=SubtaskStatus.RUNNING, started_at=now)
    if spec is not None:
        first["spec"] = json.dumps(spec)
    subtask_id = _insert_one(Subtask, first)
    if not rest:
        return [_model(Subtask, subtask_id, first)]
    sql, fields = _insert_sql(Subtask, db.param)
    db.cursor().executemany(sql, [_db_values(fields, row) for row in rest])
    return taskview.subtasks(task_id)


def _uuid_taken(project_id: int, uuid: str) -> bool:
    sql = f'SELECT 1 FROM "task" WHERE "project_id" = {db.param} AND "uuid" = {db.param} LIMIT 1'
    return db.execute_sql(sql, (project_id, uuid)).fetchone() is not None


def _open_count(project_id: int, limit: int) -> int:
    """As tasks.open_count."""
    p = db.param
    statuses = ", ".join([p] * len(tasks.OPEN))
    sql = (
        f'SELECT COUNT(*) FROM (SELECT 1 FROM "task" WHERE "project_id" = {p} '
        f'AND "status" IN ({statuses}) LIMIT {p}) AS "open"'
    )
    return int(db.execute_sql(sql, (project_id, *tasks.OPEN, limit)).fetchone()[0])


@functools.cache
def _insert_sql(model: type[pw.Model], param: str) -> tuple[str, list[pw.Field]]:
    """One row's INSERT into the model's table, every column but the id named."""
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join([param] * len(fields))
    return f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})', fields


def _db_values(fields: list[pw.Field], row: dict[str, Any]) -> tuple[Any, ...]:
    """The row's database values, a missing field its default (as peewee's insert)."""
    found = []
    for field in fields:
        convert: Callable[..., Any] = field.db_value
        found.append(convert(row[field.name] if field.name in row else _default(field)))
    return tuple(found)


def _default(field: pw.Field) -> Any:
    return field.default() if callable(field.default) else field.default


def _insert_new(model: type[pw.Model], row: dict[str, Any]) -> int | None:
    """INSERT one row unless it takes a unique key a row has (then nothing); its id, or None."""
    sql, fields = _insert_sql(model, db.param)
    params = _db_values(fields, row)
    if is_postgres():
        found = db.execute_sql(sql + SKIP_TAKEN + RETURNING, params).fetchone()
        return None if found is None else int(found[0])
    cursor = db.execute_sql(sql + SKIP_TAKEN, params)
    return int(cursor.lastrowid) if cursor.rowcount == 1 else None


def _insert_one(model: type[pw.Model], row: dict[str, Any]) -> int:
    """INSERT one row; its id."""
    sql, fields = _insert_sql(model, db.param)
    params = _db_values(fields, row)
    if is_postgres():
        return int(db.execute_sql(sql + RETURNING, params).fetchone()[0])
    return int(db.execute_sql(sql, params).lastrowid)


def _model(model: type[M], row_id: int, row: dict[str, Any]) -> M:
    """The row written as its model (its defaults filled in), each value as a read of it
    would give it back (an enum member as its text): as taskview's reads find it."""
    found = model(__no_default__=1)
    data = {}
    for field in model._meta.sorted_fields:
        value = row[field.name] if field.name in row else _default(field)
        data[field.name] = value.value if isinstance(value, enum.Enum) else value
    found.__data__ = data | {"id": row_id}
    return found


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
    if len(values) == 1:  # the common `true` on one node: its id from the INSERT
        statements.debug((INSERT_ONE, ()))
        return [_insert_values(values[0])]
    insert_values(values)
    cursor = db.execute_sql(
        f'SELECT "id" FROM "execution" WHERE "subtask_id" = {db.param} ORDER BY "id"',
        (subtask_id,),
    )
    return [r[0] for r in cursor.fetchall()]


def insert_values(values: list[tuple[Any, ...]]) -> None:
    """INSERT execution rows (COLUMNS order), in order: one prepared INSERT run for each row on
    SQLite, one COPY on PostgreSQL."""
    if is_postgres():
        statements.debug((COPY, ()))  # as peewee logs those it runs, for statement counts
        db.cursor().copy_expert(COPY, io.StringIO(copy_text(values)))
    else:
        statements.debug((INSERT_ONE, ()))
        db.cursor().executemany(INSERT_ONE, values)  # prepared once: no SQL text per row


def _insert_values(row: tuple[Any, ...]) -> int:
    """INSERT one execution (its values in COLUMNS order); its id."""
    if is_postgres():
        cursor = db.cursor()
        cursor.execute(INSERT_ONE.replace("?", "%s") + RETURNING, row)
        return int(cursor.fetchone()[0])
    return int(db.cursor().execute(INSERT_ONE, row).lastrowid)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_ESCAPED = "".join(map(chr, COPY_ESCAPES))
"""What COPY's text format escapes in a value, and how."""


def copy_text(values: list[tuple[Any, ...]]) -> str:
    """The rows in COPY's text format: tab-separated, \\N for NULL, t/f for booleans.

    Column by column: a start's rows share most of their values (the task, the step, the
    time, the status), so each distinct value of a column is written out once."""
    if not values:
        return ""
    columns = [_column_text(column) for column in zip(*values, strict=True)]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def _column_text(column: tuple[Any, ...]) -> list[str]:
    """Each value of one column as COPY text. A column holds values of one type (or None),
    so equal values (the dict's keys) are written alike."""
    if column.count(column[0]) == len(column):  # one value throughout (counted in C)
        return [_copy_value(column[0])] * len(column)
    if all(type(value) is str for value in column) and not _escaped("".join(column)):
        return list(column)  # text with nothing to escape (a start's node names): as it is
    written: dict[Any, str] = {}
    texts = []
    for value in column:
        text = written.get(value)
        if text is None:
            text = written[value] = _copy_value(value)
        texts.append(text)
    return texts


def _escaped(text: str) -> bool:
    """Whether COPY escapes something in the text (a few searches in C)."""
    return any(char in text for char in COPY_ESCAPED)


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    return str(value)  # numbers; a naive datetime as "YYYY-MM-DD HH:MM:SS[.ffffff]"


def _executions(
    ids: Iterable[int], rows: Iterable[tuple[Any, ...]], now: dt.datetime
) -> list[Execution]:
    """Each row as a model, as a SELECT would have read it (no query: its values are known).

    Each set up as Model.__init__ sets up one built from data (`__no_default__`), without its
    keyword handling, which was a third of the time of 10,000 of them."""
    finished = COLUMNS.index("finished_at")
    new = Execution.__new__
    found = []
    for execution_id, row in zip(ids, rows, strict=True):
        data = dict(zip(COLUMNS, row, strict=True))
        data.update(id=execution_id, created_at=now, superseded=False)
        if row[finished] is not None:
            data["finished_at"] = now
        model = new(Execution)
        vars(model).update(__data__=data, _dirty=set(), __rel__={})  # as __init__ leaves them
        found.append(model)
    return found
