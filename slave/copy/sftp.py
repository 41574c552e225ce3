"""A machine reached over SSH as a copy's end: one SFTP session on a pooled connection (stat,
and a place's pipelined writes), exec sessions for reading (`cat` a file, `tar` a directory)
and for `chown` (sessions of their own on the pool). paramiko's blocking calls run in the
pool's threads; exec channels are read on the event loop.

Why `cat` and not SFTP to read a file: paramiko's SFTP reads either prefetch without bound
(the whole file may pile up in memory) or throttle themselves with a 10 ms sleep loop; here
they moved 85-130 MB/s bounded, 200-240 unbounded, while `cat` on an exec channel moved
470-560 MB/s with at most one 2 MiB channel window buffered."""

from __future__ import annotations

import asyncio
import contextlib
import stat
from collections.abc import Callable
from typing import Any, TypeVar

import paramiko

from slave.copy import lines
from slave.copy.errors import CopyError, at
from slave.copy.machine import CHUNK, Destination, Source
from slave.copy.sftpplace import SftpDestination
from slave.copy.threads import whole
from slave.copy.verify import Received
from slave.messages import PlaceRequest, SshTarget
from slave.ssh.channel import ChannelReader
from slave.ssh.errors import SshError
from slave.ssh.pool import Lease, SshPool
from slave.ssh.session import open_sftp, start_command

T = TypeVar("T")

IO_TIMEOUT = 60.0
"""A node that answers no SFTP request or sends no tar data for this long is given up."""


class SshMachine:
    """connect() first, close() at the end."""

    def __init__(self, pool: SshPool, target: SshTarget, execution_id: int) -> None:
        self.name = target.node or target.host
        self.target = target
        self.execution_id = execution_id
        self.pool = pool
        self._lease: Lease | None = None
        self._sftp: Any = None

    @property
    def sftp(self) -> Any:
        assert self._sftp is not None, "not connected"
        return self._sftp

    def where(self, path: str) -> str:
        return f"{self.name}:{path}"

    async def connect(self) -> None:
        self._lease = await self.pool.lease(self.target, self.execution_id)
        self._sftp = await open_sftp(self.pool, self._lease, IO_TIMEOUT)

    async def close(self) -> None:
        if self._sftp is not None:
            with contextlib.suppress(Exception):
                await whole(self.pool.call(self._sftp.close))
        if self._lease is not None:
            self._lease.release()

    async def call(self, blocking: Callable[..., T], *args: Any) -> T:
        """Run a blocking paramiko step in the pool's threads; a lost or silent connection
        becomes an SshError naming the node."""
        try:
            return await whole(self.pool.call(blocking, *args))
        except TimeoutError:
            raise SshError(self.target, f"no answer within {IO_TIMEOUT:g} s") from None
        except (paramiko.SSHException, EOFError, ConnectionError):
            raise SshError(self.target, "connection lost during the copy") from None

    async def source(self, path: str) -> Source:
        info = await self.call(self._stat, path)
        if stat.S_ISDIR(info.st_mode or 0):
            return await RemoteStream.start(self, path, None)
        if not stat.S_ISREG(info.st_mode or 0):
            raise CopyError(f"not a regular file or a directory: {self.where(path)}")
        return await RemoteStream.start(self, path, info.st_size or 0)

    async def destination(self, request: PlaceRequest, received: Received) -> Destination:
        return await SftpDestination.open(self, request, received)

    async def run(self, line: str, what: str) -> None:
        """Run a short command in a session of its own; CopyError with its complaint unless
        it exits 0."""
        lease = await self.pool.lease(self.target, self.execution_id)
        try:
            reader = await start_command(self.pool, lease, line)
            try:
                while await reader.read(CHUNK):
                    pass
                await asyncio.shield(reader.exited)
            finally:
                reader.close()
        finally:
            lease.release()
        if reader.exit_status != 0:
            raise CopyError(f"{what} failed on {self.name}: {_complaint(reader)}")

    def _stat(self, path: str) -> Any:
        with at(self.where(path)):
            return self.sftp.stat(path)


class RemoteStream:
    """A Source: a command's stdout on the node (`cat` for a file, `tar -C DIR -cf - .` for a
    directory), read from its exec channel on the event loop. Channel flow control bounds what
    is buffered; its exit status is checked at the end."""

    def __init__(
        self, machine: SshMachine, lease: Lease, reader: ChannelReader, path: str, size: int | None
    ) -> None:
        self.is_dir = size is None
        self.size = size
        self._machine = machine
        self._lease = lease
        self._reader = reader
        self._path = path

    @classmethod
    async def start(cls, machine: SshMachine, path: str, size: int | None) -> RemoteStream:
        line = lines.tar_create(path) if size is None else lines.cat(path)
        lease = await machine.pool.lease(machine.target, machine.execution_id)
        try:
            reader = await start_command(machine.pool, lease, line)
        except BaseException:
            lease.release()
            raise
        return cls(machine, lease, reader, path, size)

    async def read(self) -> bytes:
        try:
            async with asyncio.timeout(IO_TIMEOUT):
                data = await self._reader.read(CHUNK)
                if not data:
                    await asyncio.shield(self._reader.exited)
        except TimeoutError:
            what = "the node sent nothing"
            raise SshError(self._machine.target, f"{what} for {IO_TIMEOUT:g} s") from None
        if not data and self._reader.exit_status != 0:
            tool = "tar" if self.is_dir else "cat"
            where = self._machine.where(self._path)
            raise CopyError(f"{tool} failed on {where}: {_complaint(self._reader)}")
        return data

    async def close(self) -> None:
        self._reader.close()  # the command gets EOF/SIGPIPE if it is still writing
        self._lease.release()


def _complaint(reader: ChannelReader) -> str:
    """The command's last stderr line, or its exit status."""
    said = [line for line in reader.take_stderr() if line.strip()]
    if said:
        return said[-1]
    if reader.exit_status is None:
        return "connection lost"
    return f"exit status {reader.exit_status}"
