"""run: one script in its own process group (and cgroup), with timeout, kill escalation and
chunked output."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from typing import Any

from slave.commands.base import Command, CommandContext
from slave.commands.output import MAX_CHUNK, OutputPump
from slave.commands.process import (
    Child,
    StartError,
    end_group,
    remove_run_dir,
    signal_tree,
    spawn,
)
from slave.commands.runas import RunAsError, resolve_user
from slave.messages import Result, RunRequest, Started, Status, utcnow

logger = logging.getLogger(__name__)


def exit_status(returncode: int) -> tuple[Status, str]:
    if returncode == 0:
        return Status.SUCCESS, ""
    if returncode < 0:
        return Status.FAIL, f"killed by signal {-returncode}"
    return Status.FAIL, f"exit code {returncode}"


class RunProcess(Command[RunRequest]):
    owns_execution = True

    def __init__(self, request: RunRequest, context: CommandContext) -> None:
        super().__init__(request, context)
        self._kill_reason: str | None = None
        self._ended: tuple[Status, str] | None = None
        """Set when we ended the group (kill or timeout): the status and reason to report."""
        self._interrupted: asyncio.Future[None] | None = None
        """Done on a kill request while the process runs (made when it starts)."""
        self._exited = False
        self._account = ""
        """The account it runs as, once started (for the log line of its end)."""

    def interrupt(self, reason: str) -> None:
        """Kill the group (SIGTERM, SIGKILL after the grace); ignored once the process exited."""
        if self._kill_reason is None and not self._exited:
            logger.info("exec %d: kill requested: %s", self.execution_id, reason)
            self._kill_reason = reason
            if self._interrupted is not None and not self._interrupted.done():
                self._interrupted.set_result(None)

    async def start(self) -> None:
        if self._kill_reason is not None:  # killed before it could start
            self._report(Status.KILLED, self._kill_reason, exit_code=-1, started_at=None, chunks=0)
            return
        started_at = utcnow()
        try:
            child = await self._spawn()
        except (StartError, RunAsError) as exc:
            logger.warning("exec %d: %s", self.execution_id, exc)
            self._report(Status.FAIL, str(exc), exit_code=-1, started_at=None, chunks=0)
            return
        try:
            returncode, chunks = await self._follow(child, started_at)
        except BaseException:
            signal_tree(child.tree, signal.SIGKILL)  # cancelled: leave nothing behind
            remove_run_dir(child.run_dir)
            self._release(child)
            raise
        finally:
            child.close()
        status, reason = self._ended or exit_status(returncode)
        self._report(
            status,
            reason,
            exit_code=returncode,
            started_at=started_at,
            chunks=chunks,
            pid=child.pid,
        )
        await child.remove_files()
        if child.tree.cgroup is not None and self._ended is not None:
            await child.tree.cgroup.wait_empty(1.0)  # SIGKILLed processes take a moment to go
        self._release(child)

    def _release(self, child: Child) -> None:
        """Remove the run's cgroup; one a background process still runs in goes once empty."""
        if child.tree.cgroup is not None and self.context.cgroups is not None:
            self.context.cgroups.release(child.tree.cgroup)

    async def _spawn(self) -> Child:
        settings = self.context.settings
        run_as = resolve_user(settings.scope.account_for(self.request.user))
        read_limit = max(settings.flush_bytes, MAX_CHUNK)
        child = await spawn(
            self.request, run_as, settings.work_dir, read_limit, self.context.cgroups
        )
        self._account = run_as.name
        logger.debug(  # one INFO line per run: its end's, which names the pid and account
            "exec %d: started pid %d (%s script, as %s)",
            self.execution_id,
            child.pid,
            self.request.script_type and self.request.script_type.value,
            run_as.name,
        )
        return child

    async def _follow(self, child: Child, started_at: dt.datetime) -> tuple[int, int]:
        """Stream the output until the process is over; returns (returncode, chunk count)."""
        settings = self.context.settings
        self.context.sink.started(Started(self.execution_id, child.pid, started_at))
        pump = OutputPump(
            self.execution_id,
            child.output,
            self.context.sink,
            settings.flush_bytes,
            settings.flush_interval,
        )
        pumping = asyncio.create_task(pump.run())
        try:
            returncode = await self._supervise(child)
            pump.main_exited(settings.drain_timeout)
            await pumping
        finally:
            pumping.cancel()
        if pump.cut_short:
            logger.info(
                "exec %d: output pipe still open %g s after the process exited "
                "(a background child?); stopped reading",
                self.execution_id,
                settings.drain_timeout,
            )
        return returncode, pump.chunks

    async def _supervise(self, child: Child) -> int:
        """Wait for the main process; on timeout or interrupt end its whole group first."""
        exit_wait = child.proc.wait()
        self._interrupted = stop_wait = asyncio.get_running_loop().create_future()
        if self._kill_reason is not None:  # asked while it was starting
            stop_wait.set_result(None)
        waits: set[asyncio.Future[Any]] = {exit_wait, stop_wait}
        if not exit_wait.done():
            await asyncio.wait(
                waits, timeout=self.request.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        if not exit_wait.done():
            if self._kill_reason is not None:
                self._ended = (Status.KILLED, self._kill_reason)
            else:
                self._ended = (Status.TIMEOUT, f"timed out after {self.request.timeout:g} s")
            await self._end_group(child, self._ended[1])
        returncode = await exit_wait
        self._exited = True
        return returncode

    async def _end_group(self, child: Child, why: str) -> None:
        pgid = child.pid
        grace = self.context.settings.kill_grace
        where = f" and cgroup {child.tree.cgroup.path.name}" if child.tree.cgroup else ""
        logger.info(
            "exec %d: %s; SIGTERM to process group %d%s", self.execution_id, why, pgid, where
        )
        if await end_group(child.tree, grace):
            logger.warning(
                "exec %d: process group %d%s still there %g s after SIGTERM; sent SIGKILL",
                self.execution_id,
                pgid,
                where,
                grace,
            )

    def _report(
        self,
        status: Status,
        reason: str,
        *,
        exit_code: int,
        started_at: dt.datetime | None,
        chunks: int,
        pid: int = 0,
    ) -> None:
        result = Result(
            self.execution_id, status, exit_code, reason, chunks, started_at, utcnow(), pid=pid
        )
        logger.info(
            "exec %d: %s: %s, %d chunks%s",
            self.execution_id,
            status.value,
            reason or f"exit code {exit_code}",
            chunks,
            f" (pid {pid}, as {self._account})" if pid else "",
        )
        self.context.sink.finished(result)
