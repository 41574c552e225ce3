"""The reads a task's view is made of (the task by uuid, its live executions, its steps, its
note count) with their SQL text written once: peewee building the text of these small SELECTs
costs about three times running them, and GetTask, which pollers call most, runs all four."""

from __future__ import annotations

import functools
from typing import Any

from master.db.connection import db
from master.db.models import Execution, Subtask, Task, TaskNote

TASK = f'SELECT * FROM "{Task._meta.table_name}" WHERE "project_id" = ? AND "uuid" = ? LIMIT 1'
TASK_BY_ID = f'SELECT * FROM "{Task._meta.table_name}" WHERE "id" = ?'
EXECUTIONS = (
    f'SELECT * FROM "{Execution._meta.table_name}" WHERE "task_id" = ? AND NOT "superseded"'
    ' ORDER BY "id"'
)
SUBTASKS = f'SELECT * FROM "{Subtask._meta.table_name}" WHERE "task_id" = ? ORDER BY "position"'
NOTE_COUNT = f'SELECT COUNT(*) FROM "{TaskNote._meta.table_name}" WHERE "task_id" = ?'


@functools.cache
def _text(sql: str, param: str) -> str:
    """`sql` with the database driver's placeholder (`?` for SQLite, `%s` for PostgreSQL)."""
    return sql.replace("?", param)


def _sql(sql: str) -> str:
    param: Any = db.param
    return _text(sql, str(param))


def find(project_id: int, uuid: str) -> Task | None:
    """The project's task of that uuid (as tasks.find)."""
    found: list[Task] = list(Task.raw(_sql(TASK), project_id, uuid))
    return found[0] if found else None


def by_id(task_id: int) -> Task:
    """The task of that id (as tasks.get_by_id: Task.DoesNotExist when there is none)."""
    found: list[Task] = list(Task.raw(_sql(TASK_BY_ID), task_id))
    if not found:
        raise Task.DoesNotExist(f"no task {task_id}")  # type: ignore[attr-defined]
    return found[0]


def executions(task_id: int) -> list[Execution]:
    """The live (latest attempt) executions of a task, in creation order (as tasks.executions)."""
    return list(Execution.raw(_sql(EXECUTIONS), task_id))


def subtasks(task_id: int) -> list[Subtask]:
    """The task's steps in order (as tasks.subtasks)."""
    return list(Subtask.raw(_sql(SUBTASKS), task_id))


def note_count(task_id: int) -> int:
    """Operators' notes on the task."""
    row = db.execute_sql(_sql(NOTE_COUNT), (task_id,)).fetchone()
    return int(row[0])
