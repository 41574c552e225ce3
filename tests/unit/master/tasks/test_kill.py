"""Killing a task: each attached slave running one of its executions gets a kill order, the
executions of slaves away are closed at once, and the task ends killed once none is open."""

from __future__ import annotations

import pytest

from master.catalogue.rules import save_job
from master.db.models import Task
from master.domain import (
    CommandSpec,
    ExecutionStatus,
    JobSubmission,
    KillOrder,
    Outbound,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import FailedPrecondition, NotFound
from master.store import projects, tasks
from tests.unit.master.mastertest import Core, seen_slaves


def command(*nodes: str) -> CommandSpec:
    return CommandSpec(1, "sleepy", "me", "", nodes, ScriptType.SHELL, "sleep 600")


def test_a_kill_orders_attached_slaves_closes_away_ones_and_ends_when_all_are_closed(
    core: Core,
) -> None:
    async def scenario() -> tuple[Task, list[KillOrder], Task]:
        web1, web2, web3 = [await core.attach(n) for n in ("web1", "web2", "web3")]
        task = await core.engine.submit_command(command("web1", "web2", "web3"))
        orders = [await web1.order(), await web2.order(), await web3.order()]
        web1.started(orders[0].execution_id)
        web3.detach()
        killing = await core.engine.kill_task(1, task.uuid, "wrong release")
        kills = [await web1.kill_order(), await web2.kill_order()]
        for slave, kill in ((web1, kills[0]), (web2, kills[1])):
            slave.finish(kill.execution_id, ExecutionStatus.KILLED, -15, kill.reason)
        return killing, kills, await core.until(task, TaskStatus.KILLED)

    killing, kills, killed = core.run(scenario())

    assert killing.status == "running" and killing.kill_requested
    rows = tasks.executions(killed.id)
    assert kills == [KillOrder(rows[0].id, "wrong release"), KillOrder(rows[1].id, "wrong release")]
    assert [(r.node, r.status, r.reason) for r in rows] == [
        ("web1", "killed", "wrong release"),
        ("web2", "killed", "wrong release"),
        ("web3", "killed", "wrong release"),
    ]
    assert (killed.reason, [s.status for s in tasks.subtasks(killed.id)]) == (
        "wrong release",
        ["killed"],
    )


def test_a_kill_with_every_slave_away_ends_the_task_at_once(core: Core) -> None:
    async def scenario() -> Task:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        web1.detach()
        return await core.engine.kill_task(1, task.uuid, "")

    task = core.run(scenario())

    assert (task.status, task.reason) == ("killed", "killed on request")
    assert [(r.status, r.reason) for r in tasks.executions(task.id)] == [
        ("killed", "killed on request")
    ]


def test_a_kill_of_a_job_waiting_for_a_decision_ends_it_without_orders(core: Core) -> None:
    seen_slaves("web1")
    step = Step(
        kind=StepKind.CMD, name="s", nodes=Selector(SelectorType.BUILTIN, "web1"), script="false"
    )
    job, _ = save_job(1, "job", True, [step, step], "me")

    async def scenario() -> tuple[Task, list[Outbound]]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, job.uuid))
        await web1.complete(await web1.order(), ExecutionStatus.FAIL)
        await core.until(task, TaskStatus.DECISION)
        return await core.engine.kill_task(1, task.uuid, ""), web1.queued()

    task, sent = core.run(scenario())

    assert task.status == "killed"
    assert sent == []
    assert [s.status for s in tasks.subtasks(task.id)] == ["killed", "init"]


def test_an_ended_task_or_another_projects_cannot_be_killed(core: Core) -> None:
    other = int(projects.create_project("second").id)

    async def scenario() -> list[Exception]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        await web1.complete(await web1.order())
        await core.until(task, TaskStatus.SUCCESS)
        refusals: list[Exception] = []
        for project_id in (1, other):
            with pytest.raises((FailedPrecondition, NotFound)) as err:
                await core.engine.kill_task(project_id, task.uuid, "")
            refusals.append(err.value)
        return refusals

    ended, elsewhere = core.run(scenario())

    assert isinstance(ended, FailedPrecondition) and "already ended" in str(ended)
    assert isinstance(elsewhere, NotFound)
