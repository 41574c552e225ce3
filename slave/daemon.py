"""The slave daemon: the composition root of the attach link, the executions and the outbox.

Lifecycle (CONVENTIONS 17): `await run()` works until `shutdown()`. A warm shutdown stops
taking runs, waits up to `shutdown_grace` for running executions (then kills them), and up to
`flush_timeout` for the master to ack what is unacked. A forced one kills the process groups
and leaves without waiting for acks. `async with Slave(config) as slave:` runs it in the
background and shuts it down (warm) on exit.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import tempfile
from collections.abc import Awaitable
from pathlib import Path
from types import TracebackType
from typing import Any

from slave import __version__
from slave.attach import Link
from slave.commands.base import CommandSettings
from slave.commands.cgroups import CgroupRoot, CgroupsUnavailable
from slave.commands.scope import Scope, default_accounts
from slave.commands.warm import WarmRoot
from slave.config import SlaveConfig
from slave.executions import Executions
from slave.files import MasterFiles
from slave.host import local_addresses
from slave.identity import Credentials
from slave.messages import Hello, Welcome
from slave.outbox import Outbox
from slave.ssh.hostkeys import KnownHosts, default_known_hosts
from slave.ssh.pool import SshPool
from slave.terminal.service import Terminals

logger = logging.getLogger(__name__)


class Slave:
    """A slave daemon; the module docstring describes its lifecycle."""

    def __init__(self, config: SlaveConfig) -> None:
        self.config = config
        self.outbox = Outbox(config.max_unacked_bytes)
        self.work_dir: Path | None = None
        """Where scripts are written, once run() has started."""
        self._link: Link | None = None
        self._executions: Executions | None = None
        self._attached = asyncio.Event()
        self._stop = asyncio.Event()
        self._force = asyncio.Event()
        self._done = asyncio.Event()
        self._started = False
        self._background: asyncio.Task[None] | None = None
        self._credentials = Credentials(config.state_dir, config.name)

    @property
    def attached(self) -> bool:
        """True while a stream to the master is up and welcomed."""
        return self._attached.is_set()

    async def wait_attached(self) -> None:
        await self._attached.wait()

    async def run(self) -> None:
        if self._started:
            raise RuntimeError("Slave.run() can be called once")
        self._started = True
        if self._stop.is_set():  # shut down before it ran
            self._done.set()
            return
        work_dir, owned = _work_dir(self.config.work_dir)
        self.work_dir = work_dir
        try:
            await self._run(work_dir)
        finally:
            if owned:
                shutil.rmtree(work_dir, ignore_errors=True)
            self._done.set()
            logger.info("slave %s stopped", self.config.name)

    async def shutdown(self, force: bool = False) -> None:
        """Stop (idempotent; a later force=True escalates); returns once run() is over."""
        self._stop.set()
        if force:
            self._force.set()
        if self._started:
            await self._done.wait()

    async def __aenter__(self) -> Slave:
        self._background = asyncio.create_task(self.run())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown(force=exc is not None)
        if self._background is not None:
            await self._background

    async def _run(self, work_dir: Path) -> None:
        settings = CommandSettings(
            work_dir=work_dir,
            kill_grace=self.config.kill_grace,
            flush_bytes=self.config.flush_bytes,
            flush_interval=self.config.flush_interval,
            drain_timeout=self.config.drain_timeout,
            slave_name=self.config.name,
            scope=Scope(default_accounts(self.config.run_as), self.config.projects),
        )
        logger.info("slave %s %s", self.config.name, settings.scope.describe())
        ssh = self._ssh_pool()
        files = MasterFiles(self._credentials.metadata)
        cgroups = self._cgroups()
        executions = Executions(self.outbox, settings, self.config.name, ssh, files, cgroups)
        self._executions = executions
        terminals = Terminals(settings, files, ssh, cgroups)
        self._link = Link(
            self.config,
            self.outbox,
            executions,
            self._hello,
            self._attached,
            files,
            on_welcome=self._welcomed,
            terminals=terminals.handle,
        )
        link = asyncio.create_task(self._link.run(), name="link")
        stop = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({link, stop}, return_when=asyncio.FIRST_COMPLETED)
            if link.done():
                link.result()  # the link only ends by a bug: let it surface
            await self._drain(executions)
        finally:
            for task in (link, stop):
                task.cancel()
            await asyncio.gather(link, stop, return_exceptions=True)
            await executions.cancel_all()
            await terminals.close()
            await ssh.close()
            if cgroups is not None:
                await cgroups.close()

    def _cgroups(self) -> CgroupRoot | None:
        """The containment runs get, said once: a cgroup each, or process group + run mark."""
        if self.config.cgroups == "off":
            why = "--cgroups off"
        else:
            try:
                cgroups = WarmRoot.open()
            except CgroupsUnavailable as exc:
                why = str(exc)
            else:
                name, path = self.config.name, cgroups.path
                logger.info("slave %s: runs are contained in cgroup v2 at %s", name, path)
                cgroups.warm.refill()
                return cgroups
        logger.info(
            "slave %s: runs are contained by process groups + run mark (no cgroups: %s)",
            self.config.name,
            why,
        )
        return None

    def _ssh_pool(self) -> SshPool:
        known_hosts = self.config.ssh_known_hosts or default_known_hosts()
        return SshPool(
            KnownHosts(known_hosts),
            default_policy=self.config.ssh_host_key_policy,
            max_sessions=self.config.max_ssh_sessions,
            idle_timeout=self.config.ssh_idle_timeout,
        )

    async def _drain(self, executions: Executions) -> None:
        executions.stop_accepting()
        running = len(executions.running_ids())
        if running and not self._force.is_set():
            logger.info(
                "shutting down: waiting up to %g s for %d running executions",
                self.config.shutdown_grace,
                running,
            )
        if not await self._within(executions.wait_idle(), self.config.shutdown_grace):
            forced = self._force.is_set()
            reason = f"slave {'forced to stop' if forced else 'shutting down'}"
            logger.warning(
                "%s: killing %d running executions", reason, len(executions.running_ids())
            )
            executions.interrupt_all(reason)
            bound = self.config.kill_grace + self.config.drain_timeout + 5.0
            await self._within(executions.wait_idle(), bound, forceable=False)
        if not await self._within(self.outbox.wait_empty(), self.config.flush_timeout):
            logger.warning(
                "leaving %d messages (%d bytes of output) the master has not acked",
                len(self.outbox),
                self.outbox.unacked_bytes,
            )

    async def _within(self, aw: Awaitable[None], timeout: float, forceable: bool = True) -> bool:
        """Await `aw` for `timeout` s, or until forced; True if it completed."""
        task = asyncio.ensure_future(aw)
        waits: set[asyncio.Future[Any]] = {task}
        if forceable:
            waits.add(asyncio.ensure_future(self._force.wait()))
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        return task.done() and not task.cancelled()

    async def _hello(self) -> Hello:
        master = self._link.master if self._link is not None else self.config.masters[0]
        addresses = await asyncio.to_thread(local_addresses, master)
        assert self._executions is not None
        token = self.config.join_token
        credential = await asyncio.to_thread(self._credentials.own)
        return Hello(
            name=self.config.name,
            version=__version__,
            hostname=socket.gethostname(),
            addresses=tuple(addresses),
            running=tuple(self._executions.running_ids()),
            finished=tuple(self.outbox.finished_ids()),
            join_token=token.value if token else "",
            credential=credential.value,
            instance=self._credentials.instance,
            projects=self.config.projects,
            run_as=default_accounts(self.config.run_as),
        )

    def _welcomed(self, welcome: Welcome) -> None:
        """Keep the credential an enrolment gave (before anything else happens on the link)."""
        if welcome.credential is not None:
            self._credentials.save(welcome.credential)


def _work_dir(configured: Path | None) -> tuple[Path, bool]:
    """The scripts' directory, and whether it is ours to remove. 0711: a run-as user reaches
    its own script (by exact name) but cannot list the others."""
    if configured is None:
        path = Path(tempfile.mkdtemp(prefix="jobfleet-slave-", dir="/tmp"))
        path.chmod(0o711)
        return path, True
    if not configured.is_dir():  # an existing directory keeps the mode its owner gave it
        configured.mkdir(parents=True)
        configured.chmod(0o711)
    return configured, False
