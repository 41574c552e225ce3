"""An exec channel closed while the node still writes to it: the pooled connection under it
must survive.

paramiko's transport thread, as data arrives for an empty buffer, writes a byte to the
channel's wake-up pipe (the fd the event loop watches); a close that shuts that pipe in the
same moment made the write fail (EPIPE or EBADF), which ends the transport and every channel on
it. The moment is a few microseconds wide; here the pipe's write is slowed down so that the
closes land in it."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest
from paramiko import pipe

from slave.commands.base import CommandSettings
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from slave.ssh.session import start_command
from tests.sshd import SshServer

ROUNDS = 20
TRICKLE = "while :; do echo x; sleep 0.001; done"  # the buffer empties between writes


def slow_set(self: Any) -> None:
    """PosixPipe.set with a 5 ms gap between its check and its write (the race, widened)."""
    if self._set or self._closed:
        return
    self._set = True
    time.sleep(0.005)
    os.write(self._wfd, b"*")


def test_closing_a_channel_mid_output_leaves_its_connection_usable(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipe.PosixPipe, "set", slow_set)

    async def scenario() -> int:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            lease = await pool.lease(sshd.target("a"), 1)
            try:
                for done in range(ROUNDS):
                    reader = await start_command(pool, lease, TRICKLE)
                    assert await asyncio.wait_for(reader.read(1 << 16), 5)
                    await asyncio.sleep(0.003)  # a write to the pipe is under way by now
                    reader.close()
                    if not lease.transport.is_active():
                        return done
                return ROUNDS
            finally:
                lease.release()

    assert asyncio.run(scenario()) == ROUNDS
