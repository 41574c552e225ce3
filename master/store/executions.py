"""Executions: one step on one node. Status changes are guarded so a late or repeated report
never moves a final execution."""

from __future__ import annotations

import datetime as dt

from master.db.connection import is_postgres, write_transaction
from master.db.models import Execution, Slave, Task, utcnow
from master.domain import NO_PROJECT, ExecutionStatus, Role, SlaveResult

OPEN = [ExecutionStatus.PENDING.value, ExecutionStatus.RUNNING.value]


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


def mark_running(execution_id: int, started_at: dt.datetime | None) -> bool:
    return bool(
        Execution.update(status=ExecutionStatus.RUNNING, started_at=started_at or utcnow())
        .where(Execution.id == execution_id, Execution.status == ExecutionStatus.PENDING)
        .execute()
    )


def mark_running_many(ids: list[int]) -> None:
    if ids:
        Execution.update(status=ExecutionStatus.RUNNING, started_at=utcnow()).where(
            Execution.id.in_(ids), Execution.status == ExecutionStatus.PENDING
        ).execute()


def record_result(
    result: SlaveResult, started_at: dt.datetime | None, finished_at: dt.datetime | None
) -> Execution | None:
    """Store a slave's result; None when the execution was already final (a resend)."""
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
        .where(Execution.id == result.execution_id, Execution.status.in_(OPEN))
        .execute()
    )
    return get(result.execution_id) if changed else None


def close(ids: list[int], status: ExecutionStatus, reason: str) -> list[Execution]:
    """Move open executions to a final status (lost, killed); returns those it moved."""
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
        & Execution.status.in_(OPEN)
    )
    return row


def open_on_slave(slave: str) -> list[Execution]:
    return list(Execution.select().where(Execution.slave == slave, Execution.status.in_(OPEN)))


def open_of_task(task_id: int) -> list[Execution]:
    return list(
        Execution.select().where(
            Execution.task == task_id, Execution.status.in_(OPEN), ~Execution.superseded
        )
    )


def silent_since(cutoff: dt.datetime) -> list[Execution]:
    """Open executions whose slave has not been heard from since `cutoff`."""
    silent = Slave.select(Slave.name).where(Slave.last_seen < cutoff)
    return list(Execution.select().where(Execution.status.in_(OPEN), Execution.slave.in_(silent)))
