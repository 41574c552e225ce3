"""Turn a command's stdout and stderr into numbered chunks (CONVENTIONS rule 9).

Output is buffered and sent as a chunk when the buffer holds `flush_bytes` (1 MiB by
default), or `flush_interval` after its first byte, whichever comes first: interactive output
shows up within 50 ms, never one message per line, and fast output travels in chunks of up to
`max_chunk` (1 MiB): fewer messages, rows, batches and acks (the master's cost is mostly per
chunk; 64 KiB flushes cost it about twice the CPU per 100 MB). A chunk holds
one stream, and a switch of stream ends the chunk: seq runs 0, 1, 2, ... without gaps over
both streams in the exact order the slave read them, so the interleaved view (OpenC3's tasklog,
`set -x` traces between a script's output lines) reads as a terminal would show it. A script
that alternates streams line by line pays with one chunk per switch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Protocol

from slave.commands.base import OutputSink
from slave.messages import Chunk, Piece

MAX_CHUNK = 1 << 20
"""The most bytes one chunk holds (the master accepts messages of up to 32 MiB)."""


class Streams(Protocol):
    """Where output comes from: a command's pipes (pipes.PipePair), or an SSH channel."""

    async def read_piece(self, limit: int) -> Piece:
        """The next piece of either stream in order of arrival, at most `limit` bytes;
        Piece(False, b"") once both streams ended."""
        ...


class _Pending:
    """One stream's bytes not sent yet, as the pieces they came in, and when the first of them
    came (loop time). Fast output comes in pieces as big as a chunk: each then goes on as it
    is, never copied into a buffer and out again."""

    def __init__(self, stderr: bool) -> None:
        self.stderr = stderr
        self.parts: deque[bytes] = deque()
        self.size = 0
        self.since = 0.0

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)

    def take(self, limit: int) -> bytes:
        """The first `limit` bytes (all, if fewer): a lone piece as it is, else joined once."""
        taken: list[bytes] = []
        size = 0
        while self.parts and size < limit:
            part = self.parts.popleft()
            room = limit - size
            if len(part) > room:
                self.parts.appendleft(part[room:])
                part = part[:room]
            taken.append(part)
            size += len(part)
        self.size -= size
        return taken[0] if len(taken) == 1 else b"".join(taken)


class OutputPump:
    def __init__(
        self,
        execution_id: int,
        streams: Streams,
        sink: OutputSink,
        flush_bytes: int,
        flush_interval: float,
        max_chunk: int = MAX_CHUNK,
    ) -> None:
        self.execution_id = execution_id
        self.chunks = 0
        """Chunks sent so far, i.e. the next seq."""
        self.cut_short = False
        """True when reading stopped at the drain deadline, before end of file."""
        self._streams = streams
        self._sink = sink
        self._flush_bytes = flush_bytes
        self._flush_interval = flush_interval
        self._max_chunk = max(max_chunk, flush_bytes)
        self._pending = (_Pending(False), _Pending(True))
        self._loop = asyncio.get_running_loop()
        self._stop_at: float | None = None
        self._exited: asyncio.Future[None] = self._loop.create_future()

    def main_exited(self, drain_timeout: float) -> None:
        """The main process is gone: read on until both streams end, but for `drain_timeout` s
        at most.

        Time spent waiting for outbox room does not count: backpressure must not lose output.
        """
        if not self._exited.done():
            self._stop_at = self._loop.time() + drain_timeout
            self._exited.set_result(None)

    async def run(self) -> None:
        read: asyncio.Future[Piece] | None = None
        try:
            while True:
                if read is None:
                    read = asyncio.ensure_future(self._streams.read_piece(self._max_chunk))
                waits: set[asyncio.Future[Any]] = {read}
                if not self._exited.done():
                    waits.add(self._exited)
                await asyncio.wait(
                    waits, timeout=self._timeout(), return_when=asyncio.FIRST_COMPLETED
                )
                if read.done():
                    piece = read.result()
                    read = None
                    if not piece.data:
                        break
                    await self._take(piece)
                await self._flush_due()
                if self._due(self._stop_at):
                    self.cut_short = True
                    break
        finally:
            if read is not None:
                read.cancel()
        if read is not None and read.done() and not read.cancelled():
            await self._take(read.result())  # came while the last flush waited: keep it
        for pending in self._oldest_first():
            await self._flush(pending)

    async def _take(self, piece: Piece) -> None:
        pending = self._pending[piece.stderr]
        if not piece.data:
            return
        other = self._pending[not piece.stderr]
        while other.size:  # the other stream's bytes came first: they go first, whole
            await self._send(other)
        if not pending.size:
            pending.since = self._loop.time()
        pending.add(piece.data)
        while pending.size >= self._flush_bytes:
            await self._flush(pending)

    async def _flush_due(self) -> None:
        for pending in self._oldest_first():
            if pending.size and self._due(pending.since + self._flush_interval):
                await self._flush(pending)

    async def _flush(self, pending: _Pending) -> None:
        """Send up to max_chunk bytes of `pending`, after the other stream's older bytes."""
        other = self._pending[not pending.stderr]
        if other.size and other.since < pending.since:
            await self._send(other)
        if pending.size:
            await self._send(pending)

    async def _send(self, pending: _Pending) -> None:
        data = pending.take(self._max_chunk)
        pending.since = self._loop.time()  # what is left came by now
        chunk = Chunk(self.execution_id, self.chunks, data, pending.stderr)
        self.chunks += 1
        began = self._loop.time()
        await self._sink.output(chunk)
        if self._stop_at is not None:
            self._stop_at += self._loop.time() - began

    def _oldest_first(self) -> list[_Pending]:
        return sorted((p for p in self._pending if p.size), key=lambda p: p.since)

    def _due(self, deadline: float | None) -> bool:
        return deadline is not None and self._loop.time() >= deadline

    def _timeout(self) -> float | None:
        deadlines = [p.since + self._flush_interval for p in self._pending if p.size]
        if self._stop_at is not None:
            deadlines.append(self._stop_at)
        return max(0.0, min(deadlines) - self._loop.time()) if deadlines else None
