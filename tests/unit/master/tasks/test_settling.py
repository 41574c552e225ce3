"""A slave's batch of reports is stored in one database call, and the common end of a task
(its last plain step's executions all final) is written there: the same statuses, reasons,
notices and version variables as the engine's general settle writes, which is kept for the
rest."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from master.catalogue.rules import save_job
from master.db.connection import open_database
from master.db.models import Notice, Task, VersionVariable
from master.domain import (
    CommandSpec,
    Control,
    ExecutionStatus,
    JobSubmission,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.store import settling as store_settling
from master.store import tasks
from master.tasks import settling
from tests.unit.master.mastertest import Core, PlayedSlave

Snapshot = tuple[Any, ...]
Scenario = Callable[[Core], Coroutine[Any, Any, Task]]
ENDED = (TaskStatus.SUCCESS, TaskStatus.FAIL, TaskStatus.DECISION)


def command(*nodes: str) -> CommandSpec:
    return CommandSpec(1, "adhoc", "me", "", nodes, ScriptType.SHELL, "true")


def job(*steps: str) -> str:
    """A job of cmd steps, each on the nodes it names (comma separated)."""
    built = [
        Step(StepKind.CMD, f"s{i}", nodes=Selector(SelectorType.BUILTIN, nodes), script="true")
        for i, nodes in enumerate(steps)
    ]
    saved, _ = save_job(1, "job", True, built, "me")
    return saved.uuid


async def ran(core: Core, task: Task, *outcomes: tuple[PlayedSlave, ExecutionStatus]) -> Task:
    """Each slave runs its order with its outcome; the task once it has ended or waits."""
    for slave, status in outcomes:
        await slave.complete(await slave.order(), status)
    return await core.until(task, *ENDED)


async def command_two_nodes_pass(core: Core) -> Task:
    web1, web2 = await core.attach("web1"), await core.attach("web2")
    task = await core.engine.submit_command(command("web1", "web2"))
    return await ran(core, task, (web1, ExecutionStatus.SUCCESS), (web2, ExecutionStatus.SUCCESS))


async def command_one_node_fails(core: Core) -> Task:
    web1, web2 = await core.attach("web1"), await core.attach("web2")
    task = await core.engine.submit_command(command("web1", "web2"))
    return await ran(core, task, (web1, ExecutionStatus.FAIL), (web2, ExecutionStatus.TIMEOUT))


async def versioned_job_passes(core: Core) -> Task:
    web1 = await core.attach("web1")
    variables = {"version": "1.2", "ip": "web1,web9", "_appname_": "shop"}
    task, _ = await core.engine.submit_job(JobSubmission(1, job("web1"), variables=variables))
    return await ran(core, task, (web1, ExecutionStatus.SUCCESS))


async def job_node_fails(core: Core) -> Task:
    web1 = await core.attach("web1")
    task, _ = await core.engine.submit_job(JobSubmission(1, job("web1")))
    return await ran(core, task, (web1, ExecutionStatus.FAIL))


async def job_passed_a_failed_step(core: Core) -> Task:
    """Step 1 failed and was passed with `next`; the last step then succeeds."""
    web1 = await core.attach("web1")
    task, _ = await core.engine.submit_job(JobSubmission(1, job("web1", "web1")))
    task = await ran(core, task, (web1, ExecutionStatus.FAIL))
    first = (await core.run_db(tasks.subtasks, task.id))[0]
    await core.engine.control(1, task.uuid, first.uuid, Control.NEXT, "me")
    return await ran(core, task, (web1, ExecutionStatus.SUCCESS))


def snapshot(task_id: int) -> Snapshot:
    """What a user sees of the task's end: its row, its steps, its notices, the variables."""
    task = tasks.get_by_id(task_id)
    steps = [(s.status, s.finished_at is not None) for s in tasks.subtasks(task_id)]
    notices = Notice.select().where(Notice.task_id == task_id).order_by(Notice.id)
    told = [(n.kind, n.event, n.payload) for n in notices]
    stored = VersionVariable.select().order_by(VersionVariable.node, VersionVariable.name)
    variables = [(v.node, v.name, v.value) for v in stored]
    ended = (task.status, task.reason, task.finished_at is not None, task.runtime_ms is not None)
    return ended, task.position, steps, told, variables


@pytest.mark.parametrize(
    "scenario",
    [
        command_two_nodes_pass,
        command_one_node_fails,
        versioned_job_passes,
        job_node_fails,
        job_passed_a_failed_step,
    ],
)
def test_a_batch_ends_a_task_as_the_general_settle_does(
    core: Core,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    migrated: Path,
    scenario: Scenario,
) -> None:
    decided: list[store_settling.StepEnd | None] = []
    step_end = settling.step_end

    def recorded(facts: store_settling.StepFacts) -> store_settling.StepEnd | None:
        decided.append(step_end(facts))
        return decided[-1]

    monkeypatch.setattr(settling, "step_end", recorded)
    batched = core.run(scenario(core))
    fast = snapshot(batched.id)
    assert decided and decided[-1] is not None, "the end was not written with the batch"

    monkeypatch.setattr(settling, "step_end", lambda facts: None)  # the general path alone
    shutil.copyfile(migrated, tmp_path / "general.db")
    database = open_database(str(tmp_path / "general.db"))
    other = Core.wire()
    try:
        general = other.run(scenario(other))
        assert fast == snapshot(general.id)
    finally:
        other.close()
        database.close()
    assert fast[0][0] in ENDED


def test_a_batch_of_reports_is_one_database_call_and_no_settle(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One slave's batch of starts, output and results of four tasks: one call, the tasks
    ended in it; then six slaves' batches of a fan-out: at most one call each."""
    names = [f"web{i}" for i in range(6)]

    async def scenario() -> tuple[list[str], list[str], list[Task]]:
        slaves = [await core.attach(n) for n in names]
        alone = [await core.engine.submit_command(command("web0")) for _ in range(4)]
        mine = [await slaves[0].order() for _ in alone]
        fanned = await core.engine.submit_command(command(*names))
        orders = [await s.order() for s in slaves]
        calls: list[str] = []
        groups, settle = core.intake.groups, core.engine.settle
        run_db = groups.run_db

        async def counted(fn: Any, *args: Any) -> Any:
            calls.append(getattr(fn, "__name__", str(fn)))
            return await run_db(fn, *args)

        async def settled(task_id: int) -> None:
            calls.append("settle")
            await settle(task_id)

        monkeypatch.setattr(groups, "run_db", counted)
        monkeypatch.setattr(core.engine, "settle", settled)
        for order in mine:
            slaves[0].started(order.execution_id)
        for order in mine:
            slaves[0].output(order.execution_id, 0, b"hi\n")
            slaves[0].finish(order.execution_id)
        ended = [await core.until(t, TaskStatus.SUCCESS) for t in alone]
        one = list(calls)
        calls.clear()
        for slave, order in zip(slaves, orders, strict=True):
            slave.started(order.execution_id)
            slave.output(order.execution_id, 0, b"hi\n")
            slave.finish(order.execution_id)
        ended.append(await core.until(fanned, TaskStatus.SUCCESS))
        return one, calls, ended

    one, fan, ended = core.run(scenario())

    assert one == ["_store_batch"]
    assert 1 <= len(fan) <= len(names) and set(fan) == {"_store_batch"}
    assert [t.status for t in ended] == ["success"] * 5
