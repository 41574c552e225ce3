"""A job's step with a failed node waits for a decision: `next` goes on counting it failed,
`fail` ends the task, `running` reruns the failed nodes only, `ignore` goes on as if it passed.
A control that would change nothing is refused."""

from __future__ import annotations

import pytest

from master.catalogue.rules import save_job
from master.db.models import Execution, Task
from master.domain import (
    Control,
    ExecutionStatus,
    JobSubmission,
    Outbound,
    RunOrder,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import FailedPrecondition, NotFound
from master.store import tasks
from tests.unit.master.mastertest import Core, Order, PlayedSlave, seen_slaves


def two_step_job() -> str:
    """A job whose first step runs on web1 and web2, its second on web2."""
    seen_slaves("web1", "web2")
    steps = [
        Step(
            kind=StepKind.CMD,
            name="first",
            nodes=Selector(SelectorType.BUILTIN, "web1,web2"),
            script="first",
        ),
        Step(
            kind=StepKind.CMD,
            name="second",
            nodes=Selector(SelectorType.BUILTIN, "web2"),
            script="second",
        ),
    ]
    job, _ = save_job(1, "job", True, steps, "me")
    return job.uuid


async def at_decision(core: Core, job_uuid: str) -> tuple[Task, PlayedSlave, PlayedSlave]:
    """The job's task stopped at its first step: web1 failed there, web2 succeeded."""
    web1, web2 = await core.attach("web1"), await core.attach("web2")
    task, _ = await core.engine.submit_job(JobSubmission(1, job_uuid))
    await web1.complete(await web1.order(), ExecutionStatus.FAIL)
    await web2.complete(await web2.order())
    return await core.until(task, TaskStatus.DECISION), web1, web2


async def decide(core: Core, task: Task, control: Control) -> Task:
    first = (await core.run_db(tasks.subtasks, task.id))[0]
    return await core.engine.control(1, task.uuid, first.uuid, control, "me")


def test_a_failed_node_stops_a_job_at_its_step_for_a_decision(core: Core) -> None:
    job_uuid = two_step_job()

    async def scenario() -> tuple[Task, list[Outbound]]:
        task, web1, web2 = await at_decision(core, job_uuid)
        return task, [*web1.queued(), *web2.queued()]

    task, sent = core.run(scenario())

    assert (task.status, task.position, task.finished_at) == ("decision", 0, None)
    assert [s.status for s in tasks.subtasks(task.id)] == ["decision", "init"]
    assert sent == []


def test_next_after_a_decision_goes_on_and_the_task_ends_failed(core: Core) -> None:
    job_uuid = two_step_job()

    async def scenario() -> tuple[Order, Task]:
        task, _, web2 = await at_decision(core, job_uuid)
        await decide(core, task, Control.NEXT)
        second = await web2.order()
        await web2.complete(second)
        return second, await core.until(task, TaskStatus.FAIL, TaskStatus.SUCCESS)

    second, task = core.run(scenario())

    assert isinstance(second, RunOrder) and second.script == "second"
    assert (task.status, task.reason) == ("fail", "step(s) 1 failed")
    assert [s.status for s in tasks.subtasks(task.id)] == ["fail", "success"]


def test_fail_after_a_decision_ends_the_task_there(core: Core) -> None:
    job_uuid = two_step_job()

    async def scenario() -> tuple[Task, list[Outbound]]:
        task, web1, web2 = await at_decision(core, job_uuid)
        ended = await decide(core, task, Control.FAIL)
        return ended, [*web1.queued(), *web2.queued()]

    task, sent = core.run(scenario())

    assert (task.status, task.reason) == ("fail", "stopped at step 1")
    assert [s.status for s in tasks.subtasks(task.id)] == ["fail", "init"]
    assert sent == []


def test_running_after_a_decision_reruns_only_the_failed_nodes(core: Core) -> None:
    job_uuid = two_step_job()

    async def scenario() -> tuple[Task, Order, list[Outbound], Task]:
        task, web1, web2 = await at_decision(core, job_uuid)
        rerun = await decide(core, task, Control.RUNNING)
        again = await web1.order()
        sent_to_web2 = web2.queued()
        await web1.complete(again)
        await web2.complete(await web2.order())
        return rerun, again, sent_to_web2, await core.until(task, TaskStatus.SUCCESS)

    rerun, again, sent_to_web2, task = core.run(scenario())

    assert rerun.status == "running"
    assert sent_to_web2 == []
    first_step = tasks.subtasks(task.id)[0]
    live = tasks.live_executions(first_step.id)
    assert [(r.node, r.attempt, r.status) for r in live] == [
        ("web2", 1, "success"),
        ("web1", 2, "success"),
    ]
    assert again.execution_id == live[1].id
    superseded = Execution.get((Execution.node == "web1") & (Execution.attempt == 1))
    assert (superseded.superseded, superseded.status) == (True, "fail")


def test_ignore_after_a_decision_goes_on_and_the_task_may_succeed(core: Core) -> None:
    job_uuid = two_step_job()

    async def scenario() -> Task:
        task, _, web2 = await at_decision(core, job_uuid)
        await decide(core, task, Control.IGNORE)
        await web2.complete(await web2.order())
        return await core.until(task, TaskStatus.SUCCESS, TaskStatus.FAIL)

    task = core.run(scenario())

    assert task.status == "success"
    assert [s.status for s in tasks.subtasks(task.id)] == ["ignore", "success"]


@pytest.mark.parametrize("control", [Control.NEXT, Control.RUNNING, Control.IGNORE])
def test_a_control_on_a_step_that_waits_for_nothing_is_refused(
    core: Core, control: Control
) -> None:
    job_uuid = two_step_job()

    async def scenario() -> tuple[FailedPrecondition, Task]:
        await core.attach("web1")
        await core.attach("web2")
        task, _ = await core.engine.submit_job(JobSubmission(1, job_uuid))
        with pytest.raises(FailedPrecondition) as err:
            await decide(core, task, control)
        return err.value, await core.run_db(tasks.get_by_id, task.id)

    refusal, task = core.run(scenario())

    assert refusal.field == "control" and "the step is running" in str(refusal)
    assert task.status == "running"


def test_a_control_on_another_step_or_an_ended_task_is_refused(core: Core) -> None:
    job_uuid = two_step_job()

    async def scenario() -> list[Exception]:
        task, _, _ = await at_decision(core, job_uuid)
        second = (await core.run_db(tasks.subtasks, task.id))[1]
        refusals: list[Exception] = []
        for uuid in (second.uuid, "nosuchstep"):
            with pytest.raises((FailedPrecondition, NotFound)) as err:
                await core.engine.control(1, task.uuid, uuid, Control.NEXT, "me")
            refusals.append(err.value)
        await decide(core, task, Control.FAIL)
        with pytest.raises(FailedPrecondition) as ended:
            await decide(core, task, Control.FAIL)
        return [*refusals, ended.value]

    not_current, unknown, ended = core.run(scenario())

    assert isinstance(not_current, FailedPrecondition) and "not the current step" in str(
        not_current
    )
    assert isinstance(unknown, NotFound)
    assert "already ended" in str(ended)
