"""SQL of step conditions and rolling waves (master/tasks/conditions.py, waves.py): a step
skipped, a wave started. Each is one transaction, so a master that stops meanwhile leaves
either all of it or none."""

from __future__ import annotations

from master.db.connection import is_postgres, write_transaction
from master.db.models import Execution, Subtask, Task, utcnow
from master.domain import Placement, Role, SubtaskStatus, TaskStatus
from master.store import claims, tasks


def skip_step(task_id: int, position: int) -> bool:
    """The step at `position` is SKIPPED (not run) and is the task's step now; skipped once,
    from INIT (False: another settle of the task skipped or started it first)."""
    with write_transaction():
        skipped = Subtask.update(status=SubtaskStatus.SKIPPED, finished_at=utcnow()).where(
            Subtask.task == task_id,
            Subtask.position == position,
            Subtask.status == SubtaskStatus.INIT,
        )
        if not skipped.execute():
            return False
        Task.update(position=position).where(Task.id == task_id).execute()
        return True


def start_wave(
    task_id: int, subtask_id: int, placements: list[Placement], queued: bool = False
) -> list[Execution]:
    """Write the executions of a step's next wave, and the step and its task running again
    when they waited for a decision (an `ignore` let the last wave's failures pass). Nothing
    when a node of the wave already has an execution there (the wave has started: another
    master, or this one before it stopped). The executions written."""
    with write_transaction():
        claims.lock_task(task_id)  # the task's row first, as every claim of its advance
        step = Subtask.select(Subtask.id).where(Subtask.id == subtask_id)
        (step.for_update() if is_postgres() else step).first()
        live = tasks.live_executions(subtask_id)
        if {r.node for r in live if r.role != Role.FETCH} & {p.node for p in placements}:
            return []
        Subtask.update(status=SubtaskStatus.RUNNING, finished_at=None).where(
            Subtask.id == subtask_id, Subtask.status == SubtaskStatus.DECISION
        ).execute()
        Task.update(status=TaskStatus.RUNNING).where(
            Task.id == task_id, Task.status == TaskStatus.DECISION
        ).execute()
        return tasks.add_executions(task_id, subtask_id, placements, queued)
