"""Executions: one step on one node. Status changes are guarded so a late or repeated report
never moves a final execution.

Open executions are SENT (pending or running: a slave has them, or is being sent them) or
QUEUED (written, held back by the task's window, known to no slave): what slaves report,
re-attach with and lose by silence is only ever a sent one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from master.db.connection import is_postgres, write_transaction
from master.db.models import Execution, Slave, Subtask, Task, utcnow
from master.domain import NO_PROJECT, SENT_EXECUTION, Chunk, ExecutionStatus, Role, SlaveResult
from master.store import logs

SENT = [s.value for s in SENT_EXECUTION]
OPEN = [ExecutionStatus.QUEUED.value, *SENT]
Pick = Callable[[list[tuple[int, ExecutionStatus]]], list[int]]
"""From a step's live executions, (id, status) in node order: the queued ones to send now."""


def get(execution_id: int) -> Execution | None:
    return Execution.get_or_none(Execution.id == execution_id)


def get_in_project(execution_id: int, project_id: int) -> Execution | None:
    """The execution, if its task is in the project (NO_PROJECT: any project)."""
    if project_id == NO_PROJECT:
        return get(execution_id)
    query = (
        Execution.select()
        .join(Task, on=(Execution.task == Task.id))
        .where((Execution.id == execution_id) & (Task.project == project_id))
    )
    row: Execution | None = query.first()
    return row


def mark_running(execution_id: int, started_at: dt.datetime | None) -> int | None:
    """Its task's id once a pending execution is now running; None when it was not pending."""
    moved = (
        Execution.update(status=ExecutionStatus.RUNNING, started_at=started_at or utcnow())
        .where(Execution.id == execution_id, Execution.status == ExecutionStatus.PENDING)
        .execute()
    )
    return task_of(execution_id) if moved else None


def task_of(execution_id: int) -> int | None:
    """The execution's task id (one column: the reports' hot path)."""
    row = Execution.select(Execution.task).where(Execution.id == execution_id).first()
    return int(row.task_id) if row is not None else None


def mark_running_many(ids: list[int]) -> list[int]:
    """Pending executions a slave says it runs are running; -> the ids of their tasks."""
    if not ids:
        return []
    Execution.update(status=ExecutionStatus.RUNNING, started_at=utcnow()).where(
        Execution.id.in_(ids), Execution.status == ExecutionStatus.PENDING
    ).execute()
    return sorted(
        {r.task_id for r in Execution.select(Execution.task).where(Execution.id.in_(ids))}
    )


def record_result(
    result: SlaveResult, started_at: dt.datetime | None, finished_at: dt.datetime | None
) -> int | None:
    """Store a slave's result; its task's id, or None when the execution was already final
    (a resend)."""
    changed = (
        Execution.update(
            status=result.status,
            exit_code=result.exit_code,
            reason=result.reason,
            started_at=started_at or Execution.started_at,
            finished_at=finished_at or utcnow(),
            blob=result.fetched.encode() if result.fetched else Execution.blob,
            blob_size=result.fetched.size if result.fetched else Execution.blob_size,
        )
        .where(Execution.id == result.execution_id, Execution.status.in_(SENT))
        .execute()
    )
    return task_of(result.execution_id) if changed else None


def close(ids: list[int], status: ExecutionStatus, reason: str) -> list[Execution]:
    """Move open executions (queued ones too) to a final status (lost, killed); returns those
    it moved."""
    if not ids:
        return []
    with write_transaction():  # the rows returned are exactly the rows moved
        query = Execution.select().where(Execution.id.in_(ids), Execution.status.in_(OPEN))
        moving = list(query.for_update() if is_postgres() else query)  # SQLite: IMMEDIATE
        if moving:
            Execution.update(
                status=status, reason=reason, finished_at=utcnow(), exit_code=-1
            ).where(Execution.id.in_([e.id for e in moving]), Execution.status.in_(OPEN)).execute()
    return moving


def fail_success(ids: list[int], reason: str) -> None:
    """Turn executions a slave reported successful into failures (a report the master cannot
    act on, such as a fetch without its blob)."""
    if ids:
        Execution.update(status=ExecutionStatus.FAIL, reason=reason, exit_code=-1).where(
            Execution.id.in_(ids), Execution.status == ExecutionStatus.SUCCESS
        ).execute()


