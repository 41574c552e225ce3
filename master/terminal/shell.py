"""The shell path: order the session's slave to open a pty, pair the slave's relay stream with
the session, relay both ways, end on exit, hang-up, the slave going, or idleness.

The slave proves it is the one ordered by joining with the session's id and a one-time key sent
on its own Attach stream; the join must come from that slave (its credential), within
`join_timeout`. Back-pressure: the slave's next frame is read only once the client took the
previous output (`await emit`), so a flood waits on the slave's pty, never in memory here.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from master.domain import TerminalOrder
from master.errors import PermissionDenied
from master.slaves.sessions import SlaveSessions
from master.terminal.model import (
    ClientEvents,
    Closed,
    Emit,
    Input,
    Output,
    Resize,
    Session,
    SessionHooks,
)

logger = logging.getLogger(__name__)

JOIN_TIMEOUT = 30.0
"""Seconds a slave has to join after the order was queued for it."""


# --- what the slave's relay stream carries (the rpc adapter converts its frames)


@dataclass(frozen=True)
class SlaveStarted:
    pid: int  # 0 over SSH


@dataclass(frozen=True)
class SlaveLine:
    text: str
    hidden: bool


@dataclass(frozen=True)
class SlaveExit:
    exit_code: int
    reason: str


SlaveFrame = SlaveStarted | Output | SlaveLine | SlaveExit


class SlaveStream(Protocol):
    """One slave's relay stream for one session (master.rpc.slave_terminal)."""

    def frames(self) -> AsyncIterator[SlaveFrame]:
        """The slave's frames after its join; ends when the slave's stream does."""

    async def send(self, item: Input | Resize) -> None:
        """To the slave; returns once the stream took it."""

    def close(self) -> None:
        """End the stream (the slave hangs up)."""


@dataclass
class _Order:
    slave: str
    key: str = field(repr=False)
    joined: asyncio.Future[SlaveStream] = field(default_factory=asyncio.Future)


class SlaveShells:
    """The ShellRunner of the master (model.py), and the place slaves join their terminals."""

    def __init__(self, sessions: SlaveSessions, join_timeout: float = JOIN_TIMEOUT) -> None:
        self.sessions = sessions
        self.join_timeout = join_timeout
        self._orders: dict[str, _Order] = {}

    def join(self, slave: str, session_id: str, key: str, stream: SlaveStream) -> None:
        """Pair the stream with the session it was ordered for; PermissionDenied when no order
        for that session went to this slave with this key (or it was joined already). Every
        refusal reads the same: nothing tells a session's existence to a prober."""
        order = self._orders.get(session_id)
        if (
            order is None
            or not slave
            or order.slave != slave
            or not hmac.compare_digest(order.key.encode(), key.encode())
            or order.joined.done()
        ):
            logger.warning(
                "slave %s refused: joined terminal %s not ordered for it", slave, session_id
            )
            raise PermissionDenied("no terminal ordered for this slave with that key", "join")
        order.joined.set_result(stream)

    async def run(
        self, session: Session, events: ClientEvents, emit: Emit, hooks: SessionHooks
    ) -> Closed:
        placement = session.placement
        if placement is None or not placement.slave:
            return Closed(-1, f"no slave can reach {', '.join(session.nodes)}")
        stream = await self._order(session, placement.slave)
        if isinstance(stream, Closed):
            return stream
        try:
            return await _Relay(session, stream, events, emit, hooks).run()
        finally:
            stream.close()

    async def _order(self, session: Session, slave: str) -> SlaveStream | Closed:
        """Send the order and wait for the slave's join."""
        assert session.placement is not None
        order = _Order(slave, secrets.token_urlsafe(32))
        self._orders[session.id] = order
        try:
            sent = self.sessions.send(
                slave,
                TerminalOrder(
                    session_id=session.id,
                    key=order.key,
                    project_id=session.project_id,
                    user=session.user,
                    ssh=session.placement.ssh,
                    cols=session.cols,
                    rows=session.rows,
                    term=session.term,
                ),
            )
            if not sent:
                return Closed(-1, f"slave {slave} is not attached")
            try:
                return await asyncio.wait_for(asyncio.shield(order.joined), self.join_timeout)
            except TimeoutError:
                return Closed(
                    -1, f"slave {slave} did not open the terminal within {self.join_timeout:g} s"
                )
        finally:
            del self._orders[session.id]


class _Relay:
    """Both ways at once; the first side to end says how the session closed."""

    def __init__(
        self,
        session: Session,
        stream: SlaveStream,
        events: ClientEvents,
        emit: Emit,
        hooks: SessionHooks,
    ) -> None:
        self.session = session
        self.stream = stream
        self.events = events
        self.emit = emit
        self.hooks = hooks
        self.last_input = asyncio.get_running_loop().time()

    async def run(self) -> Closed:
        sides = [self._from_slave(), self._from_client()]
        if self.session.idle_timeout > 0:
            sides.append(self._idle())
        tasks = [asyncio.ensure_future(side) for side in sides]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            return next(iter(done)).result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _from_slave(self) -> Closed:
        async for frame in self.stream.frames():
            if isinstance(frame, Output):
                await self.emit(frame)  # returns once the client took it: the back-pressure
                await self.hooks.output(self.session, frame.data)
            elif isinstance(frame, SlaveLine):
                text = "" if frame.hidden else frame.text
                await self.hooks.input_line(self.session, text, frame.hidden)
            elif isinstance(frame, SlaveExit):
                return Closed(frame.exit_code, frame.reason)
        return Closed(-1, "slave gone")

    async def _from_client(self) -> Closed:
        loop = asyncio.get_running_loop()
        async for event in self.events:
            if isinstance(event, Input):
                self.last_input = loop.time()
                await self.stream.send(event)
            elif isinstance(event, Resize):
                await self.stream.send(event)
                await self.hooks.resized(self.session, event.cols, event.rows)
        return Closed(-1, "hung up")

    async def _idle(self) -> Closed:
        loop = asyncio.get_running_loop()
        limit = self.session.idle_timeout
        while (left := self.last_input + limit - loop.time()) > 0:
            await asyncio.sleep(left)
        return Closed(-1, f"idle for {limit:g} s")
