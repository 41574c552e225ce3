"""run-ssh: a RunCommand for a node without a slave, run over SSH from this slave.

The same contract as `run` (commands/run.py): one Started, gapless chunks of stdout and stderr
(the channel's, in order of arrival, after the wrapper's pid line) through the sink
(backpressure pauses reading the channel), one Result; kill and timeout end
the whole *remote* process group (SIGTERM, SIGKILL after the grace) over another session on a
pooled connection. The timeout counts from the remote start; waiting for a session slot and
connecting do not count (the connect has its own timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from slave.commands.base import Command, CommandContext
from slave.commands.output import OutputPump
from slave.commands.run import exit_status
from slave.messages import Result, RunRequest, SshTarget, Started, Status, utcnow
from slave.ssh import remote
from slave.ssh.channel import ChannelReader
from slave.ssh.errors import SshError
from slave.ssh.group import RemoteGroup
from slave.ssh.pool import Lease, SshPool
from slave.ssh.session import start_command

logger = logging.getLogger(__name__)

T = TypeVar("T")


class RunOverSsh(Command[RunRequest]):
    owns_execution = True

    def __init__(self, request: RunRequest, context: CommandContext) -> None:
        super().__init__(request, context)
        if request.ssh is None:
            raise ValueError(f"exec {request.execution_id}: run-ssh needs an SSH target")
        self.target: SshTarget = request.ssh
        self._kill_reason: str | None = None
        self._ended: tuple[Status, str] | None = None
        """Set when we ended the group (kill or timeout): the status and reason to report."""
        self._interrupted = asyncio.Event()
        self._exited = False

    def interrupt(self, reason: str) -> None:
        """End the remote group (SIGTERM, SIGKILL after the grace); ignored once it exited."""
        if self._kill_reason is None and not self._exited:
            logger.info("exec %d: %s: kill requested: %s", self.execution_id, self._where, reason)
            self._kill_reason = reason
            self._interrupted.set()

    async def start(self) -> None:
        pool = self.context.ssh
        refusal = self._refusal(pool is not None)
        if self._kill_reason is not None:
            self._report_killed_before_start()
        elif refusal:
            logger.warning("exec %d: %s: %s", self.execution_id, self._where, refusal)
            self._report(Status.FAIL, f"{self._where}: {refusal}")
        elif pool is None or await self._unless_interrupted(pool.acquire_slot()) is None:
            self._report_killed_before_start()
        else:
            try:
                await self._connected(pool)
            finally:
                pool.release_slot()

    def _refusal(self, have_pool: bool) -> str:
        """Why this run cannot even be tried here ("" when it can)."""
        if not have_pool:
            return "this slave runs no SSH commands"
        user, login = self.request.user, self.target.user
        if user and user != login:
            return f"cannot run as {user}: over SSH a command runs as the login user {login}"
        return ""

    @property
    def _where(self) -> str:
        return self.target.label

    async def _connected(self, pool: SshPool) -> None:
        try:
            lease = await self._unless_interrupted(pool.lease(self.target, self.execution_id))
        except SshError as exc:
            logger.warning("exec %d: %s", self.execution_id, exc)
            self._report(Status.FAIL, str(exc))
            return
        if lease is None or self._kill_reason is not None:
            if lease is not None:
                lease.release()
            self._report_killed_before_start()
            return
        try:
            await self._execute(pool, lease)
        finally:
            lease.release()

    async def _execute(self, pool: SshPool, lease: Lease) -> None:
        started_at = utcnow()
        try:
            reader, group = await self._spawn(pool, lease)
        except SshError as exc:
            logger.warning("exec %d: %s", self.execution_id, exc)
            self._report(Status.FAIL, str(exc))
            return
        try:
            status, chunks = await self._follow(reader, group, started_at)
        except BaseException:
            await group.kill_now()  # cancelled: leave nothing running on the node
            raise
        finally:
            reader.close()
        self._report(*status, started_at=started_at, chunks=chunks)

    async def _spawn(self, pool: SshPool, lease: Lease) -> tuple[ChannelReader, RemoteGroup]:
        """Start the wrapper and learn the script's process group (its pid)."""
        script = self.request.script.encode()
        try:
            line = remote.run_line(self.request, len(script))
        except ValueError as exc:
            raise SshError(self.target, str(exc)) from None
        reader = await start_command(pool, lease, line, script)
        try:
            async with asyncio.timeout(self.target.connect_timeout):
                pgid_text = await reader.line(remote.PGID_MARK)
        except TimeoutError:
            reader.close()
            raise SshError(
                self.target, f"the command did not start within {self.target.connect_timeout:g} s"
            ) from None
        except BaseException:  # cancelled
            reader.close()
            raise
        if pgid_text is None or not pgid_text.strip().isdigit():
            reader.close()
            raise SshError(self.target, _start_failure(reader))
        pgid = int(pgid_text)
        logger.info(
            "exec %d: %s: started process group %d as %s (%s script)",
            self.execution_id,
            self._where,
            pgid,
            self.target.user,
            self.request.script_type and self.request.script_type.value,
        )
        return reader, RemoteGroup(pool, self.target, self.execution_id, pgid)

    async def _follow(
        self, reader: ChannelReader, group: RemoteGroup, started_at: dt.datetime
    ) -> tuple[tuple[Status, str, int], int]:
        """Stream the output until the script is over: ((status, reason, exit code), chunks)."""
        settings = self.context.settings
        self.context.sink.started(Started(self.execution_id, group.pgid, started_at))
        pump = OutputPump(
            self.execution_id,
            reader,
            self.context.sink,
            settings.flush_bytes,
            settings.flush_interval,
        )
        pumping = asyncio.create_task(pump.run())
        try:
            outcome = await self._supervise(reader, group)
            pump.main_exited(settings.drain_timeout)
            await pumping
        finally:
            pumping.cancel()
        if pump.cut_short:
            logger.info(
                "exec %d: %s: output still open %g s after the script exited "
                "(a background child?); stopped reading",
                self.execution_id,
                self._where,
                settings.drain_timeout,
            )
        return outcome, pump.chunks

    async def _supervise(
        self, reader: ChannelReader, group: RemoteGroup
    ) -> tuple[Status, str, int]:
        """Wait for the script; on timeout or interrupt end its remote group first."""
        stop_wait = asyncio.ensure_future(self._interrupted.wait())
        waits: set[asyncio.Future[Any]] = {reader.exited, stop_wait}
        try:
            await asyncio.wait(
                waits,
                timeout=self.request.timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            stop_wait.cancel()
        if not reader.exited.done():
            if self._kill_reason is not None:
                self._ended = (Status.KILLED, self._kill_reason)
            else:
                self._ended = (Status.TIMEOUT, f"timed out after {self.request.timeout:g} s")
            await group.end(self.context.settings.kill_grace, self._ended[1])
            await self._wait_exit(reader)
        self._exited = True
        return self._outcome(reader.exit_status)

    def _outcome(self, code: int | None) -> tuple[Status, str, int]:
        if self._ended is not None:
            return (*self._ended, _signal_code(code))
        if code is None:
            return Status.FAIL, f"{self._where}: connection lost before the script ended", -1
        return (*exit_status(code), code)

    async def _wait_exit(self, reader: ChannelReader) -> None:
        bound = self.context.settings.drain_timeout + self.target.connect_timeout
        try:
            async with asyncio.timeout(bound):
                await asyncio.shield(reader.exited)
        except TimeoutError:
            logger.error(
                "exec %d: %s: script still not over %g s after its group was ended; "
                "giving up on it",
                self.execution_id,
                self._where,
                bound,
            )

    async def _unless_interrupted(self, aw: Awaitable[T]) -> T | None:
        """aw's result, or None when interrupted first (aw is then cancelled)."""
        task = asyncio.ensure_future(aw)
        stop = asyncio.ensure_future(self._interrupted.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, SshError):
            await task
        return None

    def _report_killed_before_start(self) -> None:
        self._report(Status.KILLED, self._kill_reason or "killed")

    def _report(
        self,
        status: Status,
        reason: str,
        exit_code: int = -1,
        *,
        started_at: dt.datetime | None = None,
        chunks: int = 0,
    ) -> None:
        result = Result(self.execution_id, status, exit_code, reason, chunks, started_at, utcnow())
        logger.info(
            "exec %d: %s: %s: %s, %d chunks",
            self.execution_id,
            self._where,
            status.value,
            reason or f"exit code {exit_code}",
            chunks,
        )
        self.context.sink.finished(result)


def _signal_code(code: int | None) -> int:
    """Exit code of a group we ended: the shell's 128+N reads as -N, like a local run's."""
    if code is None:
        return -1
    return -(code - 128) if code > 128 else code


def _start_failure(reader: ChannelReader) -> str:
    mark = remote.ERROR_MARK
    errors = [line.removeprefix(mark) for line in reader.lines if line.startswith(mark)]
    if errors:
        return errors[-1]
    if reader.exit_status is None:
        return "connection lost before the command started"
    return f"the command ended before it started (exit status {reader.exit_status})"
