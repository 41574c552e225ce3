"""In-process change notices, so live followers wake up when a task's output or state moves
instead of polling the database in a tight loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator


class TaskEvents:
    def __init__(self) -> None:
        self._waiters: dict[int, set[asyncio.Event]] = defaultdict(set)

    def publish(self, task_id: int) -> None:
        for event in self._waiters.get(task_id, ()):
            event.set()

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


async def wait_for(event: asyncio.Event, timeout: float) -> None:
    """Wait for the event (then clear it) or the timeout, whichever first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
    event.clear()
