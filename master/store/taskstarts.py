"""Many tasks written already started in one write transaction: a crontab tick's tasks whose
first step is plain (a thousand per-second crontabs are a thousand such tasks a second).

Each task holds the rows taskstart.start_task writes for it alone (tests/unit/master/store/
test_taskstart.py compares them), and is refused as it refuses it, alone: the uuids and the
quota are checked for all of them first (a few queries), then only the tasks accepted are
written, each table with one statement for all of them (the executions: one prepared INSERT
run for every row on SQLite, one COPY on PostgreSQL, as taskstart writes one task's). One
transaction of about six statements for the tick, where one per task was six statements each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from master.db.bulk import _max_parameters
from master.db.connection import db, write_transaction
from master.db.models import Execution, Subtask, Task, utcnow
from master.db.returning import insert_returning
from master.domain import NewTask, Placement, SubtaskStatus
from master.errors import JobfleetError
from master.store import taskbatch, tasks, taskstart, vv
from master.store.taskbatch import JsonTexts

Started = tuple[Task, list[Execution]] | JobfleetError
"""A task written started (with its first step's executions, in node order), or why not."""


@dataclass(frozen=True)
class Start:
    """A task to write started: its first step's placements, and its spec as it starts (None:
    as planned)."""

    new: NewTask
    placements: list[Placement]
    spec: dict[str, Any] | None = None


def start_tasks(
    starts: list[Start], max_running: int, versions: taskstart.VersionValues
) -> list[Started]:
    """Write each task as start_task writes it, all in one transaction: for each, in order,
    the task and its executions, or why it was refused (its uuid taken, past the quota)."""
    now = utcnow()
    with write_transaction():
        news = [_with_uuid(s.new) for s in starts]
        refused = _refusals(news, max_running)
        accepted = [i for i, why in enumerate(refused) if why is None]
        texts = JsonTexts()
        written = _insert_tasks([news[i] for i in accepted], now, texts)
        vv_write_all(written, versions)
        chosen = [starts[i] for i in accepted]
        firsts = _insert_steps(written, chosen, now, texts)
        rows = [
            taskstart._execution_rows(task.id, first, s.placements, now)
            for task, first, s in zip(written, firsts, chosen, strict=True)
        ]
        ids = _insert_executions(firsts, [r for task_rows in rows for r in task_rows])
    out: list[Started] = list(refused)  # type: ignore[arg-type]  # None where accepted
    for index, task, first, task_rows in zip(accepted, written, firsts, rows, strict=True):
        out[index] = (task, taskstart._executions(ids.get(first, []), task_rows, now))
    return out


def _with_uuid(new: NewTask) -> NewTask:
    """The task with its uuid: a new one (as start_task draws it) when it has none."""
    if new.uuid:
        return new
    return dataclasses.replace(new, uuid=tasks.unused_uuid(new.project_id))


def _refusals(news: list[NewTask], max_running: int) -> list[JobfleetError | None]:
    """Why each task is refused, as start_task refuses it alone (None: accepted), in order: a
    uuid taken (by the project or an earlier task here), then past the project's quota."""
    taken = taskbatch._taken(news)
    room = taskbatch._room(news, max_running)
    found: list[JobfleetError | None] = []
    for new in news:
        why = taskbatch._refused(new, taken, room, max_running)
        if why is None:
            taken.add(taskbatch.key(new))
        found.append(why)
    return found


def _insert_tasks(news: list[NewTask], now: dt.datetime, texts: JsonTexts) -> list[Task]:
    """The task rows (RUNNING), one statement; each as its model."""
    rows = [taskbatch._task_row(new, now, texts) for new in news]
    found = insert_returning(Task, rows, ["id", "project_id", "uuid"])
    ids = {(int(project), str(uuid)): int(i) for i, project, uuid in found}
    return [
        taskstart._model(Task, ids[taskbatch.key(new)], row)
        for new, row in zip(news, rows, strict=True)
    ]


def vv_write_all(written: list[Task], versions: taskstart.VersionValues) -> None:
    """The version variables the tasks set as they start, one write per project (a later
    task's value of a node and name wins, as writing them task by task)."""
    values: dict[int, list[tuple[str, str, str]]] = {}
    for task in written:
        values.setdefault(task.project_id, []).extend(versions(task))
    for project_id, project_values in values.items():
        vv.write(project_id, project_values)


def _insert_steps(
    written: list[Task], starts: list[Start], now: dt.datetime, texts: JsonTexts
) -> list[int]:
    """Every task's steps, its first one RUNNING since `now` (its spec as it starts, when
    given), one statement; each task's first step's id."""
    rows: list[dict[str, Any]] = []
    for task, start in zip(written, starts, strict=True):
        steps = taskbatch._subtask_rows(task.id, start.new, texts)
        steps[0].update(status=SubtaskStatus.RUNNING, started_at=now)
        if start.spec is not None:
            steps[0]["spec"] = texts(start.spec)
        rows += steps
    found = insert_returning(Subtask, rows, ["id", "task_id", "position"])
    firsts = {int(task_id): int(i) for i, task_id, position in found if position == 0}
    return [firsts[task.id] for task in written]


def _insert_executions(firsts: list[int], values: list[tuple[Any, ...]]) -> dict[int, list[int]]:
    """INSERT the rows of the steps just written; each step's execution ids in row order."""
    if not values:
        return {}
    taskstart.insert_values(values)
    ids: dict[int, list[int]] = {}
    for chunk in _chunks(firsts, _max_parameters()):
        marks = ", ".join([db.param] * len(chunk))
        sql = f'SELECT "id", "subtask_id" FROM "execution" WHERE "subtask_id" IN ({marks})'
        for execution_id, subtask_id in db.execute_sql(sql + ' ORDER BY "id"', chunk):
            ids.setdefault(int(subtask_id), []).append(int(execution_id))
    return ids


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
