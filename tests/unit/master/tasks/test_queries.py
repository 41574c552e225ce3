"""Reading tasks: a task is found in its project only, a log is read in bounded pieces that say
when nothing more will come, and following a task yields its output as it comes, then the
task once it has ended."""

from __future__ import annotations

import asyncio

import pytest

from master.catalogue.rules import save_job
from master.db.models import Task
from master.domain import (
    NO_PROJECT,
    CommandSpec,
    JobSubmission,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument, NotFound
from master.store import projects, tasks
from master.tasks import queries
from master.tasks.events import TaskEvents
from master.tasks.queries import ExecutionChange, FollowEvent, LogPiece, LogRead, TaskView
from tests.unit.master.mastertest import Core, seen_slaves


def command(*nodes: str) -> CommandSpec:
    return CommandSpec(1, "adhoc", "me", "", nodes, ScriptType.SHELL, "true")


async def ran(core: Core, *pieces: bytes) -> tuple[Task, int]:
    """A command web1 ran to success, printing `pieces` (one chunk each); and its execution."""
    web1 = await core.attach("web1")
    task = await core.engine.submit_command(command("web1"))
    eid = (await web1.order()).execution_id
    for seq, data in enumerate(pieces):
        web1.output(eid, seq, data)
    web1.finish(eid)
    await web1.result_ack()
    return await core.until(task, TaskStatus.SUCCESS), eid


def test_a_task_is_found_in_its_project_only(core: Core) -> None:
    other = int(projects.create_project("second").id)

    async def scenario() -> tuple[Task, TaskView, TaskView, NotFound]:
        task, _ = await ran(core, b"hi")
        mine = await core.queries.get(1, task.uuid)
        admin = await core.queries.get(NO_PROJECT, task.uuid)
        with pytest.raises(NotFound) as err:
            await core.queries.get(other, task.uuid)
        return task, mine, admin, err.value

    task, mine, admin, refusal = core.run(scenario())

    assert (mine.task.id, mine.task.status, admin.task.id) == (task.id, "success", task.id)
    assert [(e.node, e.status) for e in mine.executions] == [("web1", "success")]
    assert [s.status for s in mine.subtasks] == ["success"]
    assert refusal.field == "uuid"


def test_a_log_is_read_in_bounded_pieces_complete_only_at_its_end(core: Core) -> None:
    other = int(projects.create_project("second").id)

    async def scenario() -> tuple[list[LogRead], NotFound]:
        _, eid = await ran(core, b"aaaa", b"bbbb", b"cccc", b"dddd", b"eeee")
        reads = [
            await core.queries.read_log(1, eid, 0, 8),
            await core.queries.read_log(1, eid, 2, 1),  # at least one chunk
            await core.queries.read_log(1, eid, -5, 0),  # from the start, the default bound
            await core.queries.read_log(1, eid, 3, 100),
            await core.queries.read_log(NO_PROJECT, eid, 5, 100),  # past the end
        ]
        with pytest.raises(NotFound) as err:
            await core.queries.read_log(other, eid, 0, 100)
        return reads, err.value

    reads, refusal = core.run(scenario())

    assert reads == [
        LogRead(b"aaaabbbb", 2, False),
        LogRead(b"cccc", 3, False),
        LogRead(b"aaaabbbbccccddddeeee", 5, True),
        LogRead(b"ddddeeee", 5, True),
        LogRead(b"", 5, True),
    ]
    assert refusal.field == "execution_id"


def test_a_log_read_is_capped_whatever_the_caller_asks(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_READ", 10)  # 16 MiB in production: too slow to write
    monkeypatch.setattr(queries, "DEFAULT_READ", 6)

    async def scenario() -> list[LogRead]:
        _, eid = await ran(core, b"aaaa", b"bbbb", b"cccc", b"dddd")
        return [
            await core.queries.read_log(1, eid, 0, 1 << 40),
            await core.queries.read_log(1, eid, 0, 0),
        ]

    capped, default = core.run(scenario())

    assert capped == LogRead(b"aaaabbbb", 2, False)
    assert default == LogRead(b"aaaa", 1, False)


def test_following_a_task_yields_its_output_as_it_comes_then_the_ended_task(
    core: Core,
) -> None:
    async def scenario() -> list[FollowEvent]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        events: list[FollowEvent] = []
        follower = asyncio.ensure_future(collect(core, task, events))
        web1.output(eid, 0, b"hello ")
        await web1.next()
        await until_seen(events, b"hello ")
        web1.output(eid, 1, b"world")
        web1.finish(eid)
        await follower
        return events

    events = core.run(scenario())

    output = [e.data for e in events if isinstance(e, LogPiece)]
    statuses = [e.execution.status for e in events if isinstance(e, ExecutionChange)]
    assert b"".join(output) == b"hello world" and output[0] == b"hello "
    assert statuses[0] == "pending" and statuses[-1] == "success"
    last = events[-1]
    assert isinstance(last, TaskView) and last.task.status == "success"
    assert sum(isinstance(e, TaskView) for e in events) == 1


async def collect(core: Core, task: Task, events: list[FollowEvent], step: str = "") -> None:
    async for event in core.queries.follow(1, task.uuid, step):
        events.append(event)


async def until_seen(events: list[FollowEvent], data: bytes) -> None:
    """Returns once the follower has yielded `data` (the output came live, not at the end)."""
    async with asyncio.timeout(5):
        while not any(isinstance(e, LogPiece) and e.data == data for e in events):
            await asyncio.sleep(0.005)


def test_following_one_step_yields_that_steps_output_only_and_ends_with_the_task(
    core: Core,
) -> None:
    seen_slaves("web1")
    saved, _ = save_job(1, "two steps", True, [echo("first"), echo("second")], "me")

    async def scenario() -> tuple[list[FollowEvent], NotFound]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        second = tasks.subtasks(task.id)[1].uuid
        events: list[FollowEvent] = []
        follower = asyncio.ensure_future(collect(core, task, events, second))
        await web1.complete(await web1.order(), output=b"one\n")
        await web1.complete(await web1.order(), output=b"two\n")
        await follower
        with pytest.raises(NotFound) as err:
            await anext(aiter(core.queries.follow(1, task.uuid, "nosuchstep")))
        return events, err.value

    events, refusal = core.run(scenario())

    assert [e.data for e in events if isinstance(e, LogPiece)] == [b"two\n"]
    last = events[-1]
    assert isinstance(last, TaskView) and last.task.status == "success"
    assert [e.node for e in last.executions] == ["web1"]
    assert refusal.field == "subtask_uuid"


def test_following_a_task_names_each_changed_executions_step(core: Core) -> None:
    seen_slaves("web1")
    saved, _ = save_job(1, "two steps", True, [echo("first"), echo("second")], "me")

    async def scenario() -> tuple[list[FollowEvent], list[str]]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        steps = [s.uuid for s in tasks.subtasks(task.id)]
        events: list[FollowEvent] = []
        follower = asyncio.ensure_future(collect(core, task, events))
        await web1.complete(await web1.order(), output=b"one\n")
        await web1.complete(await web1.order(), output=b"two\n")
        await follower
        return events, steps

    events, (first, second) = core.run(scenario())

    changes = [e for e in events if isinstance(e, ExecutionChange)]
    by_step = {(e.step_uuid, e.execution.status) for e in changes}
    assert {(first, "success"), (second, "success")} <= by_step
    assert all(e.step_uuid for e in changes)


def echo(name: str) -> Step:
    return Step(
        kind=StepKind.CMD, name=name, nodes=Selector(SelectorType.BUILTIN, "web1"), script=name
    )


def test_a_long_poll_answers_at_the_change_at_once_when_stale_else_at_the_deadline(
    core: Core,
) -> None:
    async def scenario() -> tuple[list[tuple[str, str, float]], InvalidArgument]:
        loop = asyncio.get_running_loop()
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        running = await core.queries.get(1, task.uuid)
        began = loop.time()
        waiting = asyncio.create_task(core.queries.get(1, task.uuid, 30, running.etag))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        web1.finish(eid)
        view = await waiting  # woken by the finish, long before its 30 s
        answers = [(view.task.status, view.etag, loop.time() - began)]
        began = loop.time()
        stale = await core.queries.get_numbered(1, task.id, 30, running.etag)
        answers.append((stale.task.status, stale.etag, loop.time() - began))
        began = loop.time()
        same = await core.queries.get(1, task.uuid, 1, stale.etag)
        answers.append((same.task.status, same.etag, loop.time() - began))
        with pytest.raises(InvalidArgument) as err:
            await core.queries.get(1, task.uuid, 61, stale.etag)
        return answers, err.value

    (done, stale, same), refusal = core.run(scenario())

    assert done[0] == "success" and done[2] < 10
    assert stale[:2] == done[:2] and stale[2] < 1  # already not what was seen: at once
    assert same[:2] == done[:2] and 1 <= same[2] < 5  # unchanged: at the deadline
    assert refusal.field == "wait_seconds"


def test_a_change_while_a_task_is_read_is_noted_by_each_reader_of_the_time() -> None:
    events = TaskEvents()
    first, second = events.noting(), events.noting()
    seen_first, seen_second = first.__enter__(), second.__enter__()  # equal sets, two readers
    second.__exit__(None, None, None)
    events.publish(7)
    first.__exit__(None, None, None)
    events.publish(8)

    assert (seen_first, seen_second) == ({7}, set())
