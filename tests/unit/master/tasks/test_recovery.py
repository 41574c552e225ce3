"""A master stopped between ending a step and moving its task on: at the next start, recovery
moves the task on (it would stay `running` forever otherwise)."""

from __future__ import annotations

import contextlib

import peewee

from master.db.models import Task
from master.domain import CommandSpec, ExecutionStatus, ScriptType, SlaveResult, SubtaskStatus
from master.store import executions, tasks
from tests.unit.master.mastertest import Core


def test_a_step_ended_but_its_task_not_moved_on_is_finished_by_recovery(
    database: peewee.Database,
) -> None:
    with contextlib.closing(Core.wire()) as first:

        async def before() -> Task:
            await first.attach("web1")
            spec = CommandSpec(1, "short", "me", "", ("web1",), ScriptType.SHELL, "true")
            return await first.engine.submit_command(spec)

        task = first.run(before())
    sent = tasks.executions(task.id)[0]
    executions.record_result(SlaveResult(sent.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)
    step = tasks.subtask_at(task.id, 0)
    tasks.set_subtask(step.id, SubtaskStatus.SUCCESS)  # the master stopped right here
    assert tasks.get_by_id(task.id).status == "running"

    with contextlib.closing(Core.wire()) as restarted:
        restarted.run(restarted.intake.recover())

    assert tasks.get_by_id(task.id).status == "success"
