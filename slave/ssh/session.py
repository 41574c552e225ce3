"""Start one command on a leased connection: an exec channel, read from the event loop.

A pooled connection can turn out dead (the node rebooted) or full (the server allows fewer
sessions per connection than we assumed); then the command is tried again (ATTEMPTS in all)
on another connection. That is safe: the run wrapper checks the script's length before
running it, so a session that broke while the script was being sent runs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import paramiko

from slave.ssh.channel import ChannelReader
from slave.ssh.errors import SshError
from slave.ssh.pool import Lease, SshPool

logger = logging.getLogger(__name__)

ATTEMPTS = 3


class _Retry(Exception):
    def __init__(self, error: SshError, dead: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.dead = dead


async def start_command(
    pool: SshPool, lease: Lease, line: str, stdin: bytes = b""
) -> ChannelReader:
    """Run `line` on the lease's connection with `stdin` (then EOF); SshError if it cannot."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await _start_once(pool, lease, line, stdin)
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
