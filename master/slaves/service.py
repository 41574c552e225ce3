"""What the RPCs ask of slaves: the enrolment at each attach, a slave's own credential checked
(FileService), and the list of slaves with what each serves now."""

from __future__ import annotations

from dataclasses import dataclass

from master.db.connection import DbRunner
from master.db.models import Slave
from master.domain import Identity, Introduction
from master.secrets import digest
from master.slaves import enrolment
from master.slaves.sessions import SlaveSessions
from master.store import slaves


@dataclass(frozen=True)
class SlaveView:
    """A slave as listed: its row, its identity while attached, the executions it runs."""

    row: Slave
    attached: Identity | None
    running: int


class Slaves:
    def __init__(self, run_db: DbRunner, sessions: SlaveSessions, join_token: str = "") -> None:
        self.run_db = run_db
        self.sessions = sessions
        self._join_digest = digest(join_token) if join_token else ""

    async def admit(self, intro: Introduction) -> Identity:
        """The identity of an attaching slave (enrolled now if new); see enrolment.admit."""
        return await self.run_db(enrolment.admit, intro, self._join_digest)

    async def holder(self, name: str, credential: str) -> str | None:
        """`name`, when `credential` is that slave's own; else None."""
        row = await self.run_db(slaves.by_credential, name, digest(credential))
        return row.name if row is not None else None

    async def listed(self, project_id: int | None) -> list[SlaveView]:
        """Every slave (None), or those that serve the project (now if attached, else as
        enrolled)."""
        views = []
        for row in await self.run_db(slaves.list_slaves):
            session = self.sessions.session(row.name)
            identity = session.identity if session else None
            if project_id is None or enrolment.may_serve(row, identity, project_id):
                views.append(SlaveView(row, identity, session.running if session else 0))
        return views
