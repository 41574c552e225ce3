"""Open one session on a leased connection: an exec channel read from the event loop, or an
SFTP client (for copies).

A pooled connection can turn out dead (the node rebooted) or full (the server allows fewer
sessions per connection than we assumed); then the command is tried again (ATTEMPTS in all)
on another connection. That is safe: the run wrapper checks the script's length before
running it, so a session that broke while the script was being sent runs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import paramiko

from slave.ssh.channel import ChannelReader
from slave.ssh.errors import SshError
from slave.ssh.pool import Lease, SshPool

logger = logging.getLogger(__name__)

ATTEMPTS = 3
T = TypeVar("T")


class _Retry(Exception):
    def __init__(self, error: SshError, dead: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.dead = dead


async def start_command(
    pool: SshPool, lease: Lease, line: str, stdin: bytes = b""
) -> ChannelReader:
    """Run `line` on the lease's connection with `stdin` (then EOF); SshError if it cannot."""
    return await _retrying(lease, lambda: _start_once(pool, lease, line, stdin))


async def open_sftp(pool: SshPool, lease: Lease, io_timeout: float) -> Any:
    """A paramiko.SFTPClient on the lease's connection; a blocking call on it gives up after
    `io_timeout` s without an answer. SshError if the server will not start one."""
    return await _retrying(lease, lambda: _sftp_once(pool, lease, io_timeout))


async def _retrying(lease: Lease, once: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await once()
        except _Retry as retry:
            if attempt == ATTEMPTS:
                raise retry.error from None
            logger.info("exec %d: %s; trying another connection", lease.execution_id, retry.error)
            await lease.renew(retry.dead)
    raise AssertionError("unreachable")


async def _start_once(pool: SshPool, lease: Lease, line: str, stdin: bytes) -> ChannelReader:
    timeout = lease.target.connect_timeout
    began = time.monotonic()
    try:
        channel = await pool.call(lease.transport.open_session, None, None, timeout)
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise _failure(lease, exc, time.monotonic() - began) from None
    lease.opened()
    reader = ChannelReader(channel)
    try:
        async with asyncio.timeout(timeout):
            await pool.call(_exec, channel, line, stdin)
    except TimeoutError:
        reader.close()
        raise _failure(lease, TimeoutError(), timeout) from None
    except (paramiko.SSHException, EOFError, OSError) as exc:
        reader.close()
        raise _failure(lease, exc, time.monotonic() - began) from None
    return reader


async def _sftp_once(pool: SshPool, lease: Lease, io_timeout: float) -> Any:
    timeout = lease.target.connect_timeout
    began = time.monotonic()
    try:
        channel = await pool.call(lease.transport.open_session, None, None, timeout)
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise _failure(lease, exc, time.monotonic() - began) from None
    lease.opened()
    try:
        return await pool.call(_sftp_client, channel, timeout, io_timeout)
    except (paramiko.SSHException, EOFError, OSError):
        await pool.call(channel.close)
        if not lease.transport.is_active():
            raise _Retry(SshError(lease.target, "connection lost"), dead=True) from None
        raise SshError(lease.target, "the server would not start SFTP") from None


def _sftp_client(channel: Any, timeout: float, io_timeout: float) -> Any:
    channel.settimeout(timeout)
    channel.invoke_subsystem("sftp")
    client = paramiko.SFTPClient(channel)
    channel.settimeout(io_timeout)
    return client


def _failure(lease: Lease, exc: Exception, took: float) -> _Retry:
    """Why a session failed, and whether its connection is dead (else: the server is full).

    paramiko keeps one "last error" per connection, so of several sessions refused at once
    only one sees the ChannelException; the others see a bare SSHException."""
    target, timeout = lease.target, lease.target.connect_timeout
    if took >= timeout:
        return _Retry(SshError(target, f"no answer within {timeout:g} s"), dead=True)
    if not lease.transport.is_active():
        return _Retry(SshError(target, "connection lost"), dead=True)
    why = exc.text if isinstance(exc, paramiko.ChannelException) else "no reason given"
    return _Retry(SshError(target, f"session refused ({why})"), dead=False)


def _exec(channel: Any, line: str, stdin: bytes) -> None:
    channel.exec_command(line)
    if stdin:
        channel.sendall(stdin)
    channel.shutdown_write()
