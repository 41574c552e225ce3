"""Helpers for the master's unit tests: the task engine's core wired as master/app.py wires it,
on the test's database, and slaves played by the test.

A `PlayedSlave` attaches the way the SlaveLink servicer does (enrolment, a session, the intake's
attach, a drain of its inbox), reads its session's outbound queue as its stream would, and puts
its reports in the inbox, which the real intake drains. Nothing of the master is faked.

(Fixtures live in conftest.py; plain helpers here.)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography.fernet import Fernet

from master.catalogue.variables import RenderLimit
from master.db.connection import DbRunner
from master.db.models import Execution, Task
from master.domain import (
    Blob,
    Chunk,
    ChunkAck,
    CopyOrder,
    ExecutionStatus,
    Finished,
    Introduction,
    KillOrder,
    Outbound,
    ResultAck,
    RunOrder,
    SlaveResult,
    Started,
    TaskStatus,
)
from master.secrets import SecretBox
from master.slaves.enrolment import admit
from master.slaves.sessions import Session, SlaveSessions
from master.store import slaves, tasks
from master.tasks.engine import TaskEngine
from master.tasks.events import TaskEvents
from master.tasks.intake import Intake
from master.tasks.queries import TaskQueries
from master.tasks.quotas import Quotas

WAIT = 5.0
"""Deadline for anything that should happen "soon" (everything here takes milliseconds)."""
T = TypeVar("T")
Order = RunOrder | CopyOrder


def seen_slaves(*names: str) -> None:
    """Slaves the master has seen attach before (so jobs may name them), not attached now."""
    for name in names:
        slaves.register(name, f"{name}.host", [], "test")


@dataclass
class Core:
    """The engine, the sessions, the intake and the queries of one master."""

    run_db: DbRunner
    sessions: SlaveSessions
    events: TaskEvents
    secrets: SecretBox
    engine: TaskEngine
    intake: Intake
    queries: TaskQueries

    @classmethod
    def wire(
        cls,
        limit: RenderLimit = RenderLimit(),
        quotas: Quotas = Quotas(),
        lease: float = 30.0,
        max_log_bytes: int | None = None,
    ) -> Core:
        """As Master.__init__ builds them (master/app.py)."""
        run_db = DbRunner(2)
        sessions = SlaveSessions()
        events = TaskEvents()
        secrets = SecretBox(Fernet.generate_key(), Path("unsaved.key"), fresh=True)
        engine = TaskEngine(run_db, sessions, events, limit, quotas, secrets)
        intake = Intake(engine, lease, max_log_bytes)
        return cls(run_db, sessions, events, secrets, engine, intake, TaskQueries(run_db, events))

    def run(self, scenario: Coroutine[Any, Any, T]) -> T:
        """Run a scenario on a loop of its own (drains still running are cancelled at the end)."""
        return asyncio.run(scenario)

    def close(self) -> None:
        self.run_db.close()

    async def attach(
        self,
        name: str,
        projects: tuple[int, ...] = (),
        run_as: tuple[str, ...] = (),
        running: tuple[int, ...] = (),
        finished: tuple[int, ...] = (),
    ) -> PlayedSlave:
        """A slave attached as the SlaveLink servicer attaches one (enrolled at its first
        attach, serving `projects` or every project)."""
        slave = PlayedSlave(self, Introduction(name, projects=projects, run_as=run_as))
        await slave.attach(running, finished)
        return slave

    async def until(self, task: Task, *wanted: TaskStatus) -> Task:
        """The task once its status is one of `wanted`; AssertionError after WAIT seconds."""
        row = task
        with self.events.subscribe(task.id) as changed:
            try:
                async with asyncio.timeout(WAIT):
                    while (row := await self.run_db(tasks.get_by_id, task.id)).status not in wanted:
                        await changed.wait()
                        changed.clear()
            except TimeoutError:
                raise AssertionError(f"task {task.uuid} is {row.status}, not {wanted}") from None
        return row

    async def executions(self, task: Task) -> list[Execution]:
        """The task's live executions, in creation order."""
        return await self.run_db(tasks.executions, task.id)


