"""In-process change notices, so live followers wake up when a task's output or state moves
instead of polling the database in a tight loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator


class TaskEvents:
    def __init__(self) -> None:
        self._waiters: dict[int, set[asyncio.Event]] = defaultdict(set)
        self._every: list[Callable[[], None]] = []
        self._noted: dict[int, set[int]] = {}  # id(set) -> set: sets equal by value are not one
        self._forget: list[Callable[[int], None]] = []
        self._watches: dict[int, Watch] = {}
        self._out: Callable[[int], None] | None = None

    def publish(self, task_id: int) -> None:
        self.heard(task_id)
        if self._out is not None:
            self._out(task_id)

    def send_to(self, out: Callable[[int], None]) -> None:
        """Call `out(task_id)` at each change published here, not at those `heard` from other
        masters (multi-master mode: master/cluster/bus.py tells the other masters)."""
        self._out = out

    def heard(self, task_id: int) -> None:
        """A change, told to this master's followers only (the bus: another master made it)."""
        for forget in self._forget:  # first: a follower woken below reads the task afresh
            forget(task_id)
        for event in self._waiters.get(task_id, ()):
            event.set()
        for moved in self._noted.values():
            moved.add(task_id)
        for poke in self._every:
            poke()
        for watch in self._watches.values():
            watch.moved.add(task_id)
            watch.woken.set()

    def publish_many(self, task_ids: Iterable[int]) -> None:
        for task_id in task_ids:
            self.publish(task_id)

    def on_task_change(self, forget: Callable[[int], None]) -> None:
        """Call `forget(task_id)` at each change of a task, before anyone is woken: what was
        kept of the task (viewcache.py) is no longer its state."""
        self._forget.append(forget)

    def on_every_change(self, poke: Callable[[], None]) -> None:
        """Call `poke` after each change of any task (the outbox's worker: a task's notice is
        committed by then, so it is found at once rather than at the next poll)."""
        self._every.append(poke)

    @contextlib.contextmanager
    def subscribe(self, task_id: int) -> Iterator[asyncio.Event]:
        """An event set at each change of the task; subscribe before reading, so no change
        between a read and the next wait is missed."""
        event = asyncio.Event()
        self._waiters[task_id].add(event)
        try:
            yield event
        finally:
            self._waiters[task_id].discard(event)
            if not self._waiters[task_id]:
                del self._waiters[task_id]

    @contextlib.contextmanager
    def watching(self) -> Iterator[Watch]:
        """Every task's changes while open (a gateway's watch: TaskService.WatchTaskChanges)."""
        watch = Watch()
        self._watches[id(watch)] = watch
        try:
            yield watch
        finally:
            del self._watches[id(watch)]

    @contextlib.contextmanager
    def noting(self) -> Iterator[set[int]]:
        """The ids of the tasks that change while open: a reader that learns a task's id only
        from its read (by uuid) subscribes after the read, and must still see a change made
        while the read was under way."""
        moved: set[int] = set()
        self._noted[id(moved)] = moved
        try:
            yield moved
        finally:
            del self._noted[id(moved)]


class Watch:
    """The ids of the tasks changed since last taken, and an event set when there are some."""

    def __init__(self) -> None:
        self.moved: set[int] = set()
        self.woken = asyncio.Event()

    async def taken(self) -> list[int]:
        """The ids changed since the last call, once there are any."""
        await self.woken.wait()
        self.woken.clear()
        moved, self.moved = sorted(self.moved), set()
        return moved


async def wait_for(event: asyncio.Event, timeout: float) -> None:
    """Wait for the event (then clear it) or the timeout, whichever first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
    event.clear()
