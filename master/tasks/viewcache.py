"""GetTask's answers kept in memory, so a client polling a task that has not changed costs no
database call and no hop to the database thread: pages poll every few milliseconds, and each
read (four statements) competes with the engine for the GIL and the database.

Kept right: a view is kept only when it was read from committed rows and no change of its task
was announced (TaskEvents.publish) while it was read; each announcement drops the task's view
before any follower is woken. Changes are written before they are announced, so a kept view
is never older than a change already announced. A view is also read again once FRESH_FOR old:
a change made through another master sharing the database is announced there, not here.

Bounded: at most MAX_TASKS views and MAX_ROWS rows (a task, its executions and steps) in all,
the least recently asked for dropped first; a view of more than an eighth of that is not kept.
Kept by task: who may see it is checked on every answer (the project asked for is the task's).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from master.domain import NO_PROJECT
from master.tasks.events import TaskEvents
from master.tasks.taskview import TaskView

MAX_TASKS = 2048
MAX_ROWS = 20_000  # about 40 MB of rows at worst
FRESH_FOR = 1.0  # seconds


@dataclass(frozen=True)
class Kept:
    view: TaskView
    rows: int
    read_at: float


class ViewCache:
    """Views of tasks by id, found by id or by (project, uuid); dropped when the task changes."""

    def __init__(
        self,
        events: TaskEvents,
        clock: Callable[[], float] = time.monotonic,
        max_tasks: int = MAX_TASKS,
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.clock = clock
        self.max_tasks = max_tasks
        self.max_rows = max_rows
        self._kept: OrderedDict[int, Kept] = OrderedDict()
        self._ids: dict[tuple[int, str], int] = {}
        self._rows = 0
        events.on_task_change(self.forget)

    def by_uuid(self, project_id: int, uuid: str) -> TaskView | None:
        """The project's task of that uuid, if kept (an admin naming no project: never, as
        uuids are per project and one may be taken by another project at any time)."""
        task_id = self._ids.get((project_id, uuid))
        return None if task_id is None else self.by_id(project_id, task_id)

    def by_id(self, project_id: int, task_id: int) -> TaskView | None:
        """The task of that id, if kept, fresh and of that project (NO_PROJECT: of any)."""
        kept = self._kept.get(task_id)
        if kept is None:
            return None
        if self.clock() - kept.read_at >= FRESH_FOR:
            self.forget(task_id)
            return None
        if project_id not in (NO_PROJECT, kept.view.task.project_id):
            return None
        self._kept.move_to_end(task_id)
        return kept.view

    def keep(self, view: TaskView, read_at: float) -> None:
        """Keep a view read (begun at `read_at`) with no change of its task announced since
        the read began: the caller checks that (TaskEvents.noting)."""
        rows = 1 + len(view.executions) + len(view.subtasks)
        if rows > self.max_rows // 8:  # it would push out many others
            return
        task = view.task
        self.forget(task.id)
        self._kept[task.id] = Kept(view, rows, read_at)
        self._ids[(task.project_id, task.uuid)] = task.id
        self._rows += rows
        while len(self._kept) > self.max_tasks or self._rows > self.max_rows:
            self.forget(next(iter(self._kept)))

    def forget(self, task_id: int) -> None:
        kept = self._kept.pop(task_id, None)
        if kept is not None:
            self._rows -= kept.rows
            self._ids.pop((kept.view.task.project_id, kept.view.task.uuid), None)

    def __len__(self) -> int:
        return len(self._kept)
