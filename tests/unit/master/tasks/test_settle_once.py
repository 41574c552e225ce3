"""A task's step moves on once, whatever number of settles of it run at once: a settle that
read the step before another moved it (another master's engine, in a cluster) moves nothing.
"""

from __future__ import annotations

import asyncio

from master.db.models import Task
from master.domain import (
    Blob,
    Control,
    ExecutionStatus,
    JobSubmission,
    Outbound,
    RunOrder,
    Selector,
    SelectorType,
    TaskStatus,
)
from master.store import tasks
from tests.unit.master.mastertest import Core
from tests.unit.master.tasks.test_decisions import decide, two_step_job
from tests.unit.master.tasks.test_engine import SHA, copy


def test_a_settle_that_read_the_step_before_its_rerun_does_not_stop_it_again(
    core: Core,
) -> None:
    job_uuid = two_step_job()

    async def scenario() -> tuple[Task, str]:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task, _ = await core.engine.submit_job(JobSubmission(1, job_uuid))
        first1, first2 = await web1.order(), await web2.order()
        # what another engine read of the task while its first step ran
        stale = await core.run_db(tasks.get_by_id, task.id)
        stale_step = (await core.run_db(tasks.subtasks, task.id))[0]
        await web1.complete(first1, ExecutionStatus.FAIL)
        await web2.complete(first2)
        await core.until(task, TaskStatus.DECISION)
        await decide(core, task, Control.RUNNING)
        again = await web1.order()

        await core.engine._step_ended(stale, stale_step)  # that engine's settle, late

        await web1.complete(again)
        second = await web2.order()  # the rerun passed: the second step starts
        await web2.complete(second)
        ended = await core.until(task, TaskStatus.SUCCESS, TaskStatus.FAIL)
        assert isinstance(second, RunOrder)
        return ended, second.script

    task, second = core.run(scenario())

    assert (task.status, second) == ("success", "second")
    assert [s.status for s in tasks.subtasks(task.id)] == ["success", "success"]


def test_a_settle_that_read_a_copy_before_its_places_started_neither_ends_nor_doubles_it(
    core: Core,
) -> None:
    step = copy(Selector(SelectorType.BUILTIN, "db1"), "/etc/app.conf", "web1")

    async def scenario() -> tuple[Task, list[Outbound]]:
        db1, web1 = await core.attach("db1"), await core.attach("web1")
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {})
        fetch = await db1.order()
        stale = await core.run_db(tasks.get_by_id, task.id)
        stale_step = (await core.run_db(tasks.subtasks, task.id))[0]
        await db1.complete(fetch, fetched=Blob(SHA, 321))
        place = await web1.order()

        await asyncio.gather(*(core.engine._step_ended(stale, stale_step) for _ in range(2)))

        more = web1.queued()
        await web1.complete(place)
        return await core.until(task, TaskStatus.SUCCESS, TaskStatus.FAIL), more

    task, more = core.run(scenario())

    assert (task.status, more) == ("success", [])
    assert [(r.node, r.role, r.status) for r in tasks.executions(task.id)] == [
        ("db1", "fetch", "success"),
        ("web1", "place", "success"),
    ]
