"""Tasks and their subtasks: creation in one transaction, lookup, listing, final states."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuidlib
from dataclasses import dataclass

from master.db import write_transaction
from master.domain import FINAL_TASK, ExecutionStatus, TaskStatus
from master.errors import NotFound
from master.models import Execution, Project, Subtask, Task, utcnow


@dataclass(frozen=True)
class Placement:
    """Where one node's execution goes; `failure` set = it cannot run (no slave)."""

    node: str
    slave: str
    failure: str = ""


@dataclass(frozen=True)
class NewTask:
    project_id: int
    name: str
    submitter: str
    call_type: str
    job_type: str
    variables: dict[str, str]
    step_kind: str
    step_spec: dict[str, object]
    placements: list[Placement]


@dataclass(frozen=True)
class TaskFilter:
    project_id: int
    name_contains: str = ""
    submitter: str = ""
    status: str = ""
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    uuid: str = ""
    limit: int = 100
    offset: int = 0


def new_uuid() -> str:
    return uuidlib.uuid4().hex


def create(new: NewTask) -> tuple[Task, list[Execution]]:
    """Write the task, its one step and one execution per node, all running or failed."""
    now = utcnow()
    with write_transaction():
        task = Task.create(
            uuid=new_uuid(),
            project=new.project_id,
            name=new.name,
            submitter=new.submitter,
            status=TaskStatus.RUNNING,
            call_type=new.call_type,
            job_type=new.job_type,
            variables=json.dumps(new.variables, sort_keys=True),
            created_at=now,
            started_at=now,
        )
        subtask = Subtask.create(
            task=task,
            position=0,
            uuid=new_uuid(),
            kind=new.step_kind,
            spec=json.dumps(new.step_spec),
            status=TaskStatus.RUNNING,
            started_at=now,
        )
        rows = [_execution_row(task, subtask, p, now) for p in new.placements]
        Execution.insert_many(rows).execute()
    created = Execution.select().where(Execution.subtask == subtask.id).order_by(Execution.id)
    return task, list(created)


def _execution_row(
    task: Task, subtask: Subtask, p: Placement, now: dt.datetime
) -> dict[str, object]:
    failed = bool(p.failure)
    return {
        "task": task.id,
        "subtask": subtask.id,
        "node": p.node,
        "slave": p.slave,
        "status": ExecutionStatus.FAIL if failed else ExecutionStatus.PENDING,
        "reason": p.failure,
        "exit_code": -1 if failed else None,
        "created_at": now,
        "finished_at": now if failed else None,
    }


def get(uuid: str, project_id: int = 0) -> Task:
    query = Task.select().where(Task.uuid == uuid)
    if project_id:
        query = query.where(Task.project == project_id)
    task: Task | None = query.first()
    if task is None:
        raise NotFound(f"task {uuid} not found", "uuid")
    return task


def executions(task_id: int) -> list[Execution]:
    return list(Execution.select().where(Execution.task == task_id).order_by(Execution.id))


def step_spec(subtask_id: int) -> dict[str, object]:
    spec: dict[str, object] = json.loads(Subtask.get_by_id(subtask_id).spec)
    return spec


def search(f: TaskFilter) -> tuple[list[Task], int]:
    query = Task.select().join(Project).where(Project.id == f.project_id)
    if f.name_contains:
        query = query.where(Task.name.contains(f.name_contains))
    if f.submitter:
        query = query.where(Task.submitter == f.submitter)
    if f.status:
        query = query.where(Task.status == f.status)
    if f.started_after:
        query = query.where(Task.created_at >= f.started_after)
    if f.started_before:
        query = query.where(Task.created_at < f.started_before)
    if f.uuid:
        query = query.where(Task.uuid == f.uuid)
    total = query.count()
    rows = query.order_by(Task.id.desc()).limit(f.limit).offset(f.offset)
    return list(rows), total


def slaves_of(task_ids: list[int]) -> dict[int, list[str]]:
    """The distinct slaves each task's executions run on, for task lists."""
    found: dict[int, list[str]] = {i: [] for i in task_ids}
    rows = (
        Execution.select(Execution.task, Execution.slave)
        .where(Execution.task.in_(task_ids), Execution.slave != "")
        .distinct()
        .order_by(Execution.slave)
    )
    for row in rows:
        found[row.task_id].append(row.slave)
    return found


def running() -> list[Task]:
    return list(Task.select().where(Task.status == TaskStatus.RUNNING))


def request_kill(task_id: int) -> None:
    Task.update(kill_requested=True).where(Task.id == task_id).execute()


def finish(task_id: int, status: TaskStatus, reason: str = "") -> bool:
    """Set a final status once; False when the task was already final."""
    now = utcnow()
    with write_transaction():
        changed = (
            Task.update(status=status, reason=reason, finished_at=now)
            .where(Task.id == task_id, Task.status.not_in([s.value for s in FINAL_TASK]))
            .execute()
        )
        Subtask.update(status=status, finished_at=now).where(
            Subtask.task == task_id, Subtask.finished_at.is_null()
        ).execute()
    return bool(changed)


def get_by_id(task_id: int) -> Task:
    task: Task = Task.get_by_id(task_id)
    return task


def ids_of_executions(execution_ids: list[int]) -> list[int]:
    rows = Execution.select(Execution.task).where(Execution.id.in_(execution_ids)).distinct()
    return [r.task_id for r in rows]
