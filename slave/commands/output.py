"""Turn a command's output pipe into numbered chunks (CONVENTIONS rule 9).

A chunk is sent when it holds `flush_bytes`, or `flush_interval` after its first byte, whichever
comes first: interactive output shows up within 50 ms, bulk output travels in 64 KiB pieces,
never one message per line. seq runs 0, 1, 2, ... without gaps.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from slave.commands.base import OutputSink
from slave.messages import Chunk


class Readable(Protocol):
    """Where output comes from: a pipe's StreamReader, or an SSH channel's reader."""

    async def read(self, n: int = -1) -> bytes:
        """Up to n bytes; b"" at end of file."""
        ...


class OutputPump:
    def __init__(
        self,
        execution_id: int,
        pipe: Readable,
        sink: OutputSink,
        flush_bytes: int,
        flush_interval: float,
    ) -> None:
        self.execution_id = execution_id
        self.chunks = 0
        """Chunks sent so far, i.e. the next seq."""
        self.cut_short = False
        """True when reading stopped at the drain deadline, before end of file."""
        self._pipe = pipe
        self._sink = sink
        self._flush_bytes = flush_bytes
        self._flush_interval = flush_interval
        self._buffer = bytearray()
        self._loop = asyncio.get_running_loop()
        self._flush_at: float | None = None
        self._stop_at: float | None = None
        self._exited: asyncio.Future[None] = self._loop.create_future()

    def main_exited(self, drain_timeout: float) -> None:
        """The main process is gone: read on until EOF, but for `drain_timeout` s at most.

        Time spent waiting for outbox room does not count: backpressure must not lose output.
        """
        if not self._exited.done():
            self._stop_at = self._loop.time() + drain_timeout
            self._exited.set_result(None)

    async def run(self) -> None:
        read: asyncio.Future[bytes] | None = None
        try:
            while True:
                if read is None:
                    read = asyncio.ensure_future(
                        self._pipe.read(self._flush_bytes - len(self._buffer))
                    )
                waits: set[asyncio.Future[Any]] = {read}
                if not self._exited.done():
                    waits.add(self._exited)
                await asyncio.wait(
                    waits, timeout=self._timeout(), return_when=asyncio.FIRST_COMPLETED
                )
                if read.done():
                    data = read.result()
                    read = None
                    if not data:
                        break
                    self._take(data)
                if self._due(self._flush_at) or len(self._buffer) >= self._flush_bytes:
                    await self._flush()
                if self._due(self._stop_at):
                    self.cut_short = True
                    break
        finally:
            if read is not None:
                read.cancel()
        await self._flush()

    def _take(self, data: bytes) -> None:
        if not self._buffer:
            self._flush_at = self._loop.time() + self._flush_interval
        self._buffer += data

    async def _flush(self) -> None:
        if not self._buffer:
            return
        chunk = Chunk(self.execution_id, self.chunks, bytes(self._buffer))
        self._buffer.clear()
        self._flush_at = None
        self.chunks += 1
        began = self._loop.time()
        await self._sink.output(chunk)
        if self._stop_at is not None:
            self._stop_at += self._loop.time() - began

    def _due(self, deadline: float | None) -> bool:
        return deadline is not None and self._loop.time() >= deadline

    def _timeout(self) -> float | None:
        deadlines = [d for d in (self._flush_at, self._stop_at) if d is not None]
        return max(0.0, min(deadlines) - self._loop.time()) if deadlines else None
