"""What both copy commands share: the machine at their end, an SSH session slot, the timeout
and kill, and the result.

The transfer runs as a task of its own; a kill or the timeout cancels it, and its clean-up
(temp file removed, streams cancelled, channels closed) runs before the result is sent. The
output lines are chunks like a script's (same sink, same backpressure), then one Result.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import datetime as dt
import logging
import socket
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from slave.commands.base import Command, CommandContext, FileStore, FileStoreError
from slave.commands.runas import RunAsError, resolve_user
from slave.copy.errors import CopyError
from slave.copy.local import LocalMachine
from slave.copy.machine import Machine
from slave.copy.progress import CopyLog
from slave.copy.sftp import SshMachine
from slave.messages import Blob, CopyRequest, Result, Started, Status, utcnow
from slave.ssh.errors import SshError

logger = logging.getLogger(__name__)

R = TypeVar("R", bound=CopyRequest)
T = TypeVar("T")

FAILURES = (CopyError, SshError, FileStoreError)
"""Why a copy fails; their text is the reason. Anything else is a bug (slave error)."""


class CopyCommand(Command[R], abc.ABC):
    owns_execution = True

    def __init__(self, request: R, context: CommandContext) -> None:
        super().__init__(request, context)
        self.log = CopyLog(request.execution_id, context.sink)
        self._kill_reason: str | None = None
        self._interrupted = asyncio.Event()
        self._over = False

    @abc.abstractmethod
    async def transfer(self, machine: Machine, files: FileStore) -> Blob | None:
        """Move the bytes; the fetched blob (fetch) or None (place). Raises one of FAILURES."""

    def interrupt(self, reason: str) -> None:
        """Stop the transfer and clean up; ignored once it is over."""
        if self._kill_reason is None and not self._over:
            logger.info("exec %d: kill requested: %s", self.execution_id, reason)
            self._kill_reason = reason
            self._interrupted.set()

    async def start(self) -> None:
        refusal = self._refusal()
        pool = self.context.ssh
        if self._kill_reason is not None:
            self._report(Status.KILLED, self._kill_reason)
        elif refusal:
            logger.warning("exec %d: %s", self.execution_id, refusal)
            self._report(Status.FAIL, refusal)
        elif self.request.ssh is None or pool is None:
            await self._run()
        elif await self._unless_interrupted(pool.acquire_slot()) is None:
            self._report(Status.KILLED, self._kill_reason or "killed")
        else:
            try:
                await self._run()
            finally:
                pool.release_slot()

    @property
    def where(self) -> str:
        """The machine at this copy's end, for log lines."""
        ssh = self.request.ssh
        return "this machine" if ssh is None else ssh.label

    def _refusal(self) -> str:
        if self.context.files is None:
            return "this slave has no link to the master's file store"
        if self.request.ssh is not None and self.context.ssh is None:
            return "this slave reaches no machines over SSH"
        return ""

    async def _run(self) -> None:
        logger.info(
            "exec %d: %s %s on %s",
            self.execution_id,
            self.request.command,
            self.request.path,
            self.where,
        )
        started_at = utcnow()
        self.context.sink.started(Started(self.execution_id, 0, started_at))
        work = asyncio.create_task(self._work(), name=f"copy-{self.execution_id}")
        try:
            await self._unless_interrupted(asyncio.shield(work), self.request.timeout)
        finally:
            self._over = True
            if not work.done():
                work.cancel()
                await asyncio.wait({work})  # its clean-up runs before anything is reported
        status, reason, fetched = self._outcome(work)
        self._report(status, reason, started_at, fetched)

    async def _work(self) -> Blob | None:
        assert self.context.files is not None
        try:
            async with self._machine() as machine:
                return await self.transfer(machine, self.context.files)
        except FAILURES as exc:
            logger.warning("exec %d: %s: %s", self.execution_id, self.where, exc)
            await self.log.line(f"copy failed: {exc}")
            raise

    @contextlib.asynccontextmanager
    async def _machine(self) -> AsyncIterator[Machine]:
        target, pool = self.request.ssh, self.context.ssh
        machine: LocalMachine | SshMachine
        if target is None or pool is None:
            settings = self.context.settings
            name = settings.slave_name or socket.gethostname()
            try:
                run_as = resolve_user(settings.scope.account_for(self.request.user))
            except RunAsError as exc:
                raise CopyError(str(exc)) from None
            machine = LocalMachine(name, self.execution_id, run_as)
        else:
            machine = SshMachine(pool, target, self.execution_id)
        try:
            if isinstance(machine, SshMachine):
                await machine.connect()
            yield machine
        finally:
            await machine.close()

    def _outcome(self, work: asyncio.Task[Blob | None]) -> tuple[Status, str, Blob | None]:
        if work.cancelled():
            if self._kill_reason is not None:
                return Status.KILLED, self._kill_reason, None
            return Status.TIMEOUT, f"timed out after {self.request.timeout:g} s", None
        exc = work.exception()
        if exc is None:
            return Status.SUCCESS, "", work.result()
        if isinstance(exc, FAILURES):
            return Status.FAIL, str(exc), None
        raise exc  # a bug: Executions reports it as a slave error

    async def _unless_interrupted(self, aw: Awaitable[T], timeout: float | None = None) -> T | None:
        """aw's result; None when interrupted or timed out first (aw is then cancelled)."""
        task = asyncio.ensure_future(aw)
        stop = asyncio.ensure_future(self._interrupted.wait())
        try:
            await asyncio.wait({task, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if task.done():
            return task.result() if not task.cancelled() and not task.exception() else None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None

    def _report(
        self,
        status: Status,
        reason: str,
        started_at: dt.datetime | None = None,
        fetched: Blob | None = None,
    ) -> None:
        exit_code = 0 if status is Status.SUCCESS else -1
        chunks = self.log.chunks
        result = Result(
            self.execution_id, status, exit_code, reason, chunks, started_at, utcnow(), fetched
        )
        logger.info(
            "exec %d: %s %s: %s%s, %d chunks",
            self.execution_id,
            self.request.command,
            self.where,
            status.value,
            f": {reason}" if reason else "",
            chunks,
        )
        self.context.sink.finished(result)
