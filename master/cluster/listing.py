"""The list of live masters (MasterService.ListMasters, the gateway's GET /masters): the rows
of the `master` table whose lease holds; a single master lists itself, from its own memory and
one count."""

from __future__ import annotations

import os
from dataclasses import dataclass

from master.cluster.registry import Registry
from master.db.connection import DbRunner
from master.db.models import utcnow
from master.slaves.sessions import SlaveSessions
from master.store import masters
from master.store.masters import LiveMaster

__all__ = ["Listed", "LiveMaster", "MasterList"]


@dataclass(frozen=True)
class Listed:
    masters: list[LiveMaster]
    cluster: bool
    answered_by: str


class MasterList:
    def __init__(
        self, name: str, registry: Registry | None, run_db: DbRunner, sessions: SlaveSessions
    ) -> None:
        self.name = name
        """This master's name: its --advertise, or (a single master) its listen address."""
        self.registry = registry
        self.run_db = run_db
        self.sessions = sessions
        self.started_at = utcnow()

    async def listed(self) -> Listed:
        if self.registry is not None:
            return Listed(await self.registry.live(), True, self.name)
        tasks = await self.run_db(masters.unfinished_count)
        me = LiveMaster(
            self.name, os.getpid(), self.started_at, 0.0, len(self.sessions.names()), tasks
        )
        return Listed([me], False, self.name)
