"""Tasks, their subtasks (steps) and the executions a step starts: creation, step starts and
reruns in transactions, lookup, listing, status changes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import peewee as pw

from master.db.bulk import insert_rows
from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, LogChunk, Subtask, Task, utcnow
from master.domain import (
    FINAL_TASK,
    NO_PROJECT,
    TASK_ORDER_KEYS,
    ExecutionStatus,
    NewTask,
    NoticeKind,
    Placement,
    SortKey,
    SubtaskStatus,
    TaskFilter,
    TaskStatus,
    short_uuid,
)
from master.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
)
from master.store import notices, reports
from master.store.owner import this_master

OPEN = [s.value for s in TaskStatus if s not in FINAL_TASK]
UNENDED = {
    TaskStatus.INIT: "starting",
    TaskStatus.DECISION: "waiting for a decision",
    TaskStatus.WAITING: "waiting for `next`",
}
"""How a refusal to delete says what a task not ended is doing (else its status word)."""
UUID_TRIES = 5


def too_many_running(project_id: int, limit: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"over quota: project {project_id} has {limit} tasks not ended, the most it may have "
        "(--max-running-tasks); wait for one to end"
    )


def new_uuid() -> str:
    """A task or step uuid: 12 random letters and digits (`domain.short_uuid`)."""
    return short_uuid()


def unused_uuid(project_id: int) -> str:
    """A new uuid no task of the project has; a clash (odds 1 in 3e21 per task) draws again."""
    for _ in range(UUID_TRIES):
        uuid = new_uuid()
        if find(project_id, uuid) is None:
            return uuid
    raise AlreadyExists(f"no unused task uuid in {UUID_TRIES} draws", "task_uuid")


def create(new: NewTask, max_running: int = 0) -> Task:
    """Write the task and all its steps (not started); a uuid the project has taken is refused,
    and so is a task past the project's `max_running` tasks not ended (0: no quota)."""
    now = utcnow()
    with write_transaction():
        if new.uuid and find(new.project_id, new.uuid) is not None:
            raise AlreadyExists(f"task {new.uuid} exists", "task_uuid")
        if max_running and open_count(new.project_id, max_running) >= max_running:
            raise too_many_running(new.project_id, max_running)
        task = Task.create(**task_values(new, new.uuid or unused_uuid(new.project_id), now))
        Subtask.insert_many(step_rows(task.id, new)).execute()
    return task


def task_values(
    new: NewTask, uuid: str, now: dt.datetime, dumps: Callable[..., str] = json.dumps
) -> dict[str, Any]:
    """The task's row, by field name (written RUNNING: its first step starts at once); `dumps`
    makes its JSON texts (taskbatch.JsonTexts: once for values many tasks share)."""
    return {
        "uuid": uuid,
        "project": new.project_id,
        "name": new.name,
        "submitter": new.submitter,
        "status": TaskStatus.RUNNING,
        "call_type": new.call_type,
        "job_type": new.job_type,
        "job_uuid": new.job_uuid,
        "redo_of": new.redo_of,
        "mutex": new.mutex,
        "crontab_id": new.crontab_id,
        "forks": new.mode.forks,
        "check_only": new.mode.check,
        "job_id": new.job_id,
        "nodegroup_id": new.options.nodegroup_id,
        "account_id": new.options.account_id,
        "options": new.options.stored(),
        "variables": dumps(new.variables, sort_keys=True),
        "inputs": dumps(new.inputs, sort_keys=True),
        "created_at": now,
        "started_at": now,
        "owner": this_master(),
    }


def step_rows(task_id: int, new: NewTask) -> list[dict[str, Any]]:
    """The rows of the task's steps, by field name, not started."""
    return [
        {
            "task": task_id,
            "position": i,
            "uuid": s.uuid,
            "kind": s.kind,
            "pause": s.pause,
            "node_count": s.node_count,
            "spec": json.dumps(s.spec),
            "status": SubtaskStatus.INIT,
        }
        for i, s in enumerate(new.steps)
    ]


