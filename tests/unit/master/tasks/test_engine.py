"""The task engine moving tasks on: a step ends when every node has reported, the next starts
only then, a copy fetches before it places, and a paused step waits for `next`."""

from __future__ import annotations

import asyncio

from master.catalogue.rules import save_job
from master.db.models import Execution, Job, Task
from master.domain import (
    Blob,
    CommandSpec,
    Control,
    CopyOrder,
    ExecutionStatus,
    JobSubmission,
    Outbound,
    RunOrder,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.store import files, tasks
from tests.unit.master.mastertest import Core, Order, PlayedSlave, seen_slaves

SHA = "cd" * 32


def command(*nodes: str) -> CommandSpec:
    return CommandSpec(1, "adhoc", "me", "", nodes, ScriptType.SHELL, "true")


def job(*steps: Step) -> Job:
    seen_slaves("web1", "web2", "db1")
    saved, _ = save_job(1, "job", True, list(steps), "me")
    return saved


def cmd(script: str, nodes: str = "web1", pause: str = "") -> Step:
    return Step(
        kind=StepKind.CMD,
        name=script,
        nodes=Selector(SelectorType.BUILTIN, nodes),
        script=script,
        pause=pause,
    )


def copy(src: Selector, src_path: str, dst: str) -> Step:
    return Step(
        kind=StepKind.SCP,
        name="copy",
        src=src,
        src_path=src_path,
        dst=Selector(SelectorType.BUILTIN, dst),
        dst_path="/etc/app/",
    )


def scripts(orders: list[Order]) -> list[str]:
    return [o.script if isinstance(o, RunOrder) else "(copy)" for o in orders]


def test_a_command_succeeds_once_its_node_reports_success(core: Core) -> None:
    async def scenario() -> Task:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        await web1.complete(await web1.order())
        return await core.until(task, TaskStatus.SUCCESS)

    task = core.run(scenario())

    [row] = tasks.executions(task.id)
    assert (row.status, row.exit_code, row.started_at is not None) == ("success", 0, True)
    assert [s.status for s in tasks.subtasks(task.id)] == ["success"]
    assert task.finished_at is not None and task.reason == ""


def test_a_command_fails_once_any_node_fails_naming_it(core: Core) -> None:
    async def scenario() -> Task:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task = await core.engine.submit_command(command("web1", "web2"))
        await web1.complete(await web1.order())
        await web2.complete(await web2.order(), ExecutionStatus.FAIL)
        return await core.until(task, TaskStatus.FAIL, TaskStatus.DECISION)

    task = core.run(scenario())

    assert task.status == "fail"  # an ad-hoc command has no decision to wait for
    assert task.reason == "1 of 2 node(s) failed: web2 (fail: exit 1)"
    assert [s.status for s in tasks.subtasks(task.id)] == ["fail"]


def test_a_node_without_a_slave_fails_at_once_and_the_others_still_run(core: Core) -> None:
    seen_slaves("web2")

    async def scenario() -> Task:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1", "web2"))
        await web1.complete(await web1.order())
        return await core.until(task, TaskStatus.FAIL)

    task = core.run(scenario())

    assert [(r.node, r.status) for r in tasks.executions(task.id)] == [
        ("web1", "success"),
        ("web2", "fail"),
    ]
    assert "web2 (fail: slave web2 is not attached to the master)" in task.reason


def test_a_jobs_steps_run_in_order_each_once_every_node_of_the_last_succeeded(
    core: Core,
) -> None:
    saved = job(cmd("first", "web1,web2"), cmd("second", "web2"), cmd("third", "web1"))

    async def scenario() -> tuple[Task, list[Order], list[Order]]:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        await web1.complete(await web1.order())
        await web2.complete(await web2.order())
        second = await web2.order()
        await web2.complete(second)
        third = await web1.order()
        await web1.complete(third)
        return await core.until(task, TaskStatus.SUCCESS), [second], [third]

    task, on_web2, on_web1 = core.run(scenario())

    assert (scripts(on_web2), scripts(on_web1)) == (["second"], ["third"])
    steps = tasks.subtasks(task.id)
    assert [s.status for s in steps] == ["success", "success", "success"]
    rows = tasks.executions(task.id)
    assert [(r.node, r.subtask_id) for r in rows] == [
        ("web1", steps[0].id),
        ("web2", steps[0].id),
        ("web2", steps[1].id),
        ("web1", steps[2].id),
    ]
    first_ended = [r.finished_at for r in rows[:2]]
    assert steps[1].started_at is not None and None not in first_ended
    assert steps[1].started_at >= max(t for t in first_ended if t is not None)


def test_a_copy_between_nodes_fetches_from_the_source_then_places_on_each_destination(
    core: Core,
) -> None:
    step = copy(Selector(SelectorType.BUILTIN, "db1"), "/etc/app.conf", "web1,web2")
    blob = Blob(SHA, 321)

    async def scenario() -> tuple[Task, Order, list[Outbound], list[Order]]:
        db1 = await core.attach("db1")
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {})
        fetch = await db1.order()
        before = [*web1.queued(), *web2.queued()]
        await db1.complete(fetch, fetched=blob)
        places = [await web1.order(), await web2.order()]
        for slave, order in zip((web1, web2), places, strict=True):
            await slave.complete(order)
        return await core.until(task, TaskStatus.SUCCESS), fetch, before, places

    task, fetch, before, places = core.run(scenario())

    assert isinstance(fetch, CopyOrder) and (fetch.path, fetch.blob) == ("/etc/app.conf", None)
    assert before == []  # nothing is placed before the fetch is done
    for place in places:
        assert isinstance(place, CopyOrder)
        assert (place.path, place.blob, place.name) == ("/etc/app/", blob, "app.conf")
    assert [(r.node, r.role, r.status) for r in tasks.executions(task.id)] == [
        ("db1", "fetch", "success"),
        ("web1", "place", "success"),
        ("web2", "place", "success"),
    ]


