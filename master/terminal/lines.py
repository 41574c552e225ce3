"""Line mode: each line typed runs on every machine of the session as a task (its output, kill
and history come with it), one line at a time; each machine's answer is shown as it arrives,
then its exit, then a summary. An interrupt kills the running line everywhere; the client going
away kills it too; the idle timeout ends a session waiting for a line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from master.catalogue.variables import PATTERN
from master.db.connection import DbRunner
from master.db.models import Task
from master.domain import CommandSpec, ExecutionStatus, ScriptType
from master.errors import FailedPrecondition, JobfleetError, NotFound
from master.store import terminals
from master.tasks.engine import TaskEngine
from master.tasks.queries import LogPiece, TaskQueries, TaskView
from master.terminal.admission import entry
from master.terminal.model import (
    ClientEvent,
    Closed,
    Emit,
    Interrupt,
    Line,
    LineFinished,
    LineOutput,
    LineSummary,
    LogKind,
    Session,
)

logger = logging.getLogger(__name__)

CALL_TYPE = "terminal"
INTERRUPTED = "interrupted from the terminal"
HUNG_UP = "the terminal closed"
INBOX = 64
"""Client events read ahead while a line runs (an interrupt must be seen mid-line); past that
the client's stream waits: back-pressure."""


@dataclass
class Running:
    """The line running now: its task, once submitted; whether it is to be killed."""

    text: str
    task_uuid: str = ""
    kill: str = ""
    finished: set[str] = field(default_factory=set)


class LineRunner:
    def __init__(self, engine: TaskEngine, queries: TaskQueries, run_db: DbRunner) -> None:
        self.engine = engine
        self.queries = queries
        self.run_db = run_db
        self._killing: set[asyncio.Future[None]] = set()  # kills of lines submitted too late

    async def run(self, session: Session, events: AsyncIterator[ClientEvent], emit: Emit) -> Closed:
        """Run lines until the client's events end (the session is then over) or it idles."""
        inbox: asyncio.Queue[ClientEvent | None] = asyncio.Queue(INBOX)
        reader = asyncio.create_task(_pump(events, inbox))
        waiting: deque[str] = deque()
        line: Running | None = None
        worker: asyncio.Task[None] | None = None
        nxt: asyncio.Task[ClientEvent | None] = asyncio.create_task(inbox.get())
        try:
            while True:
                watched: set[asyncio.Future[object]] = {nxt}  # type: ignore[arg-type]
                if worker is not None:
                    watched.add(worker)  # type: ignore[arg-type]
                timeout = None if worker is not None else session.idle_timeout
                done, _ = await asyncio.wait(
                    watched, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if not done:
                    return Closed(reason="idle")
                if worker is not None and worker in done:
                    worker.result()  # a failure to show the client ends the session
                    worker, line = None, None
                if nxt in done:
                    event = nxt.result()
                    if event is None:
                        return Closed(reason="hung up")
                    nxt = asyncio.create_task(inbox.get())
                    if isinstance(event, Line) and event.text.strip():
                        waiting.append(event.text)
                    elif isinstance(event, Interrupt):
                        waiting.clear()
                        if line is not None:
                            await self._kill(session, line, INTERRUPTED)
                if worker is None and waiting:
                    line = Running(waiting.popleft())
                    worker = asyncio.create_task(self._run_line(session, line, emit))
        finally:
            nxt.cancel()
            reader.cancel()
            if line is not None and worker is not None and not worker.done():
                worker.cancel()
                # shielded: the call being cancelled again must not leave the line running
                await asyncio.shield(self._kill(session, line, HUNG_UP))

    async def _kill(self, session: Session, line: Running, why: str) -> None:
        line.kill = why
        if line.task_uuid:
            with contextlib.suppress(FailedPrecondition, NotFound):
                await self.engine.kill_task(session.project_id, line.task_uuid, why)

    async def _run_line(self, session: Session, line: Running, emit: Emit) -> None:
        began = time.monotonic()
        submission = asyncio.ensure_future(self.engine.submit_command(command(session, line.text)))
        try:
            task = await asyncio.shield(submission)
        except asyncio.CancelledError:  # the session ended mid-submit: kill what it starts
            submission.add_done_callback(lambda done: self._kill_submitted(session, done))
            raise
        except JobfleetError as exc:
            await self.run_db(terminals.add_log, [entry(session, LogKind.COMMAND, line.text)])
            for node in session.nodes:
                await emit(LineFinished(node, -1, ExecutionStatus.FAIL, str(exc)))
            await emit(LineSummary("", 0, len(session.nodes), time.monotonic() - began))
            return
        line.task_uuid = task.uuid
        log = entry(session, LogKind.COMMAND, line.text, task.uuid)
        await self.run_db(terminals.add_log, [log])
        if line.kill:
            await self._kill(session, line, line.kill)
        view = await self._follow(session, line, emit)
        succeeded = sum(1 for r in view.executions if r.status == ExecutionStatus.SUCCESS)
        for node in session.nodes:  # machines that never got an execution
            if node not in line.finished:
                await emit(LineFinished(node, -1, view.task.status, view.task.reason))
        total = len(session.nodes)
        await emit(LineSummary(task.uuid, succeeded, total - succeeded, time.monotonic() - began))

    def _kill_submitted(self, session: Session, done: asyncio.Future[Task]) -> None:
        if done.cancelled() or done.exception() is not None:
            return
        killing = asyncio.ensure_future(
            self._kill(session, Running("", done.result().uuid), HUNG_UP)
        )
        self._killing.add(killing)
        killing.add_done_callback(self._killing.discard)

    async def _follow(self, session: Session, line: Running, emit: Emit) -> TaskView:
        """The task's output and ends relayed as they come (woken by the task's events)."""
        async for event in self.queries.follow(session.project_id, line.task_uuid):
            if isinstance(event, TaskView):
                return event
            if isinstance(event, LogPiece):
                await emit(LineOutput(event.execution.node, event.data, event.stderr))
                continue
            row = event.execution
            status = ExecutionStatus(row.status)
            if status.final and row.node not in line.finished:
                line.finished.add(row.node)
                code = -1 if row.exit_code is None else int(row.exit_code)
                await emit(LineFinished(row.node, code, status.value, row.reason or ""))
        raise NotFound(f"task {line.task_uuid} ended unseen", "task_uuid")


def command(session: Session, text: str) -> CommandSpec:
    """The line as a task on every machine, as the session's account. `${name}` in the line is
    the shell's, not jobfleet's variable: each renders to itself."""
    verbatim = {name: f"${{{name}}}" for name in PATTERN.findall(text)}
    return CommandSpec(
        project_id=session.project_id,
        name=f"terminal: {text}"[:255],
        submitter=session.actor,
        user=session.user,
        nodes=session.nodes,
        script_type=ScriptType.SHELL,
        script=text,
        timeout_s=max(1, int(session.idle_timeout)),
        variables=verbatim,
        call_type=CALL_TYPE,
    )


async def _pump(
    events: AsyncIterator[ClientEvent], inbox: asyncio.Queue[ClientEvent | None]
) -> None:
    """The client's events into the inbox, then None when they end (or fail)."""
    try:
        async for event in events:
            await inbox.put(event)
    except Exception as exc:  # the client's stream broke: the session ends as if hung up
        logger.info("terminal client stream ended: %s", exc)
    await inbox.put(None)