def start_step(
    task_id: int,
    position: int,
    placements: list[Placement],
    spec: dict[str, Any] | None = None,
    queued: bool = False,
) -> list[Execution]:
    """Mark the step running and write one execution per node (failed ones already final);
    `spec`: the planned step as it starts (what it read then), kept for its reruns; `queued`:
    written QUEUED, for the task's window to let out (else PENDING, to send now).

    A step starts once: only from INIT, claimed by the UPDATE itself. A second start (another
    master's engine settling the same task meanwhile, in a cluster) writes nothing and gets
    no rows, so it sends nothing."""
    now = utcnow()
    with write_transaction():
        sub = subtask_at(task_id, position)
        values: dict[Any, Any] = {Subtask.status: SubtaskStatus.RUNNING, Subtask.started_at: now}
        if spec is not None:
            values[Subtask.spec] = json.dumps(spec)
        query = Subtask.update(values).where(
            Subtask.id == sub.id, Subtask.status == SubtaskStatus.INIT
        )
        if not query.execute():
            return []
        Task.update(position=position, status=TaskStatus.RUNNING).where(
            Task.id == task_id
        ).execute()
        _insert_executions(task_id, sub.id, placements, now, 1, queued)
    return live_executions(sub.id)


def add_executions(
    task_id: int, subtask_id: int, placements: list[Placement], queued: bool = False
) -> list[Execution]:
    """More executions for a running step (a copy's places, once its fetch is done)."""
    with write_transaction():
        before = {e.id for e in live_executions(subtask_id)}
        _insert_executions(task_id, subtask_id, placements, utcnow(), 1, queued)
    return [e for e in live_executions(subtask_id) if e.id not in before]


def rerun(
    task_id: int,
    subtask_id: int,
    placements: list[Placement],
    spec: dict[str, Any] | None = None,
    queued: bool = False,
    only: set[str] | None = None,
) -> list[Execution]:
    """Supersede the step's failed executions and write new attempts for those nodes (`spec`:
    the planned step as it runs again, when it read something anew; `queued`: as start_step;
    `only`: of these nodes alone, e.g. one wave's).

    A step reruns once from its decision: the step's UPDATE from DECISION, made holding the
    task's row, is the claim; a second rerun (two controls reaching two masters at once)
    writes and sends nothing."""
    now = utcnow()
    with write_transaction():
        if is_postgres():
            db.execute_sql(f"SELECT id FROM task WHERE id = {db.param} FOR UPDATE", (task_id,))
        values: dict[Any, Any] = {Subtask.status: SubtaskStatus.RUNNING, Subtask.finished_at: None}
        if spec is not None:
            values[Subtask.spec] = json.dumps(spec)
        claimed = Subtask.update(values).where(
            Subtask.id == subtask_id, Subtask.status == SubtaskStatus.DECISION
        )
        if not claimed.execute():
            return []
        failed = [e for e in live_executions(subtask_id) if e.status != ExecutionStatus.SUCCESS]
        failed = [e for e in failed if only is None or e.node in only]
        attempts = {e.node: e.attempt + 1 for e in failed}
        Execution.update(superseded=True).where(Execution.id.in_([e.id for e in failed])).execute()
        Task.update(status=TaskStatus.RUNNING).where(Task.id == task_id).execute()
        for p in placements:
            _insert_executions(task_id, subtask_id, [p], now, attempts.get(p.node, 1), queued)
    return [e for e in live_executions(subtask_id) if e.node in attempts]


def _insert_executions(
    task_id: int,
    subtask_id: int,
    placements: list[Placement],
    now: dt.datetime,
    attempt: int,
    queued: bool = False,
) -> None:
    waiting = ExecutionStatus.QUEUED if queued else ExecutionStatus.PENDING
    rows = [
        {
            "task": task_id,
            "subtask": subtask_id,
            "node": p.node,
            "slave": p.slave,
            "status": ExecutionStatus.FAIL if p.failure else waiting,
            "reason": p.failure,
            "exit_code": -1 if p.failure else None,
            "created_at": now,
            "finished_at": now if p.failure else None,
            "attempt": attempt,
            "role": p.role,
            "blob": p.blob.encode() if p.blob else "",
            "blob_size": p.blob.size if p.blob else 0,
            "ip": p.ip,
            "cloud_id": p.cloud_id,
        }
        for p in placements
    ]
    insert_rows(Execution, rows)  # one statement for all nodes


def find(project_id: int, uuid: str) -> Task | None:
    """The project's task of that uuid: uuids are unique per project, not across projects."""
    task: Task | None = (
        Task.select().where((Task.project == project_id) & (Task.uuid == uuid)).first()
    )
    return task


