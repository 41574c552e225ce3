"""A login shell in a pty on a machine reached over SSH from this slave (the commands' pool,
connect code and host-key policy).

The remote termios is not visible from here, so the shell starts behind one line that names
its pty (as an OSC sequence, removed from the output before anyone sees it); the echo state is
then asked with `stty -F <pty> -a` on a second channel of the same connection when a line
starts. When the pty is not known, or the question gets no answer, the state is UNKNOWN and the
line is hidden. Closing the channel makes sshd hang up the remote pty (SIGHUP to the session).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from typing import Any

import paramiko

from slave.messages import SshTarget
from slave.ssh.channel import ChannelReader
from slave.ssh.errors import SshError
from slave.ssh.pool import Lease, SshPool
from slave.ssh.session import start_command
from slave.terminal.lines import Echo
from slave.terminal.shell import CHUNK, ShellError

logger = logging.getLogger(__name__)

ASK_TIMEOUT = 2.0
"""Seconds the echo state may take to come back; past it the line is hidden."""
_HEAD_LIMIT = 4096
_TTY = re.compile(rb"^/dev/pts/\d+$")


def opening_line(nonce: str) -> str:
    """What the channel runs: name the pty, then become the account's login shell."""
    return f'printf \'\\033]{nonce};%s\\007\' "$(tty)"; exec "${{SHELL:-/bin/sh}}" -l'


def split_head(data: bytes, nonce: str) -> tuple[bytes | None, bytes] | None:
    """(the pty's name, the output after it) once the opening line is complete in `data`;
    None while it may still be coming. The name is None when the output does not start
    with it."""
    start = f"\x1b]{nonce};".encode()
    if not data.startswith(start[: len(data)]):
        return None, data
    end = data.find(b"\x07", len(start))
    if end < 0:
        return None if len(data) < _HEAD_LIMIT else (None, data)
    name = data[len(start) : end].strip()
    return (name if _TTY.match(name) else None), data[end + 1 :]


def echo_from_stty(text: str) -> Echo:
    """The state `stty -a` prints (its lflags: `icanon`/`-icanon`, `echo`/`-echo`)."""
    words = set(text.split())
    if "-icanon" in words:
        return Echo.RAW
    if "icanon" not in words:
        return Echo.UNKNOWN
    if "-echo" in words:
        return Echo.HIDDEN
    return Echo.ON if "echo" in words else Echo.UNKNOWN


class RemoteShell:
    pid = 0
    echo_each_chunk = False  # asking costs a round trip: once per line

    def __init__(self, pool: SshPool, lease: Lease, channel: Any, reader: ChannelReader) -> None:
        self._pool = pool
        self._lease = lease
        self._channel = channel
        self._reader = reader
        self._tty: bytes | None = None
        self._head: bytes | None = b""  # output held until the opening line is read
        self._nonce = ""
        self._ended = False
        self._head_read = asyncio.Event()  # the opening line is read (or is not coming)

    @classmethod
    async def open(
        cls, pool: SshPool, target: SshTarget, term: str, cols: int, rows: int
    ) -> RemoteShell:
        try:
            lease = await pool.lease(target, 0)
        except SshError as exc:
            raise ShellError(str(exc)) from None
        try:
            channel = await pool.call(lease.transport.open_session, None, None, 10.0)
        except (paramiko.SSHException, EOFError, OSError):
            lease.release()
            raise ShellError(f"{target.label}: the server refused a session") from None
        lease.opened()
        reader = ChannelReader(channel)
        shell = cls(pool, lease, channel, reader)
        shell._nonce = f"jobfleet-{secrets.token_hex(8)}"
        try:
            await pool.call(_start, channel, term, cols, rows, opening_line(shell._nonce))
        except (paramiko.SSHException, EOFError, OSError):
            await shell.hang_up()
            raise ShellError(f"{target.label}: the server refused a terminal") from None
        return shell

    async def read(self) -> bytes:
        while True:
            piece = await self._reader.read_piece(CHUNK)
            if not piece.data:  # the exit status comes with the channel's end, or just after
                self._head_read.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._reader.exited), 2.0)
                return b""
            if self._head is None:
                return piece.data
            self._head += piece.data
            split = split_head(self._head, self._nonce)
            if split is not None:
                self._tty, rest = split
                self._head = None
                self._head_read.set()
                if rest:
                    return rest

    async def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            await self._pool.call(_send_all, self._channel, data)

    async def resize(self, cols: int, rows: int) -> None:
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            await self._pool.call(self._channel.resize_pty, cols or 80, rows or 24)

    async def echo(self) -> Echo:
        try:
            async with asyncio.timeout(ASK_TIMEOUT):
                await self._head_read.wait()  # keys typed at once wait for the pty's name
                if self._tty is None:
                    return Echo.UNKNOWN
                return echo_from_stty(await self._ask(f"stty -F {self._tty.decode()} -a"))
        except (TimeoutError, SshError, OSError):
            return Echo.UNKNOWN

    async def _ask(self, line: str) -> str:
        reader = await start_command(self._pool, self._lease, line)
        try:
            out = bytearray()
            while chunk := await reader.read():
                out += chunk
            return out.decode("utf-8", "replace")
        finally:
            reader.close()

    def exit_code(self) -> int:
        status = self._reader.exit_status
        return -1 if status is None else status

    async def hang_up(self) -> None:
        if self._ended:
            return
        self._ended = True
        self._reader.close()
        with contextlib.suppress(Exception):
            await self._pool.call(self._channel.close)
        self._lease.release()


def _start(channel: Any, term: str, cols: int, rows: int, line: str) -> None:
    channel.settimeout(10.0)
    channel.get_pty(term or "xterm-256color", cols or 80, rows or 24)
    channel.exec_command(line)
    channel.settimeout(0.0)


def _send_all(channel: Any, data: bytes) -> None:
    """Send it all, waiting while the remote window is full (the channel is non-blocking
    for the reader's sake)."""
    view = memoryview(data)
    while view and not channel.closed:
        try:
            view = view[channel.send(view) :]
        except TimeoutError:
            time.sleep(0.01)
