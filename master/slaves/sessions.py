"""Attached slaves: one Session per slave stream, and the registry the engine dispatches through.

A session is bound to its slave's identity (enrolment.py): the projects it serves, the
accounts it runs as, and the executions dispatched to it, the only ones whose reports the intake
accepts from it. One name has at most one live session: the same slave process attaching again
(same instance) replaces its old stream, which is dead; any other process is refused while
that stream lives, so the running one keeps its work.

Sessions carry plain values both ways; only the SlaveLink servicer (rpc/) turns them into
protobuf.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from master.domain import (
    CopyOrder,
    Identity,
    Inbound,
    KillOrder,
    Outbound,
    RunOrder,
    TerminalOrder,
)
from master.errors import AlreadyExists

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Mailbox(Generic[T]):
    """An unbounded FIFO: asyncio.Queue's put_nowait, get, get_nowait and empty in a fourth of
    its memory (a deque, and a future while someone waits); a master keeps two per attached
    slave, a thousand slaves and more."""

    __slots__ = ("_items", "_ready")

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._ready: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        ready, self._ready = self._ready, None
        if ready is not None and not ready.done():
            ready.set_result(None)

    async def get(self) -> T:
        while not self._items:
            if self._ready is None:
                self._ready = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._ready)  # a cancelled reader leaves it to the others
        return self._items.popleft()

    def get_nowait(self) -> T:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def empty(self) -> bool:
        return not self._items


@dataclass(eq=False, slots=True)
class Session:
    identity: Identity
    outbound: Mailbox[Outbound] = field(default_factory=Mailbox)
    inbox: Mailbox[Inbound] = field(default_factory=Mailbox)
    running: int = 0
    sent: int = 0  # run orders since the last heartbeat
    last_heard: float = field(default_factory=time.monotonic)
    since: float = field(default_factory=time.time)
    owned: set[int] = field(default_factory=set)
    """Executions dispatched to this slave whose result it has not delivered yet."""

    @property
    def name(self) -> str:
        return self.identity.name

    def heard(self, running: int | None = None) -> None:
        self.last_heard = time.monotonic()
        if running is not None:
            self.running, self.sent = running, 0


class SlaveSessions:
    """Which slaves are attached to this master, and the way to send them orders."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    def open(self, identity: Identity) -> Session:
        """A session for the slave; AlreadyExists while another process holds its name."""
        name = identity.name
        old = self._sessions.get(name)
        if old is not None and old.identity.instance != identity.instance:
            since = time.strftime("%H:%M:%S", time.gmtime(old.since))
            raise AlreadyExists(
                f"slave {name} is attached already (another process, since {since} UTC); this "
                "one is refused while that stream lives"
            )
        if old is not None:
            logger.warning("slave %s re-attached; dropping its previous stream", name)
            old.outbound.put_nowait(None)
        session = Session(identity)
        self._sessions[name] = session
        return session

    def close(self, session: Session) -> None:
        if self._sessions.get(session.name) is session:
            del self._sessions[session.name]

    def close_all(self) -> None:
        for session in list(self._sessions.values()):
            session.outbound.put_nowait(None)
        self._sessions.clear()

    def snapshot(self) -> SlaveSessions:
        """A copy of the registry as it is now (the sessions themselves shared), for routing on
        a database thread while the event loop goes on attaching and closing (tasks/launch.py)."""
        copy = SlaveSessions()
        copy._sessions = self._sessions.copy()
        return copy

    def joined(self, elsewhere: dict[str, Identity]) -> SlaveSessions:
        """A snapshot with the slaves attached to other masters beside this one's (multi-master
        mode's routing: tasks/engine.py); sending to those goes through relays, not here."""
        copy = self.snapshot()
        for name, identity in elsewhere.items():
            copy._sessions.setdefault(name, Session(identity))
        return copy

    def attached(self, name: str) -> bool:
        return name in self._sessions

    def names(self) -> list[str]:
        return list(self._sessions)

    def load(self, name: str) -> int:
        """Executions the slave runs or was just sent (for least-loaded choice)."""
        session = self._sessions.get(name)
        return session.running + session.sent if session else 0

    def heard_within(self, seconds: float) -> list[str]:
        """Attached slaves heard from lately (a stopped slave keeps its stream a while)."""
        cutoff = time.monotonic() - seconds
        return [name for name, s in self._sessions.items() if s.last_heard >= cutoff]

    def drop_silent(self, seconds: float) -> list[str]:
        """Close the streams of slaves not heard from for `seconds` (stopped, hung or cut off:
        the transport may take minutes to notice); they re-attach and resend when they can."""
        silent = [s for s in self._sessions.values() if s.last_heard < time.monotonic() - seconds]
        for session in silent:
            del self._sessions[session.name]
            session.outbound.put_nowait(None)
        return [s.name for s in silent]

    def session(self, name: str) -> Session | None:
        return self._sessions.get(name)

    def identity(self, name: str) -> Identity | None:
        session = self._sessions.get(name)
        return session.identity if session else None

    def serving(self, project_id: int) -> list[str]:
        """Attached slaves that serve the project (and so may get its SSH secrets)."""
        return [n for n, s in self._sessions.items() if s.identity.serves(project_id)]

    def send(self, name: str, order: RunOrder | CopyOrder | KillOrder | TerminalOrder) -> bool:
        """Queue an order for the slave; False when it is not attached here."""
        session = self._sessions.get(name)
        if session is None:
            return False
        session.outbound.put_nowait(order)
        if isinstance(order, RunOrder | CopyOrder):
            session.sent += 1
            session.owned.add(order.execution_id)
        return True
