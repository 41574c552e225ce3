"""The reports of many slaves stored together: what every slave's drain handed in while the
last database call ran is stored by the next one, in one call (a fan-out's thousand results
are a few transactions, not a thousand of them contending for SQLite's one writer).

Each drain gets the whole group's outcome back once it is committed and acks its own reports;
the followers of the group's tasks are told, and its task ends logged, once per group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from master.db.connection import DbRunner
from master.domain import Chunk, Finished, Started
from master.store.settling import Settled
from master.tasks import settling
from master.tasks.events import TaskEvents

logger = logging.getLogger(__name__)
MAX_GROUP = 2048
"""Reports stored by one call at most (the rest wait for the next)."""

Stored = tuple[list[int], Settled]
"""The tasks whose output was stored, and what storing the starts and results did."""
Store = Callable[[list[Chunk], list[Started], list[Finished], frozenset[int]], Stored]


@dataclass
class _Handed:
    chunks: list[Chunk]
    starts: list[Started]
    results: list[Finished]
    done: asyncio.Future[Stored]

    @property
    def size(self) -> int:
        return len(self.chunks) + len(self.starts) + len(self.results)


class ReportGroups:
    """Stores the batches handed in, a group per database call (`store` runs on the database
    thread with the tasks the engine is busy with, which it leaves to the engine)."""

    def __init__(
        self,
        run_db: DbRunner,
        store: Store,
        busy: Callable[[], frozenset[int]],
        events: TaskEvents,
    ) -> None:
        self.run_db = run_db
        self.store_group = store
        self.busy = busy
        self.events = events
        self._handed: list[_Handed] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(
        self, chunks: list[Chunk], starts: list[Started], results: list[Finished]
    ) -> Stored:
        """Store these reports with whatever else is handed in meanwhile; returns once they
        are committed (raises what storing raised)."""
        done: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._handed.append(_Handed(chunks, starts, results, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        try:
            while self._handed:
                await self._write_one(self._next_group())
        finally:
            self._writer = None
            if self._handed:  # cancelled with batches waiting: their drains end too
                for handed in self._handed:
                    handed.done.cancel()
                self._handed = []

    def _next_group(self) -> list[_Handed]:
        group: list[_Handed] = []
        size = 0
        while self._handed and (not group or size + self._handed[0].size <= MAX_GROUP):
            group.append(self._handed.pop(0))
            size += group[-1].size
        return group

    async def _write_one(self, group: list[_Handed]) -> None:
        try:
            stored = await self.run_db(
                self.store_group,
                [c for h in group for c in h.chunks],
                [s for h in group for s in h.starts],
                [r for h in group for r in h.results],
                self.busy(),
            )
        except BaseException as exc:
            for handed in group:
                if not handed.done.done():
                    handed.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        self._told(stored)
        for handed in group:
            if not handed.done.done():
                handed.done.set_result(stored)

    def _told(self, stored: Stored) -> None:
        """Log the group's task ends and tell its tasks' followers (those the engine is to
        settle are told by it)."""
        chunk_tasks, settled = stored
        for uuid, position, end in settled.ended.values():
            settling.log_end(uuid, position, end)
        for task_id in {*chunk_tasks, *settled.started, *settled.recorded.values()}:
            if task_id not in settled.unsettled:
                self.events.publish(task_id)
