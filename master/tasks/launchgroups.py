"""Submits launched by the group: what is handed in while a launch call runs is launched by
the next one, one database call for the group instead of one per submit (each call is a
hand-off to a database thread and back, a thread switch and a wake-up of the event loop:
at load most of a submit's own cost beside its work).

Nothing else changes: each task is still planned and written in its own transaction exactly
as alone (launch.launch), and each caller gets its own task or its own error; a task's orders
are sent by its caller after the call that wrote it returned, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from master.db.connection import DbRunner, each_outcome
from master.tasks.launch import Launched

MAX_GROUP = 64
"""Submits launched by one database call at most (the rest wait for the next): a submit waits
for the ones before it in its group, so a group stays short."""
Launch = Callable[[], Launched]


@dataclass
class _Handed:
    launch: Launch
    done: asyncio.Future[Launched]


class LaunchGroups:
    def __init__(self, run_db: DbRunner) -> None:
        self.run_db = run_db
        self._handed: list[_Handed] = []
        self._writer: asyncio.Task[None] | None = None

    async def launch(self, launch: Launch) -> Launched:
        """`launch()` run on a database thread with the others handed in meanwhile; its
        result, or what it raised."""
        done: asyncio.Future[Launched] = asyncio.get_running_loop().create_future()
        self._handed.append(_Handed(launch, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        try:
            while self._handed:
                group, self._handed = self._handed[:MAX_GROUP], self._handed[MAX_GROUP:]
                await self._write_one(group)
        finally:
            self._writer = None
            if self._handed:  # cancelled with submits waiting: they end too
                for handed in self._handed:
                    handed.done.cancel()
                self._handed = []

    async def _write_one(self, group: list[_Handed]) -> None:
        try:
            found = await self.run_db(each_outcome, [h.launch for h in group])
        except BaseException as exc:  # the connection itself, or cancelled
            for handed in group:
                if not handed.done.done():
                    handed.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for handed, outcome in zip(group, found, strict=True):
            if handed.done.done():  # its caller gave up (cancelled)
                continue
            if isinstance(outcome, Exception):
                handed.done.set_exception(outcome)
            else:
                handed.done.set_result(outcome)
