"""A stand-in TerminalService.OpenTerminal for the shell path's own end-to-end tests, served
only when the master runs with JOBFLEET_SHELL_SELFTEST=1 and only to the admin token. It admits
nothing (no project, account or cap checks, no audit log): the shell runs on the slave named by
`nodes[0]`. The real servicer (master.rpc.terminal_service) replaces it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from jobfleet.v1 import terminal_pb2, terminal_pb2_grpc
from master.domain import Placement
from master.errors import InvalidArgument, PermissionDenied
from master.rpc.auth import Authenticator
from master.rpc.context import Context
from master.rpc.errors import streaming
from master.rpc.interceptor import presented
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
from master.terminal.shell import SlaveShells

ENV = "JOBFLEET_SHELL_SELFTEST"


def serve_if_asked(server: Any, shells: SlaveShells, auth: Authenticator) -> None:
    """Serve the stand-in when the environment asks for it (the shell path's tests)."""
    if os.environ.get(ENV) == "1":
        servicer = SelfTestTerminalServicer(shells, auth, 600.0)
        terminal_pb2_grpc.add_TerminalServiceServicer_to_server(servicer, server)


class _NoHooks:
    async def input_line(self, session: Session, text: str, hidden: bool) -> None:
        pass

    async def output(self, session: Session, data: bytes) -> None:
        pass

    async def resized(self, session: Session, cols: int, rows: int) -> None:
        pass


class SelfTestTerminalServicer(terminal_pb2_grpc.TerminalServiceServicer):
    def __init__(self, shells: SlaveShells, auth: Authenticator, idle_timeout: float) -> None:
        self.shells = shells
        self.auth = auth
        self.idle_timeout = idle_timeout

    @streaming
    async def OpenTerminal(
        self, request_iterator: AsyncIterator[terminal_pb2.TerminalClientFrame], context: Context
    ) -> AsyncIterator[terminal_pb2.TerminalServerFrame]:
        who = await self.auth.identify(presented(context.invocation_metadata()), "selftest")
        if not who.admin:
            raise PermissionDenied("needs the admin token")
        first = await anext(request_iterator, None)
        if first is None or first.WhichOneof("body") != "open" or not first.open.nodes:
            raise InvalidArgument("expected first, with a node", "open")
        node = first.open.nodes[0]
        size = first.open.size
        session = Session(
            id=str(uuid.uuid4()),
            project_id=first.open.project_id,
            actor="selftest",
            token_id=0,
            nodes=(node,),
            user=first.open.user,
            mode=TerminalMode.SHELL,
            cols=size.cols or 80,
            rows=size.rows or 24,
            term=first.open.term or "xterm-256color",
            idle_timeout=self.idle_timeout,
            recorded=False,
            placement=Placement(node, node),
        )
        opened = terminal_pb2.TerminalOpened(session_id=session.id, nodes=[node])
        yield terminal_pb2.TerminalServerFrame(opened=opened)
        frames = Frames()
        runner = self.shells.run(session, _events(request_iterator), frames.put, _NoHooks())
        async for frame in frames.relay(runner):
            yield frame


class Frames:
    """The runner's events as server frames, one at a time: `put` returns once the frame is
    yielded (taken by the client's stream)."""

    def __init__(self) -> None:
        self._slot: asyncio.Queue[ServerEvent] = asyncio.Queue(maxsize=1)
        self._taken = asyncio.Event()

    async def put(self, event: ServerEvent) -> None:
        self._taken.clear()
        await self._slot.put(event)
        await self._taken.wait()

    async def relay(
        self, runner: Coroutine[Any, Any, Closed]
    ) -> AsyncIterator[terminal_pb2.TerminalServerFrame]:
        task = asyncio.ensure_future(runner)
        try:
            while True:
                get = asyncio.ensure_future(self._slot.get())
                await asyncio.wait({get, task}, return_when=asyncio.FIRST_COMPLETED)
                if not get.done():
                    get.cancel()
                    break
                event = get.result()
                if isinstance(event, Output):
                    yield terminal_pb2.TerminalServerFrame(output=event.data)
                self._taken.set()
            closed = task.result()
            yield terminal_pb2.TerminalServerFrame(
                closed=terminal_pb2.TerminalClosed(exit_code=closed.exit_code, reason=closed.reason)
            )
        finally:
            task.cancel()


async def _events(
    frames: AsyncIterator[terminal_pb2.TerminalClientFrame],
) -> AsyncIterator[ClientEvent]:
    async for frame in frames:
        kind = frame.WhichOneof("body")
        if kind == "input":
            yield Input(frame.input)
        elif kind == "resize":
            yield Resize(frame.resize.cols or 80, frame.resize.rows or 24)
