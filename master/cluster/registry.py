"""This master's row in the `master` table: registered at start, renewed every HEARTBEAT
seconds with its load (the lease), marked on its slaves as they attach and detach, and the
list of live masters (ListMasters).

The lease is also what lets this master drive its tasks: `lease_held()` is False once its last
renewal is older than the lease less a margin, before any other master may take its tasks (a
lease older than the lease itself, by the database's clock), so a master cut off from
PostgreSQL stops moving its tasks before another starts (docs/ha.md)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable

from master.db.connection import DbRunner
from master.errors import Unavailable
from master.slaves.sessions import SlaveSessions
from master.store import masters
from master.store.masters import LiveMaster

logger = logging.getLogger(__name__)
HEARTBEAT = 2.0
"""Seconds between renewals of a master's lease."""
LEASE = 6.0
"""Seconds after its last renewal that a master is dead, and its tasks are taken over."""
MARGIN = 2.0
"""A master stops driving its tasks once its renewal is LEASE - MARGIN old (one heartbeat
before any other may take them)."""


class Registry:
    """This master's lease and its slaves' `attached_to`."""

    def __init__(
        self,
        name: str,
        run_db: DbRunner,
        sessions: SlaveSessions,
        heartbeat: float = HEARTBEAT,
        lease: float = LEASE,
    ) -> None:
        self.name = name
        self.run_db = run_db
        self.sessions = sessions
        self.heartbeat = heartbeat
        self.lease = lease
        self.pid = os.getpid()
        self._renewed = float("-inf")
        """time.monotonic() when the last renewal that succeeded was sent."""
        self._held_since = float("inf")
        """time.monotonic() since when the lease has held without a lapse."""
        self._pending: set[asyncio.Task[None]] = set()

    def lease_held(self) -> bool:
        """Whether this master may drive its tasks now: its lease renewed lately enough that
        no other master can have taken them."""
        return time.monotonic() - self._renewed < self.lease - MARGIN

    def may_take_over(self) -> bool:
        """Whether this master may take others' tasks: its lease has held for a whole lease
        (after a start, or a database outage that every master lived through, the others get
        a lease's time to renew theirs before they count as dead)."""
        return self.lease_held() and time.monotonic() - self._held_since >= self.lease

    async def register(self) -> None:
        """Write this master's row (at start, before its tasks are recovered)."""
        sent = time.monotonic()
        await self.run_db(masters.register, self.name, self.pid)
        self._renewed = self._held_since = sent

    async def renew(self) -> bool:
        """One heartbeat; True when the lease had lapsed (or the row was taken over) and is
        held again. Unavailable when the database cannot be reached."""
        sent = time.monotonic()
        slaves = self.sessions.names()
        kept = await self.run_db(masters.heartbeat, self.name, self.pid, len(slaves))
        lapsed = not self.lease_held() or not kept
        self._renewed = sent
        if lapsed:
            self._held_since = sent
        if not kept:
            logger.warning(
                "master %s: its row was taken over (lease lapsed); registered again", self.name
            )
            await self.run_db(masters.attach_many, self.sessions.names(), self.name)
        elif lapsed:
            logger.warning("master %s: lease renewed; driving its tasks again", self.name)
        return lapsed

    async def run(
        self, on_regained: Callable[[], object], on_health: Callable[[bool], None]
    ) -> None:
        """Renew every heartbeat until cancelled; `on_health(False)` while the database cannot
        be reached, `on_health(True)` when it can; `on_regained()` (not awaited here: a
        heartbeat never waits for task work) when a lapsed lease is held again."""
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                regained = await self.renew()
            except Unavailable as exc:
                on_health(False)
                logger.warning("master %s: lease not renewed: %s", self.name, exc)
                continue
            except Exception:
                on_health(False)
                logger.exception("master %s: lease not renewed", self.name)
                continue
            on_health(True)
            if regained:
                on_regained()

    def attached(self, slave: str) -> None:
        """A slave's stream opened here: mark it (in the background; a lost write is made
        good when the row is written again)."""
        self._background(masters.attach, slave)

    def detached(self, slave: str) -> None:
        """A slave's stream here ended (and no newer one of it is here)."""
        self._background(masters.detach, slave)

    def _background(self, fn: Callable[[str, str], None], slave: str) -> None:
        task = asyncio.ensure_future(self._write(fn, slave))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, fn: Callable[[str, str], None], slave: str) -> None:
        try:
            await self.run_db(fn, slave, self.name)
        except Exception as exc:  # the slave's link goes on; the row is squared later
            logger.warning("slave %s: attached_to not written: %s", slave, exc)

    async def live(self) -> list[LiveMaster]:
        return await self.run_db(masters.live, self.lease)

    async def retire(self) -> None:
        """A clean stop: the row goes (or is made dead at once when tasks are left)."""
        await asyncio.gather(*self._pending, return_exceptions=True)
        await self.run_db(masters.retire, self.name)
