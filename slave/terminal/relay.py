"""One terminal's SlaveTerminal.Relay stream: join, start the shell, relay, say how it ended.
(With attach.py and files.py, a module that speaks gRPC.)

Back-pressure: the pty is read again only once the previous output frame was written to the
stream (HTTP/2 flow control holds the write until the master took it), so a flood waits on the
pty. Input is written to the pty as it comes. The master ending the stream hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from jobfleet.v1 import slave_pb2, slave_pb2_grpc
from slave.messages import TerminalRequest
from slave.terminal.lines import AuditLine, LineRules
from slave.terminal.shell import Shell, ShellError

logger = logging.getLogger(__name__)

Opener = Callable[[], Awaitable[Shell]]
END_WAIT = 10.0
"""Seconds the master has to end the stream once it has the exit."""


class Relay:
    """The stream of one terminal, and the audit rules of its input."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self._writing = asyncio.Lock()
        self._rules = LineRules()
        self._lines_due = asyncio.Event()

    async def send(self, message: slave_pb2.TerminalFromSlave) -> None:
        async with self._writing:
            await self._call.write(message)

    async def run(self, order: TerminalRequest, open_shell: Opener) -> None:
        join = slave_pb2.TerminalJoin(session_id=order.session_id, key=order.key.value)
        await self.send(slave_pb2.TerminalFromSlave(join=join))
        try:
            shell = await open_shell()
        except ShellError as exc:
            await self._exit(-1, str(exc))
            return
        try:
            started = slave_pb2.TerminalStarted(pid=shell.pid)
            await self.send(slave_pb2.TerminalFromSlave(started=started))
            await self._relay(shell)
        finally:
            await shell.hang_up()

    async def _relay(self, shell: Shell) -> None:
        """Until the shell ends (then say how, and let the master end the stream: cancelling
        a read would cancel the call) or the master hangs up."""
        output = asyncio.create_task(self._output(shell))
        reader = asyncio.create_task(self._input(shell))
        due = asyncio.create_task(self._due())
        try:
            await asyncio.wait({output, reader}, return_when=asyncio.FIRST_COMPLETED)
            if output.done() and output.exception() is None:
                await shell.hang_up()  # the shell ended: nothing it left behind outlives it
                await self._lines(self._rules.due(float("inf")))
                await self._exit(shell.exit_code(), "", wait_end=False)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(reader), END_WAIT)
        finally:
            for task in (output, reader, due):
                task.cancel()
            await asyncio.gather(output, reader, due, return_exceptions=True)

    async def _output(self, shell: Shell) -> None:
        loop = asyncio.get_running_loop()
        while data := await shell.read():
            await self.send(slave_pb2.TerminalFromSlave(output=data))
            await self._lines(self._rules.output(data, loop.time()))

    async def _input(self, shell: Shell) -> None:
        """Until the master ends the stream (it hung up)."""
        loop = asyncio.get_running_loop()
        echo = None
        while (message := await self._call.read()) is not grpc.aio.EOF:
            kind = message.WhichOneof("body")
            if kind == "input":
                if echo is None or shell.echo_each_chunk or not self._rules.line_started:
                    echo = await shell.echo()
                lines = self._rules.input(message.input, echo, loop.time())
                await shell.write(message.input)
                await self._lines(lines)
            elif kind == "resize":
                await shell.resize(message.resize.cols, message.resize.rows)

    async def _due(self) -> None:
        """Raw-mode lines whose echo did not come in time are logged hidden at their deadline."""
        loop = asyncio.get_running_loop()
        while True:
            deadline = self._rules.next_deadline()
            if deadline is None:
                await self._lines_due.wait()
                self._lines_due.clear()
                continue
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            await self._lines(self._rules.due(loop.time()))

    async def _lines(self, lines: list[AuditLine]) -> None:
        if self._rules.next_deadline() is not None:
            self._lines_due.set()
        for line in lines:
            audit = slave_pb2.TerminalInputLine(text=line.text, hidden=line.hidden)
            await self.send(slave_pb2.TerminalFromSlave(line=audit))

    async def _exit(self, code: int, reason: str, wait_end: bool = True) -> None:
        exit_frame = slave_pb2.TerminalExit(exit_code=code, reason=reason)
        with contextlib.suppress(asyncio.InvalidStateError, grpc.aio.AioRpcError, TimeoutError):
            await self.send(slave_pb2.TerminalFromSlave(exit=exit_frame))
            await self._call.done_writing()
            if wait_end:  # the master ends the stream once it has the exit
                await asyncio.wait_for(self._call.read(), END_WAIT)


async def relay(
    channel: Any, metadata: tuple[tuple[str, str], ...], order: TerminalRequest, open_shell: Opener
) -> None:
    """Dial SlaveTerminal.Relay on the link's channel and run the terminal on it."""
    call = slave_pb2_grpc.SlaveTerminalStub(channel).Relay(metadata=metadata)
    try:
        await Relay(call).run(order, open_shell)
    except (grpc.aio.AioRpcError, asyncio.InvalidStateError) as exc:
        code = exc.code() if isinstance(exc, grpc.aio.AioRpcError) else await call.code()
        logger.info("terminal %s: stream ended: %s", order.session_id, getattr(code, "name", code))
    finally:
        call.cancel()