def get(uuid: str, project_id: int) -> Task:
    """The project's task of that uuid, else NOT_FOUND (another project's is not found alike).

    `project_id` NO_PROJECT (an admin call naming none) looks in every project: the task when
    one project has that uuid; when several have it, INVALID_ARGUMENT on `project_id` asks the
    caller to name the project, rather than picking one of them."""
    if project_id != NO_PROJECT:
        task = find(project_id, uuid)
    else:
        found = list(Task.select().where(Task.uuid == uuid).limit(2))
        if len(found) > 1:
            raise InvalidArgument(
                f"task {uuid} exists in several projects: name the project", "project_id"
            )
        task = found[0] if found else None
    if task is None:
        where = f" in project {project_id}" if project_id != NO_PROJECT else ""
        raise NotFound(f"task {uuid} not found{where}", "uuid")
    return task


def get_numbered(task_id: int, project_id: int, field: str = "id") -> Task:
    """The project's task of that numeric id (NO_PROJECT: in any project), else NOT_FOUND
    naming `field` (another project's is not found alike)."""
    query = Task.select().where(Task.id == task_id)
    if project_id != NO_PROJECT:
        query = query.where(Task.project == project_id)
    task: Task | None = query.first()
    if task is None:
        where = f" in project {project_id}" if project_id != NO_PROJECT else ""
        raise NotFound(f"task {task_id} not found{where}", field)
    return task


def open_count(project_id: int, limit: int) -> int:
    """The project's tasks not ended, counted up to `limit`."""
    query = Task.select(Task.id).where((Task.project == project_id) & Task.status.in_(OPEN))
    return int(query.limit(limit).count())


def get_by_id(task_id: int) -> Task:
    task: Task = Task.get_by_id(task_id)
    return task


def subtasks(task_id: int) -> list[Subtask]:
    return list(Subtask.select().where(Subtask.task == task_id).order_by(Subtask.position))


def subtask_at(task_id: int, position: int) -> Subtask:
    sub: Subtask = Subtask.get((Subtask.task == task_id) & (Subtask.position == position))
    return sub


def executions(task_id: int) -> list[Execution]:
    """The live (latest attempt) executions of a task, in creation order."""
    return list(
        Execution.select()
        .where((Execution.task == task_id) & ~Execution.superseded)
        .order_by(Execution.id)
    )


def live_executions(subtask_id: int) -> list[Execution]:
    return list(
        Execution.select()
        .where((Execution.subtask == subtask_id) & ~Execution.superseded)
        .order_by(Execution.id)
    )


def step_spec(subtask_id: int) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(Subtask.get_by_id(subtask_id).spec)
    return spec


def search(f: TaskFilter) -> tuple[list[Task], int]:
    """A page of the project's tasks (NO_PROJECT: of every project) and how many match."""
    query = Task.select()
    if f.project_id != NO_PROJECT:
        query = query.where(Task.project == f.project_id)
    for column, wanted in (
        (Task.job_id, f.job_id),
        (Task.nodegroup_id, f.nodegroup_id),
        (Task.account_id, f.account_id),
        (Task.crontab_id, f.crontab_id),
    ):
        if wanted:
            query = query.where(column == wanted)
    if f.job_types:
        query = query.where(Task.job_type.in_(list(f.job_types)))
    if f.name_contains:
        query = query.where(Task.name.contains(f.name_contains))
    if f.submitter:
        query = query.where(Task.submitter == f.submitter)
    if f.statuses:
        query = query.where(Task.status.in_(list(f.statuses)))
    if f.started_after:
        query = query.where(Task.created_at >= f.started_after)
    if f.started_before:
        query = query.where(Task.created_at < f.started_before)
    if f.uuid:
        query = query.where(Task.uuid == f.uuid)
    total = query.count()
    rows = query.order_by(*ordering(f.order_by)).limit(f.limit).offset(f.offset)
    return list(rows), total


def ordering(keys: tuple[SortKey, ...]) -> list[Any]:
    """The ORDER BY of a task list: the keys asked for, then the id (newest first) so that
    pages never overlap. A missing time sorts as the latest (after every time, ascending), on
    SQLite as on PostgreSQL; a key that is no column of this schema is INVALID_ARGUMENT."""
    columns = Task._meta.fields
    order: list[Any] = []
    for key in keys:
        column = columns.get(key.column)
        if column is None or key.column not in TASK_ORDER_KEYS:
            raise InvalidArgument(f"cannot sort by {key.column!r}", "order_by")
        order.append(column.desc(nulls="FIRST") if key.descending else column.asc(nulls="LAST"))
    if not any(key.column == "id" for key in keys):
        order.append(Task.id.desc())
    return order


