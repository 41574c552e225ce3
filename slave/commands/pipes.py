"""A command's stdout and stderr pipes read as one sequence of pieces, in order of arrival.

Each pipe gets a protocol of its own that appends what it reads to one shared queue, so the
order is the order in which the event loop saw the bytes (a StreamReader per pipe would lose
it: two pending reads finish in no particular order). Past `limit` bytes queued, both pipes
stop being read until the pump takes some: a slow master pauses the command, as a full
terminal would.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections import deque
from functools import partial

from slave.messages import Piece

PIPE_CAPACITY = 256 << 10
"""What an output pipe holds (Linux: 64 KiB unless asked), as much as asyncio reads at once: a
command writing fast blocks (and wakes the slave) a quarter as often. Measured with 100 MB
written in 1 KiB lines: 64 KiB 240-280 MB/s read, 256 KiB 360-470, 1 MiB 150-300."""


def output_pipe() -> tuple[int, int]:
    """(read end, write end) of a pipe for a command's stdout or stderr."""
    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_CAPACITY)
    return read_end, write_end


class _Pipe(asyncio.Protocol):
    def __init__(self, pair: PipePair, stderr: bool) -> None:
        self._pair = pair
        self._stderr = stderr

    def data_received(self, data: bytes) -> None:
        self._pair.arrived(Piece(self._stderr, data))

    def eof_received(self) -> None:
        self._pair.ended(self._stderr)

    def connection_lost(self, exc: Exception | None) -> None:
        self._pair.ended(self._stderr)


class PipePair:
    """stdout and stderr of one command; `read_piece` gives what came, as it came."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._pieces: deque[Piece] = deque()
        self._size = 0
        self._open = {False, True}
        self._transports: list[asyncio.ReadTransport] = []
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    @classmethod
    async def connect(cls, stdout_fd: int, stderr_fd: int, limit: int) -> PipePair:
        """Read both fds (owned from now on: closed by `close`, or here if this fails)."""
        pair = cls(limit)
        loop = asyncio.get_running_loop()
        files = [os.fdopen(fd, "rb", buffering=0) for fd in (stdout_fd, stderr_fd)]
        try:
            for stderr, pipe in zip((False, True), files, strict=True):
                transport, _ = await loop.connect_read_pipe(partial(_Pipe, pair, stderr), pipe)
                pair._transports.append(transport)
        except BaseException:
            pair.close()
            for pipe in files[len(pair._transports) :]:
                pipe.close()
            raise
        return pair

    async def read_piece(self, limit: int) -> Piece:
        """The oldest unread piece (at most `limit` bytes of it); Piece(False, b"") once both
        pipes are at end of file and everything was read."""
        while not self._pieces and self._open:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if not self._pieces:
            return Piece(False, b"")
        piece = self._joined(limit)
        if len(piece.data) > limit:
            self._pieces.appendleft(Piece(piece.stderr, piece.data[limit:]))
            piece = Piece(piece.stderr, piece.data[:limit])
        self._size -= len(piece.data)
        if self._paused and self._size <= self._limit:
            self._pause(False)
        return piece

    def _joined(self, limit: int) -> Piece:
        """The oldest piece and those of the same stream queued right behind it, as one piece
        of at most `limit` bytes (unless the first alone is longer): fast output travels in
        big chunks, one per drain of the queue, and no piece waits for another to come."""
        first = self._pieces.popleft()
        parts, size = [first.data], len(first.data)
        while self._pieces and self._pieces[0].stderr == first.stderr:
            more = len(self._pieces[0].data)
            if size + more > limit:
                break
            parts.append(self._pieces.popleft().data)
            size += more
        return first if len(parts) == 1 else Piece(first.stderr, b"".join(parts))

    def close(self) -> None:
        """Stop reading (a child still holding a pipe gets EPIPE)."""
        for transport in self._transports:
            transport.close()

    def arrived(self, piece: Piece) -> None:
        self._pieces.append(piece)
        self._size += len(piece.data)
        if not self._paused and self._size > 2 * self._limit:
            self._pause(True)
        self._wake()

    def ended(self, stderr: bool) -> None:
        self._open.discard(stderr)
        self._wake()

    def _pause(self, paused: bool) -> None:
        self._paused = paused
        for transport in self._transports:
            if transport.is_closing():
                continue
            if paused:
                transport.pause_reading()
            else:
                transport.resume_reading()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
