"""Advances of a task's state that must happen once, whatever number of masters' engines
settle the task at the same moment (a master's engine and one that took its tasks over, a
store-level settle on the master a slave reports to): each is a conditional UPDATE whose row
count decides who advances, made while holding the task's row (`FOR UPDATE` on PostgreSQL,
the one writer on SQLite). The store-level settle (store/settling.py) takes the same row
first, so of it and an engine the later one sees what the earlier wrote.

Lock order, to never deadlock: a batch's executions, then the task, then its step."""

from __future__ import annotations

from typing import Any

from peewee import fn

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, Subtask, utcnow
from master.domain import ExecutionStatus, Placement, Role, SubtaskStatus
from master.store import tasks

OPEN = (ExecutionStatus.QUEUED.value, ExecutionStatus.PENDING.value, ExecutionStatus.RUNNING.value)


def lock_task(task_id: int) -> None:
    """Hold the task's row until the transaction ends (PostgreSQL; SQLite has one writer)."""
    if is_postgres():
        db.execute_sql(f"SELECT id FROM task WHERE id = {db.param} FOR UPDATE", (task_id,))


def end_step(
    task_id: int,
    subtask_id: int,
    status: SubtaskStatus,
    was: SubtaskStatus,
    finished: bool = True,
    pause: str | None = None,
) -> bool:
    """The step goes from `was` to `status` (with its end time unless not `finished`, and
    its pause set when given) if it still is `was` and, ending a RUNNING step, none of its
    executions is open (a rerun or a wave may have started meanwhile). False: another settle
    moved it first, and the caller moves nothing more."""
    with write_transaction():
        lock_task(task_id)
        values: dict[Any, Any] = {Subtask.status: status}
        if finished:
            values[Subtask.finished_at] = utcnow()
        if pause is not None:
            values[Subtask.pause] = pause
        query = Subtask.update(values).where(Subtask.id == subtask_id, Subtask.status == was)
        if was == SubtaskStatus.RUNNING:
            open_rows = Execution.select(Execution.id).where(
                Execution.subtask == subtask_id,
                Execution.status.in_(OPEN),
                ~Execution.superseded,
            )
            query = query.where(~fn.EXISTS(open_rows))
        return bool(query.execute())


def resume_paused(task_id: int, subtask_id: int) -> bool:
    """A step that succeeded and waits at its pause is let go (`next`): its pause cleared,
    once. False when it was let go already."""
    with write_transaction():
        lock_task(task_id)
        query = Subtask.update(pause="", finished_at=utcnow()).where(
            Subtask.id == subtask_id,
            Subtask.status == SubtaskStatus.SUCCESS,
            Subtask.pause != "",
        )
        return bool(query.execute())


def add_places(
    task_id: int, subtask_id: int, placements: list[Placement], queued: bool = False
) -> list[Execution]:
    """A copy's places, once its fetch is done, written once: none when the step has places
    already (another settle started them). The executions written."""
    with write_transaction():
        lock_task(task_id)
        placed = Execution.select(Execution.id).where(
            Execution.subtask == subtask_id, Execution.role == Role.PLACE, ~Execution.superseded
        )
        if placed.exists():
            return []
        return tasks.add_executions(task_id, subtask_id, placements, queued)
