"""A script's process group on a node, ended over a new session on a pooled connection.

The kill runs on the node itself (remote.kill_line): SIGTERM to the group, wait for its last
running member, SIGKILL after the grace. Kills take no session slot: they must never wait
behind the runs they end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from slave.messages import SshTarget
from slave.ssh import remote
from slave.ssh.errors import SshError
from slave.ssh.pool import SshPool
from slave.ssh.session import start_command

logger = logging.getLogger(__name__)

ABANDON_TIMEOUT = 3.0
"""How long a last-resort SIGKILL (the slave cancelling a run) may take."""


@dataclass(frozen=True)
class RemoteGroup:
    pool: SshPool
    target: SshTarget
    execution_id: int
    pgid: int

    async def end(self, grace: float, why: str) -> None:
        """SIGTERM, SIGKILL after `grace` s if anything still runs; failures are logged."""
        eid, where, pgid = self.execution_id, self.target.label, self.pgid
        logger.info("exec %d: %s: %s; SIGTERM to remote process group %d", eid, where, why, pgid)
        try:
            sigkilled = await self._signal(grace, "TERM")
        except SshError as exc:
            logger.error("exec %d: cannot end remote process group %d: %s", eid, pgid, exc)
            return
        if sigkilled:
            logger.warning(
                "exec %d: %s: remote process group %d still there %g s after SIGTERM; sent SIGKILL",
                eid,
                where,
                pgid,
                grace,
            )

    async def kill_now(self) -> None:
        """SIGKILL at once, best effort and bounded (for a run being cancelled)."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(ABANDON_TIMEOUT):
                await self._signal(0.0, "KILL")

    async def _signal(self, grace: float, signal: str) -> bool:
        """Run the kill line in a new session; True when it had to SIGKILL."""
        lease = await self.pool.lease(self.target, self.execution_id)
        line = remote.kill_line(self.pgid, grace, signal)
        output = bytearray()
        try:
            reader = await start_command(self.pool, lease, line)
            try:
                async with asyncio.timeout(grace + self.target.connect_timeout):
                    while data := await reader.read(1 << 10):
                        output += data
            finally:
                reader.close()
        except TimeoutError:
            raise SshError(self.target, "the kill did not finish in time") from None
        finally:
            lease.release()
        return remote.SIGKILL_MARK.encode() in output