def count_since(project_id: int, since: dt.datetime) -> dict[str, int]:
    """The project's tasks created since `since`, by status (only the statuses they have)."""
    rows: Any = (
        Task.select(Task.status, pw.fn.COUNT(Task.id))
        .where((Task.project == project_id) & (Task.created_at >= since))
        .group_by(Task.status)
        .tuples()
    )
    return {str(status): int(n) for status, n in rows}


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


def unfinished() -> list[Task]:
    return list(Task.select().where(Task.status.not_in([s.value for s in FINAL_TASK])))


def request_kill(task_id: int, reason: str) -> None:
    """Mark the task to be killed; `reason` is its reason once it ends killed."""
    Task.update(kill_requested=True, reason=reason).where(Task.id == task_id).execute()


def set_status(task_id: int, status: TaskStatus) -> None:
    with write_transaction():
        changed = Task.update(status=status).where(Task.id == task_id, Task.status != status)
        if changed.execute() and status in NOTIFIED_WAITS:
            _notice(task_id, status)


def set_subtask(
    subtask_id: int, status: SubtaskStatus, pause: str | None = None, finished: bool = True
) -> None:
    values: dict[Any, Any] = {Subtask.status: status}
    if pause is not None:
        values[Subtask.pause] = pause
    if finished:
        values[Subtask.finished_at] = utcnow()
    Subtask.update(values).where(Subtask.id == subtask_id).execute()


def finish(task_id: int, status: TaskStatus, reason: str = "") -> bool:
    """Set a final status once; False when the task was already final."""
    now = utcnow()
    with write_transaction():
        changed = (
            Task.update(
                status=status,
                reason=reason,
                finished_at=now,
                runtime_ms=reports.runtime_ms(task_id, now),
            )
            .where(Task.id == task_id, Task.status.not_in([s.value for s in FINAL_TASK]))
            .execute()
        )
        if changed and status == TaskStatus.KILLED:
            Subtask.update(status=SubtaskStatus.KILLED, finished_at=now).where(
                Subtask.task == task_id,
                Subtask.status.in_([SubtaskStatus.RUNNING.value, SubtaskStatus.DECISION.value]),
            ).execute()
        if changed:
            _notice(task_id, status)
    return bool(changed)


NOTIFIED_WAITS = frozenset({TaskStatus.WAITING, TaskStatus.DECISION})


def _notice(task_id: int, status: TaskStatus) -> None:
    """The outbox's notice that the task reached `status` (inside the caller's transaction)."""
    project_id = Task.select(Task.project).where(Task.id == task_id).scalar()
    notices.enqueue(project_id, NoticeKind.TASK, status.value, None, task_id)


def task_of_executions(execution_ids: list[int]) -> dict[int, int]:
    """Execution id -> its task's id."""
    rows = Execution.select(Execution.id, Execution.task).where(Execution.id.in_(execution_ids))
    return {r.id: r.task_id for r in rows}


def delete(project_id: int, task_ids: list[int]) -> list[int]:
    """Remove ended tasks with their steps, executions and output, all or none: a task of
    another project (unless NO_PROJECT) or none is NOT_FOUND, one not ended FAILED_PRECONDITION,
    both naming `ids`. Rows that only name a task (a crontab fire's task uuid, a redo's
    `redo_of`) are history and stay; notes on a task go with it (their foreign key cascades)."""
    wanted = list(dict.fromkeys(task_ids))
    with write_transaction():
        query = Task.select(Task.id, Task.status).where(Task.id.in_(wanted))
        if project_id != NO_PROJECT:
            query = query.where(Task.project == project_id)
        found = {row.id: row.status for row in query}
        missing = [i for i in wanted if i not in found]
        if missing:
            where = f" in project {project_id}" if project_id != NO_PROJECT else ""
            raise NotFound(f"task(s) {_listed(missing)} not found{where}", "ids")
        running = [(i, found[i]) for i in wanted if TaskStatus(found[i]) not in FINAL_TASK]
        if running:
            i, status = running[0]
            more = f" (and {len(running) - 1} more)" if len(running) > 1 else ""
            how = UNENDED.get(TaskStatus(status), status)
            raise FailedPrecondition(f"task {i} is still {how}{more}: kill it first", "ids")
        executions = Execution.select(Execution.id).where(Execution.task.in_(wanted))
        LogChunk.delete().where(LogChunk.execution.in_(executions)).execute()
        Execution.delete().where(Execution.task.in_(wanted)).execute()
        Subtask.delete().where(Subtask.task.in_(wanted)).execute()
        Task.delete().where(Task.id.in_(wanted)).execute()
    return wanted


def _listed(ids: list[int]) -> str:
    shown = ", ".join(map(str, ids[:10]))
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
