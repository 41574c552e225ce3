"""An exec channel seen from the event loop, without a thread per channel.

paramiko's `Channel.fileno()` is a pipe that is readable while the channel holds stdout or
stderr data, or is closed: the loop watches it (only while someone wants to read, so a paused
reader leaves data in the channel and SSH flow control pauses the remote command). The exit
status arrives through paramiko's `status_event`, replaced by one that also wakes the loop.

stdout and stderr are read in the order their data arrived: the channel's two buffers are
replaced by ones that also note, in one shared list, which stream each piece of data went to
(paramiko's transport thread feeds them one SSH packet at a time). Reading takes data in that
order, so output is neither reordered nor held back behind the other stream (the SSH window
is shared: a reader waiting on one stream while the other fills would stall both).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from typing import Any

from paramiko.buffered_pipe import BufferedPipe

from slave.messages import Piece

_STDERR_LIMIT = 64 << 10  # the wrapper's own lines are short; anything past this is dropped
_READ = 1 << 16


class _LoopEvent(threading.Event):
    """A threading.Event whose set() also resolves a future on the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
        super().__init__()
        self._loop = loop
        self._future = future

    def set(self) -> None:
        super().set()
        try:
            self._loop.call_soon_threadsafe(_resolve, self._future)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Arrivals:
    """Which stream each piece of a channel's data went to, and its size, oldest first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: deque[tuple[bool, int]] = deque()


class _NotedPipe(BufferedPipe):
    """A channel buffer that notes each feed in the arrivals (under their lock, so the reader
    never sees bytes that are not noted yet)."""

    def __init__(self, arrivals: _Arrivals, stderr: bool) -> None:
        super().__init__()
        self._arrivals = arrivals
        self._stderr = stderr

    def feed(self, data: bytes) -> None:
        with self._arrivals.lock:
            super().feed(data)
            self._arrivals.entries.append((self._stderr, len(data)))


class ChannelReader:
    """Reads stdout and stderr in order of arrival (`read_piece`), or stdout alone (`read`,
    collecting stderr lines in `lines`), and tells when the remote command exited (`exited`).
    Attach it before exec_command, from the event loop's thread."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._loop = asyncio.get_running_loop()
        self.exited: asyncio.Future[None] = self._loop.create_future()
        """Done when the exit status arrived, or the channel closed without one."""
        self._arrivals = _Arrivals()
        channel.in_buffer = _NotedPipe(self._arrivals, stderr=False)
        channel.in_stderr_buffer = _NotedPipe(self._arrivals, stderr=True)
        channel.status_event = _LoopEvent(self._loop, self.exited)
        channel.settimeout(0.0)
        self._fd: int = channel.fileno()
        self._reading: tuple[bool, int] | None = None  # the arrival being read: stream, bytes left
        self._ahead: deque[Piece] = deque()  # read while looking for a stderr line
        self._stderr = bytearray()  # an incomplete stderr line
        self.lines: list[str] = []
        """Complete stderr lines read by `read`, `line` and `take_stderr`."""

    @property
    def exit_status(self) -> int | None:
        """The remote exit status; None while running or when the channel closed without one."""
        if not self._channel.status_event.is_set():
            return None
        status: int = self._channel.exit_status
        return None if status == -1 else status

    async def read_piece(self, limit: int) -> Piece:
        """The next piece of stdout or stderr in order of arrival, at most `limit` bytes;
        Piece(False, b"") once the channel ended and everything was read."""
        while True:
            ended = self._ended()  # first: once ended, every arrival is noted
            piece = self._take(limit)
            if piece is not None:
                return piece
            if ended:
                return Piece(False, b"")
            await self.readable()

    async def read(self, n: int = -1) -> bytes:
        """Up to n bytes of stdout (b"" at its end); takes stderr lines on the way."""
        while True:
            piece = await self.read_piece(n if n > 0 else _READ)
            if not piece.stderr:
                return piece.data
            self._add_stderr(piece.data)

    async def line(self, prefix: str) -> str | None:
        """The first stderr line starting with prefix (the prefix removed); None when the
        channel ended without one. What came meanwhile on stdout, and the rest of stderr after
        that line, is left for read_piece."""
        held: list[Piece] = []
        found: str | None = None
        while found is None:
            piece = await self.read_piece(_READ)
            if not piece.data:
                break
            if not piece.stderr:
                held.append(piece)
                continue
            found, rest = self._find_line(piece.data, prefix)
            if rest:
                held.append(Piece(True, rest))
        self._ahead.extendleft(reversed(held))
        return found

    async def readable(self, *also: asyncio.Future[Any]) -> None:
        """Wait until the channel has data or is closed (or one of `also` is done)."""
        ready: asyncio.Future[None] = self._loop.create_future()
        self._loop.add_reader(self._fd, _resolve, ready)
        try:
            await asyncio.wait({ready, *also}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._loop.remove_reader(self._fd)
            ready.cancel()

    def take_stderr(self) -> list[str]:
        """Collect the complete stderr lines that arrived so far; returns `lines`."""
        held: list[Piece] = []
        while (piece := self._take(_READ)) is not None:
            if piece.stderr:
                self._add_stderr(piece.data)
            else:
                held.append(piece)
        self._ahead.extend(held)
        return self.lines

    def close(self) -> None:
        """Stop watching and close the channel (the remote side sees EOF/close).

        paramiko's close() shuts the wake-up pipe while its transport thread may still be
        feeding data that arrived for the channel, and that feed writes to the pipe: EPIPE or
        EBADF there ends the transport, and with it every channel of the pooled connection. So
        the buffers get plain events first (swapped under the lock the feed holds)."""
        self._loop.remove_reader(self._fd)
        for buffer in (self._channel.in_buffer, self._channel.in_stderr_buffer):
            buffer.set_event(threading.Event())
        self._channel.close()

    def _ended(self) -> bool:
        return bool(self._channel.eof_received or self._channel.closed)

    def _take(self, limit: int) -> Piece | None:
        """The next piece without waiting; None when nothing has arrived unread."""
        if self._ahead:
            piece = self._ahead.popleft()
            if len(piece.data) > limit:
                self._ahead.appendleft(Piece(piece.stderr, piece.data[limit:]))
                piece = Piece(piece.stderr, piece.data[:limit])
            return piece
        while True:
            if self._reading is None:
                with self._arrivals.lock:
                    if not self._arrivals.entries:
                        return None
                    self._reading = self._arrivals.entries.popleft()
            stderr, left = self._reading
            data = self._recv(stderr, min(left, limit))
            left = left - len(data) if data else 0  # nothing: gone with the channel's close
            self._reading = (stderr, left) if left else None
            if data:
                return Piece(stderr, data)

    def _recv(self, stderr: bool, size: int) -> bytes:
        recv = self._channel.recv_stderr if stderr else self._channel.recv
        try:
            data: bytes = recv(size)
        except TimeoutError:  # socket.timeout: nothing buffered after all
            return b""
        return data

    def _find_line(self, data: bytes, prefix: str) -> tuple[str | None, bytes]:
        """Add stderr bytes to `lines` up to the first line starting with prefix: (that line
        without the prefix, the bytes after it), or (None, b"") when none is complete yet."""
        self._stderr += data
        while (end := self._stderr.find(b"\n")) >= 0:
            text = self._stderr[:end].decode(errors="replace")
            del self._stderr[: end + 1]
            self.lines.append(text)
            if text.startswith(prefix):
                rest = bytes(self._stderr)
                self._stderr.clear()
                return text.removeprefix(prefix), rest
        del self._stderr[_STDERR_LIMIT:]
        return None, b""

    def _add_stderr(self, data: bytes) -> None:
        if len(self._stderr) < _STDERR_LIMIT:
            self._stderr += data
        *complete, rest = self._stderr.split(b"\n")
        self.lines += [line.decode(errors="replace") for line in complete]
        self._stderr = bytearray(rest)