@dataclass
class PlayedSlave:
    """A slave played by the test through its session's queues."""

    core: Core
    intro: Introduction
    session: Session | None = None
    drain: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.intro.name

    @property
    def link(self) -> Session:
        assert self.session is not None, f"slave {self.name} is not attached"
        return self.session

    async def attach(self, running: tuple[int, ...] = (), finished: tuple[int, ...] = ()) -> None:
        """Attach (again: the same process, its stream replaced), saying what it runs and what
        it finished without an ack."""
        self.detach()
        core = self.core
        identity = await core.run_db(admit, self.intro, "")
        if identity.credential:  # enrolled now: present it from now on
            self.intro = dataclasses.replace(self.intro, credential=identity.credential)
        self.session = core.sessions.open(identity)
        await core.intake.attach(
            self.session, f"{self.name}.host", [], "test", list(running), list(finished)
        )
        self.drain = asyncio.create_task(core.intake.drain(self.session))

    def detach(self) -> None:
        """The stream ends (the servicer closes the session and stops draining)."""
        if self.session is not None:
            self.core.sessions.close(self.session)
        if self.drain is not None:
            self.drain.cancel()
        self.session, self.drain = None, None

    async def next(self) -> Outbound:
        """The next message on its stream (None: the master closed it)."""
        try:
            async with asyncio.timeout(WAIT):
                item = await self.link.outbound.get()
        except TimeoutError:
            raise AssertionError(f"slave {self.name} got nothing in {WAIT} s") from None
        return item

    async def order(self) -> Order:
        """The next run or copy order, acks before it skipped."""
        while isinstance(item := await self.next(), ChunkAck | ResultAck):
            pass
        assert isinstance(item, RunOrder | CopyOrder), f"{self.name}: not an order: {item}"
        return item

    async def kill_order(self) -> KillOrder:
        while isinstance(item := await self.next(), ChunkAck | ResultAck):
            pass
        assert isinstance(item, KillOrder), f"{self.name}: not a kill order: {item}"
        return item

    async def result_ack(self) -> ResultAck:
        while isinstance(item := await self.next(), ChunkAck):
            pass
        assert isinstance(item, ResultAck), f"{self.name}: not a result ack: {item}"
        return item

    async def closed(self) -> None:
        """Returns once the master closes its stream (None on the queue)."""
        while await self.next() is not None:
            pass

    def queued(self) -> list[Outbound]:
        """Everything on its stream now, without waiting."""
        items: list[Outbound] = []
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                items.append(self.link.outbound.get_nowait())
        return items

    def started(self, execution_id: int) -> None:
        self.link.inbox.put_nowait(Started(execution_id, None))

    def output(self, execution_id: int, seq: int, data: bytes) -> None:
        self.link.inbox.put_nowait(Chunk(execution_id, seq, data))

    def finish(
        self,
        execution_id: int,
        status: ExecutionStatus = ExecutionStatus.SUCCESS,
        exit_code: int = 0,
        reason: str = "",
        fetched: Blob | None = None,
    ) -> None:
        result = SlaveResult(execution_id, status, exit_code, reason, 0, fetched)
        self.link.inbox.put_nowait(Finished(result, None, None))

    async def complete(
        self,
        order: Order,
        status: ExecutionStatus = ExecutionStatus.SUCCESS,
        output: bytes = b"",
        fetched: Blob | None = None,
    ) -> None:
        """Run an order to its end: started, its output, its result; returns once acked."""
        eid = order.execution_id
        self.started(eid)
        if output:
            self.output(eid, 0, output)
        code = 0 if status == ExecutionStatus.SUCCESS else 1
        self.finish(eid, status, code, "" if code == 0 else "exit 1", fetched)
        await self.result_ack()
