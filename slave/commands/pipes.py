"""A command's stdout and stderr pipes read as one sequence of pieces, in order of arrival.

Each pipe's reader (a callback of the event loop's selector) appends what it reads to one
shared queue, so the order is the order in which the event loop saw the bytes (a StreamReader
per pipe would lose it: two pending reads finish in no particular order). Past `limit` bytes
queued, both pipes stop being read until the pump takes some: a slow master pauses the
command, as a full terminal would.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections import deque

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


READ_SIZE = PIPE_CAPACITY
"""The most one read takes (a full pipe at once)."""


class PipePair:
    """stdout and stderr of one command; `read_piece` gives what came, as it came.

    Each descriptor is read straight from the event loop's selector (add_reader + os.read):
    a transport and a protocol per pipe cost more than the reading itself for a short run."""

    def __init__(self, limit: int, stdout_fd: int, stderr_fd: int) -> None:
        self._limit = limit
        self._loop = asyncio.get_running_loop()
        self._fds = {False: stdout_fd, True: stderr_fd}
        """The descriptors still open, by stream (True = stderr)."""
        self._pieces: deque[Piece] = deque()
        self._size = 0
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    @classmethod
    async def connect(cls, stdout_fd: int, stderr_fd: int, limit: int) -> PipePair:
        """Read both fds (owned from now on: closed by `close` or at end of file, or here if
        this fails)."""
        pair = cls(limit, stdout_fd, stderr_fd)
        try:
            for stderr, fd in pair._fds.items():
                os.set_blocking(fd, False)
                pair._loop.add_reader(fd, pair._readable, stderr)
        except BaseException:
            pair.close()
            raise
        return pair

    def _readable(self, stderr: bool) -> None:
        fd = self._fds.get(stderr)
        if fd is None:
            return
        try:
            data = os.read(fd, READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""  # a broken pipe ends the stream, as end of file does
        if data:
            self.arrived(Piece(stderr, data))
        else:
            self._close_fd(stderr)
            self.ended(stderr)

    def _close_fd(self, stderr: bool) -> None:
        fd = self._fds.pop(stderr, None)
        if fd is not None:
            self._loop.remove_reader(fd)
            os.close(fd)

    async def read_piece(self, limit: int) -> Piece:
        """The oldest unread piece (at most `limit` bytes of it); Piece(False, b"") once both
        pipes are at end of file and everything was read."""
        while not self._pieces and self._fds:
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
        for stderr in list(self._fds):
            self._close_fd(stderr)
        self._wake()

    def arrived(self, piece: Piece) -> None:
        self._pieces.append(piece)
        self._size += len(piece.data)
        if not self._paused and self._size > 2 * self._limit:
            self._pause(True)
        self._wake()

    def ended(self, stderr: bool) -> None:
        self._wake()

    def _pause(self, paused: bool) -> None:
        self._paused = paused
        for stderr, fd in self._fds.items():
            if paused:
                self._loop.remove_reader(fd)
            else:
                self._loop.add_reader(fd, self._readable, stderr)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
