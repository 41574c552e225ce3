"""SlaveTerminal.Relay: a slave's stream for one terminal, paired with the session it was
ordered for (master/terminal/shell.py).

The caller is a slave presenting its own credential and name (the interceptor, as for
FileService); its first frame joins with the session's id and one-time key, which must match
an order sent to that very slave. Frames are converted here and nothing else: the runner reads
the slave's frames only as fast as the client takes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from jobfleet.v1 import slave_pb2, slave_pb2_grpc
from master.errors import InvalidArgument
from master.rpc.context import CALLER, Context
from master.rpc.errors import streaming
from master.terminal.model import Input, Output, Resize
from master.terminal.shell import SlaveExit, SlaveFrame, SlaveLine, SlaveShells, SlaveStarted

logger = logging.getLogger(__name__)


class SlaveTerminalServicer(slave_pb2_grpc.SlaveTerminalServicer):
    def __init__(self, shells: SlaveShells) -> None:
        self.shells = shells

    @streaming
    async def Relay(
        self, request_iterator: AsyncIterator[slave_pb2.TerminalFromSlave], context: Context
    ) -> AsyncIterator[slave_pb2.TerminalToSlave]:
        first = await anext(request_iterator, None)
        if first is None or first.WhichOneof("body") != "join":
            raise InvalidArgument("expected first", "join")
        stream = RelayStream(request_iterator)
        self.shells.join(CALLER.get().slave, first.join.session_id, first.join.key, stream)
        try:
            while (item := await stream.next_out()) is not None:
                yield to_slave(item)
        finally:
            stream.close()


class RelayStream:
    """The runner's end of one Relay call (shell.SlaveStream)."""

    def __init__(self, requests: AsyncIterator[slave_pb2.TerminalFromSlave]) -> None:
        self._requests = requests
        self._out: asyncio.Queue[Input | Resize] = asyncio.Queue(maxsize=1)
        self._closed = asyncio.Event()

    async def frames(self) -> AsyncIterator[SlaveFrame]:
        while (message := await self._next_in()) is not None:
            frame = from_slave(message)
            if frame is not None:
                yield frame

    async def send(self, item: Input | Resize) -> None:
        if not self._closed.is_set():
            await self._first(self._out.put(item))

    def close(self) -> None:
        self._closed.set()

    async def next_out(self) -> Input | Resize | None:
        """The next frame for the slave; None once closed."""
        item = await self._first(self._out.get())
        return item if isinstance(item, Input | Resize) else None

    async def _next_in(self) -> slave_pb2.TerminalFromSlave | None:
        try:
            message = await self._first(anext(self._requests, None))
        except Exception:  # the call broke: the slave is gone
            logger.info("a terminal relay stream broke", exc_info=True)
            return None
        return message if isinstance(message, slave_pb2.TerminalFromSlave) else None

    async def _first(self, aw: Any) -> Any:
        """`aw`'s result, or None once the stream is closed."""
        task = asyncio.ensure_future(aw)
        closed = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({task, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return task.result() if task.done() and not task.cancelled() else None


def from_slave(message: slave_pb2.TerminalFromSlave) -> SlaveFrame | None:
    kind = message.WhichOneof("body")
    if kind == "output":
        return Output(message.output)
    if kind == "line":
        return SlaveLine(message.line.text, message.line.hidden)
    if kind == "started":
        return SlaveStarted(message.started.pid)
    if kind == "exit":
        return SlaveExit(message.exit.exit_code, message.exit.reason)
    return None  # a second join, or a kind this master does not know


def to_slave(item: Input | Resize) -> slave_pb2.TerminalToSlave:
    if isinstance(item, Input):
        return slave_pb2.TerminalToSlave(input=item.data)
    window = slave_pb2.TerminalWindow(cols=item.cols, rows=item.rows)
    return slave_pb2.TerminalToSlave(resize=window)
