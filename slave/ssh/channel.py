"""An exec channel seen from the event loop, without a thread per channel.

paramiko's `Channel.fileno()` is a pipe that is readable while the channel holds stdout or
stderr data, or is closed: the loop watches it (only while someone wants to read, so a paused
reader leaves data in the channel and SSH flow control pauses the remote command). The exit
status arrives through paramiko's `status_event`, replaced by one that also wakes the loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

_STDERR_LIMIT = 64 << 10  # the wrapper's own lines are short; anything past this is dropped


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


class ChannelReader:
    """Reads stdout (`read`), collects stderr lines (`lines`), and tells when the remote
    command exited (`exited`). Attach it before exec_command, from the event loop's thread."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._loop = asyncio.get_running_loop()
        self.exited: asyncio.Future[None] = self._loop.create_future()
        """Done when the exit status arrived, or the channel closed without one."""
        channel.status_event = _LoopEvent(self._loop, self.exited)
        channel.settimeout(0.0)
        self._fd: int = channel.fileno()
        self._stdout = bytearray()  # read ahead while waiting for a stderr line
        self._stderr = bytearray()
        self.lines: list[str] = []
        """Complete stderr lines so far."""

    @property
    def exit_status(self) -> int | None:
        """The remote exit status; None while running or when the channel closed without one."""
        if not self._channel.status_event.is_set():
            return None
        status: int = self._channel.exit_status
        return None if status == -1 else status

    async def read(self, n: int = -1) -> bytes:
        """Up to n bytes of stdout (b"" at its end); takes stderr lines on the way."""
        while True:
            self._take_stderr()
            if self._stdout:
                return self._pop(n)
            try:
                data: bytes = self._channel.recv(n if n > 0 else 1 << 16)
            except TimeoutError:  # socket.timeout: nothing buffered yet
                await self.readable()
                continue
            return data

    async def line(self, prefix: str) -> str | None:
        """The first stderr line starting with prefix (the prefix removed); None when the
        channel ended without one. Stdout read meanwhile is kept for read()."""
        while True:
            self._take_stderr()
            found = next((x for x in self.lines if x.startswith(prefix)), None)
            if found is not None:
                return found.removeprefix(prefix)
            if not self._stash_stdout() and self._ended():
                return None
            if not self._channel.recv_ready() and not self._channel.recv_stderr_ready():
                await self.readable()

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
        self._take_stderr()
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

    def _pop(self, n: int) -> bytes:
        size = len(self._stdout) if n < 0 else min(n, len(self._stdout))
        data = bytes(self._stdout[:size])
        del self._stdout[:size]
        return data

    def _stash_stdout(self) -> bool:
        """Move buffered stdout into our read-ahead; True if there was any."""
        took = False
        while self._channel.recv_ready():
            self._stdout += self._channel.recv(1 << 16)
            took = True
        return took

    def _take_stderr(self) -> None:
        while self._channel.recv_stderr_ready():
            data = self._channel.recv_stderr(1 << 16)
            if len(self._stderr) < _STDERR_LIMIT:
                self._stderr += data
        *complete, rest = self._stderr.split(b"\n")
        self.lines += [line.decode(errors="replace") for line in complete]
        self._stderr = bytearray(rest)
