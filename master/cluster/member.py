"""This master as one of a cluster: what it does at start (its row, its own tasks recovered,
tasks no master owns adopted), while it runs (the lease renewed, dead masters taken over, its
own tasks settled again when a lapsed lease is held again) and at a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable

from master.cluster.registry import Registry
from master.cluster.takeover import Takeover
from master.db.connection import DbRunner
from master.errors import Unavailable
from master.slaves.sessions import SlaveSessions
from master.store import masters
from master.store.owner import set_this_master
from master.tasks.engine import TaskEngine
from master.tasks.intake import Intake

logger = logging.getLogger(__name__)


class Member:
    def __init__(
        self,
        name: str,
        run_db: DbRunner,
        sessions: SlaveSessions,
        engine: TaskEngine,
        intake: Intake,
        resend: Callable[[list[int]], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.engine = engine
        self.intake = intake
        self.registry = Registry(name, run_db, sessions)
        self.takeover = Takeover(
            name, run_db, engine.settle, self.registry.lease, self.registry.may_take_over, resend
        )
        self.run_db = run_db
        self.resend = resend
        self._loops: list[asyncio.Task[None]] = []

    async def join(self) -> None:
        """Before serving: the row written, tasks started here owned by this master, and the
        engine driving only while the lease holds."""
        await self.registry.register()
        set_this_master(self.name)
        self.engine.may_drive = self.registry.lease_held

    async def recover(self) -> None:
        """This master's own unfinished tasks settled (as a single master settles all at
        start), their pending executions sent again first (this master may have died between
        writing and sending them, and their slaves may be attached elsewhere), then those no
        master owns adopted."""
        if self.resend is not None:
            owned = await self.run_db(masters.owned_unfinished, self.name)
            await self.resend([task.id for task in owned])
        await self.intake.recover(functools.partial(masters.owned_unfinished, self.name))
        await self.takeover.adopt_ownerless()

    def start(self, on_health: Callable[[bool], None]) -> None:
        """The heartbeat and the takeover, each a loop of its own (a takeover's settles never
        delay a renewal)."""
        self._loops = [
            asyncio.ensure_future(self.registry.run(self._regained, on_health)),
            asyncio.ensure_future(self._take_forever()),
        ]

    def _regained(self) -> None:
        """Settles skipped while the lease was in doubt are made good: every task of this
        master's is settled again."""
        self._loops.append(asyncio.ensure_future(self._resettle()))

    async def _resettle(self) -> None:
        try:
            await self.intake.recover(functools.partial(masters.owned_unfinished, self.name))
        except Unavailable as exc:
            logger.warning("master %s: its tasks not settled again yet: %s", self.name, exc)

    async def _take_forever(self) -> None:
        """Take over dead masters every heartbeat. A takeover cut short (the tasks moved here,
        some not settled yet) settles all of this master's tasks again at the next beat."""
        cut_short = False
        while True:
            await asyncio.sleep(self.registry.heartbeat)
            try:
                await self.takeover.take_dead()
                if cut_short:
                    await self.intake.recover(
                        functools.partial(masters.owned_unfinished, self.name)
                    )
                cut_short = False
            except Unavailable as exc:
                cut_short = True
                logger.warning("takeover skipped: %s", exc)
            except Exception:
                cut_short = True
                logger.exception("takeover failed; trying again next beat")

    async def leave(self) -> None:
        """A clean stop: loops ended, the row gone (or dead at once when tasks are left)."""
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.registry.retire()
        set_this_master(None)