def closed_among(ids: list[int]) -> list[int]:
    """Those of `ids` that are final here (lost or killed while their slave was away)."""
    if not ids:
        return []
    query = Execution.select(Execution.id).where(Execution.id.in_(ids), ~Execution.status.in_(OPEN))
    return [row.id for row in query]


def of_slave(ids: list[int], slave: str) -> set[int]:
    """Those of `ids` dispatched to `slave`."""
    if not ids:
        return set()
    query = Execution.select(Execution.id).where(Execution.id.in_(ids), Execution.slave == slave)
    return {row.id for row in query}


def dispatched(execution_id: int, slave: str, role: Role) -> Execution | None:
    """The open execution `execution_id` if it was dispatched to `slave` in that role."""
    row: Execution | None = Execution.get_or_none(
        (Execution.id == execution_id)
        & (Execution.slave == slave)
        & (Execution.role == role)
        & Execution.status.in_(SENT)
    )
    return row


def open_on_slave(slave: str) -> list[Execution]:
    """The executions sent to `slave` and not ended (not those queued for it)."""
    return list(Execution.select().where(Execution.slave == slave, Execution.status.in_(SENT)))


def open_of_task(task_id: int) -> list[Execution]:
    """The task's live executions not ended, queued ones included."""
    return list(
        Execution.select().where(
            Execution.task == task_id, Execution.status.in_(OPEN), ~Execution.superseded
        )
    )


def silent_since(cutoff: dt.datetime) -> list[Execution]:
    """Sent executions whose slave has not been heard from since `cutoff` (a queued one was
    sent to none)."""
    silent = Slave.select(Slave.name).where(Slave.last_seen < cutoff)
    return list(Execution.select().where(Execution.status.in_(SENT), Execution.slave.in_(silent)))


def release(subtask_id: int, pick: Pick) -> list[Execution]:
    """Move the queued executions of the step that `pick` chooses to PENDING, in one
    transaction holding the step (so masters sharing the database never let out more than the
    window); none once the task is to be killed. Returns those moved, to send."""
    with write_transaction():
        step = Subtask.select(Subtask.id, Task.kill_requested).join(Task)
        step = step.where(Subtask.id == subtask_id).objects()
        held = (step.for_update(of=Subtask) if is_postgres() else step).first()
        if held is None or held.kill_requested:
            return []
        rows = Execution.select(Execution.id, Execution.status).where(
            Execution.subtask == subtask_id, ~Execution.superseded
        )
        chosen = pick([(r.id, ExecutionStatus(r.status)) for r in rows.order_by(Execution.id)])
        if not chosen:
            return []
        Execution.update(status=ExecutionStatus.PENDING).where(
            Execution.id.in_(chosen), Execution.status == ExecutionStatus.QUEUED
        ).execute()
        moved = Execution.select().where(
            Execution.id.in_(chosen), Execution.status == ExecutionStatus.PENDING
        )
        return list(moved.order_by(Execution.id))


def move_pending(execution_id: int, slave: str) -> Execution | None:
    """Give a pending execution (not sent yet) to another slave; None when it is no longer
    pending."""
    moved = (
        Execution.update(slave=slave)
        .where(Execution.id == execution_id, Execution.status == ExecutionStatus.PENDING)
        .execute()
    )
    return get(execution_id) if moved else None


def complete_checks(outputs: dict[int, bytes]) -> None:
    """End the queued executions of a dry run: SUCCESS at once, each with its one stdout chunk
    (what would have run), written together."""
    if not outputs:
        return
    now = utcnow()
    with write_transaction():
        moving = Execution.select(Execution.id).where(
            Execution.id.in_(list(outputs)), Execution.status == ExecutionStatus.QUEUED
        )
        ids = [r.id for r in moving]
        Execution.update(
            status=ExecutionStatus.SUCCESS, exit_code=0, started_at=now, finished_at=now
        ).where(Execution.id.in_(ids)).execute()
        logs.append([Chunk(i, 0, outputs[i]) for i in ids])
