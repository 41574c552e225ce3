"""GetTask's answers kept in memory: a poll of an unchanged task reads nothing, a change drops
what was kept before anyone hears of it, a read that a change overtook is not kept, and what is
kept is bounded, read again once old, and shown only to the task's project."""

from __future__ import annotations

import asyncio
import functools

from master.db.models import Execution, Task
from master.domain import NO_PROJECT, TaskStatus
from master.tasks.events import TaskEvents
from master.tasks.taskview import TaskView
from master.tasks.viewcache import FRESH_FOR, ViewCache
from tests.unit.master.mastertest import Core
from tests.unit.master.tasks.test_queries import ran


def view(task_id: int, project_id: int = 1, executions: int = 0) -> TaskView:
    task = Task(id=task_id, project_id=project_id, uuid=f"u{task_id}", status="running")
    return TaskView(task, [Execution(id=i, task_id=task_id) for i in range(executions)])


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_view_is_found_by_id_or_its_projects_uuid_until_its_task_changes() -> None:
    events = TaskEvents()
    cache = ViewCache(events)
    kept = view(7, project_id=3)
    cache.keep(kept, cache.clock())
    found = [cache.by_uuid(3, "u7"), cache.by_id(3, 7), cache.by_id(NO_PROJECT, 7)]
    hidden = [cache.by_uuid(1, "u7"), cache.by_id(1, 7), cache.by_uuid(NO_PROJECT, "u7")]
    events.publish(7)

    assert found == [kept] * 3 and hidden == [None] * 3
    assert (cache.by_id(3, 7), cache.by_uuid(3, "u7"), len(cache)) == (None, None, 0)


def test_what_is_kept_is_bounded_and_read_again_once_old() -> None:
    clock = Clock()
    cache = ViewCache(TaskEvents(), clock, max_tasks=2)
    for task_id in (1, 2):
        cache.keep(view(task_id), clock())
    cache.by_id(1, 1)  # used: 2 is now the least recently used
    cache.keep(view(3), clock())
    by_count = sorted(t for t in (1, 2, 3) if cache.by_id(1, t))
    rows = ViewCache(TaskEvents(), clock, max_rows=16)  # 2 rows (a task, an execution) each
    for task_id in range(1, 10):
        rows.keep(view(task_id, executions=1), clock())
    rows.keep(view(10, executions=2), clock())  # more than an eighth of the rows: not kept
    by_rows = sorted(t for t in range(1, 11) if rows.by_id(1, t))
    clock.now += FRESH_FOR
    old = cache.by_id(1, 3)

    assert by_count == [1, 3]
    assert by_rows == list(range(2, 10))  # 18 rows were over 16: the oldest went first
    assert old is None and len(cache) == 1


def test_a_poll_of_an_unchanged_task_reads_nothing_and_a_read_a_change_overtook_is_not_kept(
    core: Core,
) -> None:
    async def scenario() -> tuple[list[TaskView], int, TaskView, TaskView]:
        task, _ = await ran(core, b"hi")
        polled = [await core.queries.get(1, task.uuid) for _ in range(3)]
        reads = 0
        loop = asyncio.get_running_loop()

        def overtaken() -> TaskView:
            nonlocal reads
            reads += 1
            loop.call_soon_threadsafe(core.events.publish, task.id)  # a change meanwhile
            return TaskView(task, [])

        kept = functools.partial(core.queries.cache.by_id, 1, task.id)
        core.events.publish(task.id)
        first = await core.queries.watch(kept, overtaken, 0, "")
        second = await core.queries.watch(kept, overtaken, 0, "")
        return polled, reads, first, second

    polled, reads, first, second = core.run(scenario())

    assert polled[0] is polled[1] is polled[2] and polled[0].task.status == TaskStatus.SUCCESS
    assert reads == 2 and first is not second  # the first read was not kept
