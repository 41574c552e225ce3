"""Reading tasks: one task with its executions, lists, bounded log reads, live follow, and which
blob a slave's copy may move."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from master.db.connection import DbRunner
from master.db.models import Execution, Task, utcnow
from master.domain import FINAL_TASK, NO_PROJECT, Blob, ExecutionStatus, Role, TaskFilter
from master.errors import InvalidArgument, NotFound, PermissionDenied
from master.store import executions, logs, notes, projects, tasks, taskview
from master.tasks.events import TaskEvents, wait_for
from master.tasks.taskview import TaskView as TaskView  # read from here by rpc/ and terminal/
from master.tasks.viewcache import ViewCache

DEFAULT_READ = 1 << 20
MAX_READ = 16 << 20
MAX_WAIT = 60  # seconds a GetTask may wait for a change (a long poll)


def view_of(task_id: int) -> TaskView:
    """A task's view read in one hop to the database thread (four reads: each hop costs more
    than a small read)."""
    return view_from(taskview.by_id(task_id))


def view_from(task: Task) -> TaskView:
    """The view of a task row just read: its executions, steps and note count (three reads of
    SQL built once: GetTask's path)."""
    return TaskView(
        task,
        taskview.executions(task.id),
        taskview.subtasks(task.id),
        taskview.note_count(task.id),
    )


def _by_uuid(uuid: str, project_id: int) -> TaskView:
    found = taskview.find(project_id, uuid) if project_id != NO_PROJECT else None
    return view_from(found or tasks.get(uuid, project_id))  # tasks.get: the NOT_FOUND


def _by_number(task_id: int, project_id: int) -> TaskView:
    return view_from(tasks.get_numbered(task_id, project_id))


@dataclass(frozen=True)
class LogPiece:
    """Output of one execution, of one stream."""

    execution: Execution
    data: bytes
    stderr: bool = False


@dataclass(frozen=True)
class LogRead:
    data: bytes
    next_seq: int
    complete: bool


@dataclass(frozen=True)
class ExecutionChange:
    """An execution whose status moved, with the uuid of the step it runs in."""

    execution: Execution
    step_uuid: str


FollowEvent = LogPiece | ExecutionChange | TaskView
Kept = Callable[[], TaskView | None]


class TaskQueries:
    """Reads for the RPCs, never a state change: a task as it is now, counts and pages of tasks,
    bounded reads of a log, a task followed live (woken by TaskEvents, not by polling), and
    which blob a slave's copy execution may move. GetTask's answers are kept (viewcache.py):
    polling a task that has not changed reads nothing."""

    def __init__(
        self, run_db: DbRunner, events: TaskEvents, cache: ViewCache | None = None
    ) -> None:
        self.run_db = run_db
        self.events = events
        self.cache = cache or ViewCache(events)

    async def get(self, project_id: int, uuid: str, wait: int = 0, seen_etag: str = "") -> TaskView:
        """The task of that uuid in the project (NO_PROJECT: an admin's call naming none, see
        tasks.get); with `wait`, a long poll (see `watch`)."""
        kept = functools.partial(self.cache.by_uuid, project_id, uuid)
        load = functools.partial(_by_uuid, uuid, project_id)
        return await self.watch(kept, load, wait, seen_etag)

    async def get_numbered(
        self, project_id: int, task_id: int, wait: int = 0, seen_etag: str = ""
    ) -> TaskView:
        """The task of that numeric id in the project (NO_PROJECT: in any); with `wait`, a
        long poll (see `watch`)."""
        kept = functools.partial(self.cache.by_id, project_id, task_id)
        load = functools.partial(_by_number, task_id, project_id)
        return await self.watch(kept, load, wait, seen_etag)

    async def watch(
        self, kept: Kept, load: Callable[[], TaskView], wait: int, seen_etag: str
    ) -> TaskView:
        """The task (as kept, else as `load` reads it), at once when its etag is not
        `seen_etag` (or none was seen); else the first state after a change within `wait`
        seconds, else the unchanged task at the deadline. Woken by TaskEvents, never by
        polling: at most one read per change of the task (none when it does not change)."""
        if not 0 <= wait <= MAX_WAIT:
            raise InvalidArgument(f"must be 0 to {MAX_WAIT} seconds, got {wait}", "wait_seconds")
        view, moved = await self._current(kept, load)
        if not wait or not seen_etag or view.etag != seen_etag:
            return view
        deadline = asyncio.get_running_loop().time() + wait
        with self.events.subscribe(view.task.id) as changed:
            if moved:  # changed while it was read: that read may be stale
                changed.set()
            while await _woken(changed, deadline):
                view, _ = await self._current(kept, load)
                if view.etag != seen_etag:
                    return view
        return view

    async def _current(self, kept: Kept, load: Callable[[], TaskView]) -> tuple[TaskView, bool]:
        """The task's view as kept, else read (and kept); and whether a change of the task was
        announced while it was read (then it may be older than that change: not kept). A
        kept view holds every change announced so far: each announcement drops it."""
        view = kept()
        if view is not None:
            return view, False
        read_at = self.cache.clock()
        with self.events.noting() as moved:
            view = await self.run_db(load)
        changed = view.task.id in moved
        if not changed:
            self.cache.keep(view, read_at)
        return view, changed

    async def view(self, task: Task) -> TaskView:
        """The task as it is now (read again), with its executions, steps and note count."""
        return await self.run_db(view_of, task.id)

    async def note_counts(self, task_ids: list[int]) -> dict[int, int]:
        """Operators' notes per task (0 for none), one query for a whole list of tasks."""
        return await self.run_db(notes.counts, task_ids)

    async def count(self, project_id: int, since: dt.datetime | None) -> dict[str, int]:
        """The project's tasks created since `since` (None: this month, UTC), by status."""
        await self.run_db(projects.require_project, project_id)
        if since is None:
            now = utcnow()
            since = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return await self.run_db(tasks.count_since, project_id, since)

    async def search(self, f: TaskFilter) -> tuple[list[Task], int, dict[int, list[str]]]:
        """A page of tasks, the total matching, and each listed task's slaves (NO_PROJECT: an
        admin's list naming no project, of every project)."""
        if f.project_id != NO_PROJECT:
            await self.run_db(projects.require_project, f.project_id)
        rows, total = await self.run_db(tasks.search, f)
        return rows, total, await self.run_db(tasks.slaves_of, [r.id for r in rows])

    async def read_log(
        self,
        project_id: int,
        execution_id: int,
        from_seq: int,
        max_bytes: int,
        stderr: bool | None = None,
    ) -> LogRead:
        """A bounded piece of the log of an execution of the project (NO_PROJECT: any project):
        both streams as they came (`stderr` None), or only stderr (True) or stdout (False)."""
        row = await self.run_db(executions.get_in_project, execution_id, project_id)
        if row is None:
            raise NotFound(f"execution {execution_id} not found", "execution_id")
        limit = min(max_bytes or DEFAULT_READ, MAX_READ)
        data, next_seq = await self.run_db(logs.read, execution_id, max(from_seq, 0), limit, stderr)
        final = ExecutionStatus(row.status).final
        return LogRead(data, next_seq, final and next_seq >= row.chunk_count)

    async def copy_blob(self, execution_id: int, slave: str, role: Role) -> Blob | None:
        """The blob of an open copy execution dispatched to `slave` in `role` (None for a
        fetch: it has none yet); PERMISSION_DENIED for any other execution."""
        row = await self.run_db(executions.dispatched, execution_id, slave, role)
        if row is None:
            raise PermissionDenied(
                f"execution {execution_id} is no open copy-{role} of slave {slave}",
                "execution_id",
            )
        return Blob.decode(row.blob, row.blob_size)

    async def follow(
        self, project_id: int, uuid: str, subtask_uuid: str = ""
    ) -> AsyncIterator[FollowEvent]:
        """Output and status changes from the start until the task ends, then the task; of one
        step's executions only when `subtask_uuid` names one (a step of another task, or none,
        is NOT_FOUND before anything is yielded)."""
        task = await self.run_db(tasks.get, uuid, project_id)
        step_uuids = await self._step_uuids(task)
        step = _step_id(task, step_uuids, subtask_uuid)
        cursors: dict[int, int] = {}
        seen: dict[int, str] = {}
        with self.events.subscribe(task.id) as changed:
            while True:
                task = await self.run_db(tasks.get_by_id, task.id)
                rows = await self.run_db(tasks.executions, task.id)
                rows = [r for r in rows if step is None or r.subtask_id == step]
                if any(r.subtask_id not in step_uuids for r in rows):
                    step_uuids = await self._step_uuids(task)
                for row in rows:
                    async for piece in self._unread(row, cursors):
                        yield piece
                    if seen.get(row.id) != row.status:
                        seen[row.id] = row.status
                        yield ExecutionChange(row, step_uuids.get(row.subtask_id, ""))
                if task.status in FINAL_TASK:
                    steps = await self.run_db(tasks.subtasks, task.id)
                    counted = await self.note_counts([task.id])
                    yield TaskView(task, rows, steps, counted[task.id])
                    return
                await wait_for(changed, 1.0)

    async def _step_uuids(self, task: Task) -> dict[int, str]:
        """The task's steps' uuids by id: read once a follow (again only if a step is new), so
        an execution's change names its step without a query of its own."""
        return {int(s.id): s.uuid for s in await self.run_db(tasks.subtasks, task.id)}

    async def _unread(self, row: Execution, cursors: dict[int, int]) -> AsyncIterator[LogPiece]:
        while True:
            start = cursors.get(row.id, 0)
            parts, next_seq = await self.run_db(logs.read_parts, row.id, start, DEFAULT_READ)
            if next_seq == start:
                return
            cursors[row.id] = next_seq
            for part in parts:
                yield LogPiece(row, part.data, part.stderr)


def _step_id(task: Task, step_uuids: dict[int, str], subtask_uuid: str) -> int | None:
    """The id of the task's step of that uuid; None when no step is named."""
    if not subtask_uuid:
        return None
    for step_id, step_uuid in step_uuids.items():
        if step_uuid == subtask_uuid:
            return step_id
    raise NotFound(f"step {subtask_uuid} not found in task {task.uuid}", "subtask_uuid")


async def _woken(changed: asyncio.Event, deadline: float) -> bool:
    """Whether `changed` was set (then cleared) before the loop's clock reached `deadline`."""
    left = deadline - asyncio.get_running_loop().time()
    if left <= 0:
        return False
    try:
        await asyncio.wait_for(changed.wait(), left)
    except TimeoutError:
        return False
    changed.clear()
    return True