def test_a_paused_step_waits_after_success_until_next_starts_the_following_one(
    core: Core,
) -> None:
    saved = job(cmd("first", pause="look at the canary"), cmd("second"))

    async def scenario() -> tuple[Task, list[Outbound], Task, Order, Task]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        await web1.complete(await web1.order())
        waiting = await core.until(task, TaskStatus.WAITING)
        sent_while_waiting = web1.queued()
        first = (await core.run_db(tasks.subtasks, task.id))[0]
        moved = await core.engine.control(1, task.uuid, first.uuid, Control.NEXT, "me")
        second = await web1.order()
        await web1.complete(second)
        return (
            waiting,
            sent_while_waiting,
            moved,
            second,
            await core.until(task, TaskStatus.SUCCESS),
        )

    waiting, sent_while_waiting, moved, second, done = core.run(scenario())

    assert sent_while_waiting == []
    assert (waiting.status, waiting.position, moved.status, moved.position) == (
        "waiting",
        0,
        "running",
        1,
    )
    assert scripts([second]) == ["second"]
    assert [(s.status, s.pause) for s in tasks.subtasks(done.id)] == [
        ("success", ""),
        ("success", ""),
    ]


async def dropped_or(slave: PlayedSlave, reached: asyncio.Task[Task]) -> bool:
    """Whether the slave's stream was dropped before the task reached what it waits for."""
    closed = asyncio.ensure_future(slave.closed())
    done, _ = await asyncio.wait({closed, reached}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (closed, reached):
        pending.cancel()
    return closed in done


def test_a_copy_of_a_file_deleted_since_submission_waits_for_a_decision(core: Core) -> None:
    stored = files.save(1, "app.tgz", SHA, 10, "me")
    saved = job(cmd("first"), copy(Selector(SelectorType.FILESERVER, ""), "app.tgz", "web1"))

    async def scenario() -> tuple[bool, Task]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        await core.run_db(files.delete, 1, stored.id)
        await web1.complete(await web1.order())
        dropped = await dropped_or(
            web1, asyncio.ensure_future(core.until(task, TaskStatus.DECISION))
        )
        return dropped, await core.run_db(tasks.get_by_id, task.id)

    dropped, task = core.run(scenario())

    assert not dropped
    assert task.status == "decision"


def test_a_fetch_reported_done_without_a_blob_fails_the_copy(core: Core) -> None:
    step = copy(Selector(SelectorType.BUILTIN, "db1"), "/etc/app.conf", "web1")

    async def scenario() -> tuple[bool, Task]:
        db1 = await core.attach("db1")
        await core.attach("web1")
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {})
        await db1.complete(await db1.order(), fetched=None)
        failed = asyncio.ensure_future(core.until(task, TaskStatus.FAIL))
        dropped = await dropped_or(db1, failed)
        return dropped, await core.run_db(tasks.get_by_id, task.id)

    dropped, task = core.run(scenario())

    assert not dropped
    assert task.status == "fail"


def test_results_that_come_together_settle_their_task_a_few_times_not_once_each(
    core: Core,
) -> None:
    names = [f"n{i:02d}" for i in range(30)]
    settles = 0
    settle = core.engine._settle

    async def counted(task_id: int) -> None:
        nonlocal settles
        settles += 1
        await settle(task_id)

    core.engine._settle = counted  # type: ignore[method-assign]

    async def scenario() -> tuple[Task, int]:
        slaves = [await core.attach(name) for name in names]
        task = await core.engine.submit_command(command(*names))
        orders = [await s.order() for s in slaves]
        before = settles
        for slave, order in zip(slaves, orders, strict=True):
            slave.started(order.execution_id)
            slave.finish(order.execution_id)
        done = await core.until(task, TaskStatus.SUCCESS)
        await core.engine.settle(task.id)  # after every settle asked for before it (FIFO lock)
        return done, settles - before

    task, settled = core.run(scenario())

    assert task.status == TaskStatus.SUCCESS
    assert all(e.status == ExecutionStatus.SUCCESS for e in Execution.select())
    assert 1 <= settled <= len(names) // 3, settled


def test_a_settle_that_fails_part_way_still_tells_followers_the_task_moved(core: Core) -> None:
    settle = core.engine._settle

    async def fails_after_its_writes(task_id: int) -> None:
        await settle(task_id)
        raise RuntimeError("the database went away after the settle's writes")

    async def scenario() -> bool:
        slave = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        await slave.order()
        core.engine._settle = fails_after_its_writes  # type: ignore[method-assign]
        with core.engine.events.subscribe(task.id) as moved:
            try:
                await core.engine.settle(task.id)
            except RuntimeError:
                pass
            return moved.is_set()

    assert core.run(scenario())
