"""The slave's terminals: each TerminalOrder checked like a command (the projects served, the
run-as accounts), then its shell opened and relayed on a stream of its own."""

from __future__ import annotations

import asyncio
import logging

from slave.commands.base import CommandSettings
from slave.commands.cgroups import CgroupRoot
from slave.commands.runas import RunAsError, resolve_user
from slave.files import MasterFiles
from slave.messages import TerminalRequest
from slave.ssh.pool import SshPool
from slave.terminal.local import LocalShell
from slave.terminal.relay import relay
from slave.terminal.remote import RemoteShell
from slave.terminal.shell import Shell, ShellError

logger = logging.getLogger(__name__)


class Terminals:
    def __init__(
        self,
        settings: CommandSettings,
        files: MasterFiles,
        ssh: SshPool,
        cgroups: CgroupRoot | None,
    ) -> None:
        self._settings = settings
        self._files = files
        self._ssh = ssh
        self._cgroups = cgroups
        self._tasks: set[asyncio.Task[None]] = set()

    def handle(self, order: TerminalRequest) -> None:
        """Start the terminal in the background; never blocks, never raises."""
        task = asyncio.create_task(self._serve(order), name=f"terminal-{order.session_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """At exit: hang every terminal up."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, order: TerminalRequest) -> None:
        where = order.ssh.label if order.ssh else "here"
        logger.info("terminal %s: opening (%s)", order.session_id, where)
        try:
            channel = await asyncio.wait_for(self._files.channel(), 30.0)
            await relay(channel, self._files.metadata, order, lambda: self.open(order))
        except Exception:
            logger.exception("terminal %s failed", order.session_id)
        logger.info("terminal %s: closed", order.session_id)

    async def open(self, order: TerminalRequest) -> Shell:
        """The order's shell, or ShellError saying why it may not or cannot start."""
        refusal = self._settings.scope.refusal(order, self._settings.slave_name)
        if refusal:
            raise ShellError(refusal)
        if order.ssh is not None:
            return await RemoteShell.open(self._ssh, order.ssh, order.term, order.cols, order.rows)
        try:
            run_as = resolve_user(self._settings.scope.account_for(order.user))
            return await LocalShell.open(
                run_as, order.term, order.cols, order.rows, self._cgroups, self._settings.kill_grace
            )
        except RunAsError as exc:
            raise ShellError(str(exc)) from None
