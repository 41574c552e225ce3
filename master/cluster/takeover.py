"""Taking over dead masters: after each renewal of its own lease, a live master claims every
master whose lease lapsed (store/masters.py::take_dead: one transaction, the row locked with
SKIP LOCKED, so exactly one master takes each), and settles each task it took through its
engine, as a master settles its own unfinished tasks at its start: a task whose step ended
while its master was dead runs its next step here; one still running waits for its results
here (they come through the slaves, which re-attach to a live master)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from master.db.connection import DbRunner
from master.errors import Unavailable
from master.store import masters

logger = logging.getLogger(__name__)
MAX_PER_BEAT = 16
"""Dead masters taken in one go; more wait for the next heartbeat."""


class Takeover:
    def __init__(
        self,
        name: str,
        run_db: DbRunner,
        settle: Callable[[int], Awaitable[None]],
        lease: float,
        may_take: Callable[[], bool],
        resend: Callable[[list[int]], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.run_db = run_db
        self.settle = settle
        self.lease = lease
        self.may_take = may_take
        """Whether this master may take others' tasks now (registry.py::may_take_over)."""
        self.resend = resend
        """Sends again the pending executions of tasks taken on (relay.py::resend_pending)."""

    async def adopt_ownerless(self) -> None:
        """At start: unfinished tasks a single master left (no owner) become this master's."""
        await self._take_on(await self.run_db(masters.adopt_ownerless, self.name))

    async def take_dead(self) -> list[str]:
        """Take over every dead master; their names."""
        taken: list[str] = []
        for _ in range(MAX_PER_BEAT):
            if not self.may_take():  # our own lease is in doubt, or only just held again
                break
            dead = await self.run_db(masters.take_dead, self.name, self.lease)
            if dead is None:
                break
            taken.append(dead.name)
            logger.warning(
                "master %s took over dead master %s: %d unfinished task(s), %d slave(s) freed",
                self.name,
                dead.name,
                len(dead.task_ids),
                dead.slaves,
            )
            await self._take_on(dead.task_ids)
        return taken

    async def _take_on(self, task_ids: list[int]) -> None:
        """The tasks' pending executions sent again (their master may have died before it sent
        them), then each task settled."""
        if self.resend is not None and task_ids:
            await self.resend(task_ids)
        for task_id in task_ids:
            await self._settle(task_id)

    async def _settle(self, task_id: int) -> None:
        try:
            await self.settle(task_id)
        except Unavailable:
            raise
        except Exception:  # one task's bad state must not stop the others' takeover
            logger.exception("task %d: not settled after takeover; left as it is", task_id)
