"""The executions of this slave: start and kill them, and be their sink into the outbox.

`finished()` stores the result and forgets the running command in one synchronous step, so an
execution is always either running or finished-unacked here, never neither (duplicate
RunCommands and Hello rely on that).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slave.commands import registry
from slave.commands.base import Command, CommandContext, CommandSettings, FileStore
from slave.commands.cgroups import CgroupRoot
from slave.messages import Chunk, Request, Result, Started, Status, utcnow
from slave.outbox import Outbox
from slave.ssh.pool import SshPool

logger = logging.getLogger(__name__)


class Executions:
    def __init__(
        self,
        outbox: Outbox,
        settings: CommandSettings,
        slave_name: str,
        ssh: SshPool | None = None,
        files: FileStore | None = None,
        cgroups: CgroupRoot | None = None,
    ) -> None:
        self._outbox = outbox
        self._slave_name = slave_name
        self._scope = settings.scope
        self._context = CommandContext(self, settings, self.find, ssh, files, cgroups)
        self._running: dict[int, Command[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._accepting = True

    def find(self, execution_id: int) -> Command[Any] | None:
        return self._running.get(execution_id)

    def running_ids(self) -> list[int]:
        return list(self._running)

    def handle(self, request: Request) -> None:
        """Act on an order from the master; never blocks, never raises for a bad order."""
        command_class = registry.lookup(request.command)
        if command_class.owns_execution and not self._admit(request):
            return
        command = command_class(request, self._context)
        if command_class.owns_execution:
            self._running[request.execution_id] = command
        task = asyncio.create_task(self._drive(command), name=f"exec-{request.execution_id}")
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._forget)

    def stop_accepting(self) -> None:
        """Warm shutdown: new runs are refused with a FAIL result from now on."""
        self._accepting = False

    def interrupt_all(self, reason: str) -> None:
        for command in list(self._running.values()):
            command.interrupt(reason)

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def cancel_all(self) -> None:
        """Last resort at exit: commands kill their process group when cancelled."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- OutputSink ---------------------------------------------------------------------

    def started(self, started: Started) -> None:
        self._outbox.send_start(started, len(self._running))

    async def output(self, chunk: Chunk) -> None:
        await self._outbox.wait_for_room()
        self._outbox.keep(chunk)

    def finished(self, result: Result) -> None:
        self._outbox.keep(result)
        self._running.pop(result.execution_id, None)

    # --- internals ----------------------------------------------------------------------

    def _admit(self, request: Request) -> bool:
        eid = request.execution_id
        if eid in self._running or self._outbox.has_result(eid):
            logger.info("exec %d: duplicate %s ignored, already known here", eid, request.command)
            return False
        if not self._accepting:
            logger.info("exec %d: refused, slave is shutting down", eid)
            reason = f"slave {self._slave_name} is shutting down"
            self.finished(Result(eid, Status.FAIL, -1, reason, 0, None, utcnow()))
            return False
        refusal = self._scope.refusal(request, self._slave_name)
        if refusal:
            logger.warning("exec %d: refused: %s", eid, refusal)
            self.finished(Result(eid, Status.FAIL, -1, refusal, 0, None, utcnow()))
            return False
        return True

    async def _drive(self, command: Command[Any]) -> None:
        """Run a command; a bug in it is reported as a FAIL rather than leave the master waiting."""
        eid = command.execution_id
        error = "the command ended without a result"
        try:
            await command.start()
        except Exception as exc:
            logger.exception("exec %d: %s command failed", eid, type(command).__name__)
            error = f"{type(exc).__name__}: {exc}"
        if command.owns_execution and self._running.get(eid) is command:
            self.finished(Result(eid, Status.FAIL, -1, f"slave error: {error}", 0, None, utcnow()))

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
