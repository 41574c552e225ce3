"""The shell path's pairing and endings (master/terminal/shell.py), with the real slave
sessions: only the slave ordered may join, with its key, once; the session ends on the shell's
exit, the client's hang-up, the slave going, idleness, or a slave that never joins."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from master.domain import Identity, Placement, TerminalOrder
from master.errors import PermissionDenied
from master.slaves.sessions import SlaveSessions
from master.terminal.model import (
    ClientEvent,
    Closed,
    Input,
    Output,
    Resize,
    ServerEvent,
    Session,
    TerminalMode,
)
from master.terminal.shell import SlaveExit, SlaveFrame, SlaveLine, SlaveShells


class SlaveEnd:
    """The slave's side of a relay stream, as the rpc adapter presents it to the runner."""

    def __init__(self, frames: list[SlaveFrame], hold: bool = False) -> None:
        self._frames = frames
        self._hold = hold  # after its frames, the slave stays (no exit, no end)
        self.sent: list[Input | Resize] = []
        self.closed = asyncio.Event()

    async def frames(self) -> AsyncIterator[SlaveFrame]:
        for frame in self._frames:
            yield frame
        if self._hold:
            await self.closed.wait()

    async def send(self, item: Input | Resize) -> None:
        self.sent.append(item)

    def close(self) -> None:
        self.closed.set()


class Hooks:
    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []
        self.shown: list[bytes] = []

    async def input_line(self, session: Session, text: str, hidden: bool) -> None:
        self.lines.append((text, hidden))

    async def output(self, session: Session, data: bytes) -> None:
        self.shown.append(data)

    async def resized(self, session: Session, cols: int, rows: int) -> None:
        pass


def a_session(slave: str = "s1", idle: float = 60.0) -> Session:
    return Session(
        id="sess-1",
        project_id=1,
        actor="alice",
        token_id=0,
        nodes=(slave,),
        user="deploy",
        mode=TerminalMode.SHELL,
        cols=100,
        rows=30,
        term="xterm",
        idle_timeout=idle,
        recorded=False,
        placement=Placement(slave, slave),
    )


async def client(events: list[ClientEvent], stay: bool = True) -> AsyncIterator[ClientEvent]:
    for event in events:
        yield event
    if stay:
        await asyncio.Event().wait()


async def ordered(sessions: SlaveSessions, name: str) -> TerminalOrder:
    queue = sessions.session(name)
    assert queue is not None
    while True:
        item = await asyncio.wait_for(queue.outbound.get(), 5)
        if isinstance(item, TerminalOrder):
            return item


def attached(*names: str) -> SlaveSessions:
    sessions = SlaveSessions()
    for name in names:
        sessions.open(Identity(name, None))
    return sessions


def test_only_the_slave_ordered_joins_with_its_key_once() -> None:
    async def scenario() -> None:
        sessions = attached("s1", "rogue")
        shells = SlaveShells(sessions)
        shown: list[ServerEvent] = []

        async def emit(event: ServerEvent) -> None:
            shown.append(event)

        hooks = Hooks()
        running = asyncio.create_task(shells.run(a_session(), client([]), emit, hooks))
        order = await ordered(sessions, "s1")
        assert (order.user, order.cols, order.rows, order.project_id) == ("deploy", 100, 30, 1)
        victim = SlaveEnd(
            [Output(b"hi"), SlaveLine("ls", False), SlaveLine("pw", True), SlaveExit(5, "")]
        )
        for slave, key in (("rogue", order.key), ("", order.key), ("s1", "guess")):
            with pytest.raises(PermissionDenied):
                shells.join(slave, order.session_id, key, SlaveEnd([]))
        with pytest.raises(PermissionDenied):
            shells.join("s1", "another-session", order.key, SlaveEnd([]))
        shells.join("s1", order.session_id, order.key, victim)
        with pytest.raises(PermissionDenied):  # the key is spent
            shells.join("s1", order.session_id, order.key, SlaveEnd([]))

        assert await asyncio.wait_for(running, 5) == Closed(5, "")
        assert shown == [Output(b"hi")]
        assert hooks.lines == [("ls", False), ("", True)]  # a hidden line's text never passes
        assert victim.closed.is_set()

    asyncio.run(scenario())


async def run_joined(
    shells: SlaveShells,
    sessions: SlaveSessions,
    end: SlaveEnd,
    events: AsyncIterator[ClientEvent],
    session: Session,
) -> Closed:
    async def emit(event: ServerEvent) -> None:
        pass

    running = asyncio.create_task(shells.run(session, events, emit, Hooks()))
    order = await ordered(sessions, "s1")
    shells.join("s1", order.session_id, order.key, end)
    return await asyncio.wait_for(running, 10)


def test_a_session_ends_on_hang_up_slave_gone_and_idleness() -> None:
    async def scenario() -> None:
        sessions = attached("s1")
        shells = SlaveShells(sessions)

        end = SlaveEnd([], hold=True)
        typed = client([Input(b"ls\r"), Resize(120, 40)], stay=False)
        assert await run_joined(shells, sessions, end, typed, a_session()) == Closed(-1, "hung up")
        assert end.sent == [Input(b"ls\r"), Resize(120, 40)] and end.closed.is_set()

        gone = await run_joined(shells, sessions, SlaveEnd([]), client([]), a_session())
        assert gone == Closed(-1, "slave gone")

        idle = a_session(idle=0.3)
        end = SlaveEnd([], hold=True)
        closed = await run_joined(shells, sessions, end, client([]), idle)
        assert closed == Closed(-1, "idle for 0.3 s") and end.closed.is_set()

    asyncio.run(scenario())


def test_a_slave_absent_or_silent_closes_with_the_reason() -> None:
    async def scenario() -> None:
        async def emit(event: ServerEvent) -> None:
            pass

        shells = SlaveShells(attached("s1"), join_timeout=0.2)
        absent = await shells.run(a_session("s9"), client([]), emit, Hooks())
        assert absent == Closed(-1, "slave s9 is not attached")
        silent = await shells.run(a_session(), client([]), emit, Hooks())
        assert silent == Closed(-1, "slave s1 did not open the terminal within 0.2 s")

    asyncio.run(scenario())
