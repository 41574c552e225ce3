"""What slaves report: attach (with reconciliation), starts, output, results, silence.

Output is stored in batches (all that queued up while the last batch was written), then acked;
a result is stored after every chunk that came before it on the stream, then acked.

A report counts only from the slave its execution was dispatched to (`Session.owned`, filled
by every dispatch and, at attach, by the executions the database says are that slave's): any
other is dropped with a warning (and acked, so a confused sender stops resending it), so
holding a slave's link gives no say over another slave's work. An execution a slave keeps
failing to receive (it re-attaches without it, again and again) fails instead of looping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable

from master.db.models import Execution, Task, utcnow
from master.domain import (
    Chunk,
    ChunkAck,
    CopyOrder,
    ExecutionStatus,
    Finished,
    Inbound,
    KillOrder,
    Outbound,
    ResultAck,
    RunOrder,
    Started,
)
from master.errors import Unavailable
from master.slaves.sessions import Session
from master.store import executions, slaves, tasks
from master.store import settling as store_settling
from master.tasks import settling
from master.tasks.engine import TaskEngine
from master.tasks.reportgroups import ReportGroups
from master.tasks.vvcapture import OutputCapture

logger = logging.getLogger(__name__)
MAX_BATCH = 512
MAX_REMEMBERED = 65536
"""Executions whose task id is remembered; past it the memory starts over."""
MAX_REDELIVERIES = 3
"""Attaches after which a slave that still does not have an execution makes it fail."""


class Intake:
    """What attached slaves report, stored then acked: `attach` squares a slave's executions
    with the database, `drain` stores its starts, output and results in batches (only for
    executions dispatched to it) and hands each ended execution to the engine, `sweep` loses
    the executions of slaves silent past the lease, `recover` settles tasks after a restart."""

    def __init__(
        self,
        engine: TaskEngine,
        lease: float,
        max_log_bytes: int | None = None,
        silent_after: float | None = None,
    ) -> None:
        self.engine = engine
        self.run_db = engine.run_db
        self.lease = lease
        self.silent_after = lease / 2 if silent_after is None else silent_after
        """A slave silent this long has its stream dropped (MasterConfig.silent_after)."""
        self.max_log_bytes = max_log_bytes
        """Output stored per execution; the rest is acked, counted and marked, not stored."""
        self.started_at = time.monotonic()
        self._redelivered: Counter[int] = Counter()
        self._task_of: dict[int, int] = {}
        """Execution id -> task id, for executions whose output came lately (never changes)."""
        self.capture = OutputCapture()
        """Stores output, taking the version variables in it (vvcapture.py)."""
        self.groups = ReportGroups(self.run_db, self._store_batch, engine.busy, engine.events)
        """Stores the batches of all slaves, a group per database call (reportgroups.py)."""

    async def attach(
        self,
        session: Session,
        hostname: str,
        addresses: list[str],
        version: str,
        running: list[int],
        finished: list[int],
    ) -> None:
        """Register the slave, then square the database with what the slave says it has: of
        the executions it reports, only those dispatched to it count (and are its own from now
        on); the rest are ignored."""
        name = session.name
        run_as = list(session.identity.run_as)
        await self.run_db(slaves.register, name, hostname, addresses, version, run_as)
        mine = await self.run_db(executions.of_slave, [*running, *finished], name)
        foreign = sorted({*running, *finished} - mine)
        if foreign:
            logger.warning(
                "slave %s reports execution(s) not dispatched to it, ignored: %s",
                name,
                ", ".join(map(str, foreign[:20])),
            )
        running = [i for i in running if i in mine]
        finished = [i for i in finished if i in mine]
        session.owned.update(mine)
        self.engine.events.publish_many(await self.run_db(executions.mark_running_many, running))
        for execution_id in await self.run_db(executions.closed_among, running):
            logger.warning(
                "exec %d slave %s: still running there, closed here; killing it",
                execution_id,
                session.name,
            )
            session.outbound.put_nowait(KillOrder(execution_id, "the master closed it meanwhile"))
        known = set(running) | set(finished)
        for row in await self.run_db(executions.open_on_slave, session.name):
            if row.id not in known:
                await self._orphan(row)
        logger.info(
            "slave %s attached (%d running, %d finished unacked)",
            session.name,
            len(running),
            len(finished),
        )

    async def _orphan(self, row: Execution) -> None:
        task = await self.run_db(tasks.get_by_id, row.task_id)
        if task.kill_requested:
            await self._close([row.id], ExecutionStatus.KILLED, task.reason or "killed on request")
        elif row.status == ExecutionStatus.PENDING:
            self._redelivered[row.id] += 1
            if self._redelivered[row.id] > MAX_REDELIVERIES:
                why = f"slave {row.slave} re-attached {MAX_REDELIVERIES} times without receiving it"
                await self._close([row.id], ExecutionStatus.FAIL, why)
                return
            logger.info("exec %s slave %s did not get it; sending again", row.id, row.slave)
            await self.engine.redispatch(row)
        else:
            await self._close(
                [row.id],
                ExecutionStatus.LOST,
                f"slave {row.slave} came back without it (restarted?)",
            )

    async def drain(self, session: Session) -> None:
        """Process what the slave sent, in order, until cancelled. If storing fails, the stream
        is dropped: the slave keeps everything unacked and sends it again on re-attach."""
        while True:
            batch = [await session.inbox.get()]
            while len(batch) < MAX_BATCH and not session.inbox.empty():
                batch.append(session.inbox.get_nowait())
            try:
                await self._process(session, batch)
            except Exception:
                logger.exception(
                    "slave %s: storing its reports failed; dropping the stream", session.name
                )
                session.outbound.put_nowait(None)
                return

    async def _process(self, session: Session, batch: list[Inbound]) -> None:
        """Store the batch in one database call (its output, then its starts and results,
        its tasks settled there when the common case allows: store/settling.py), with other
        slaves' batches handed in meanwhile (reportgroups.py); then ack it and settle on the
        engine only the tasks that need more."""
        items = _superseded_starts_dropped(self._owned(session, batch))
        chunks = [i for i in items if isinstance(i, Chunk)]
        starts = [i for i in items if isinstance(i, Started)]
        results = [i for i in items if isinstance(i, Finished)]
        if not items:
            return
        _, settled = await self.groups.store(chunks, starts, results)
        self._ack_chunks(session, chunks)
        for item in results:
            self._acked(session, item, settled.recorded)
        ended = {settled.recorded.get(i.result.execution_id) for i in results}
        mine = {t for t in ended if t is not None} & settled.unsettled
        settled.unsettled -= mine  # each task left to the engine is settled by one drain
        for task_id in sorted(mine):
            await self.engine.settle(task_id)

    def _store_batch(
        self,
        chunks: list[Chunk],
        starts: list[Started],
        results: list[Finished],
        busy: frozenset[int],
    ) -> tuple[list[int], store_settling.Settled]:
        """On the database thread: the output (one transaction), then the starts and results
        with the tasks they end (another)."""
        chunk_tasks = self._store_output(chunks) if chunks else []
        settled = store_settling.store_reports(starts, results, busy, settling.step_end)
        return chunk_tasks, settled

    def _owned(self, session: Session, batch: list[Inbound]) -> list[Inbound]:
        """The reports about executions dispatched to this slave; the others are acked
        (so the sender stops resending them) and dropped."""
        kept: list[Inbound] = []
        foreign: set[int] = set()
        for item in batch:
            execution_id = report_execution(item)
            if execution_id in session.owned:
                kept.append(item)
                continue
            foreign.add(execution_id)
            if isinstance(item, Chunk):
                session.outbound.put_nowait(ChunkAck(execution_id, (item.seq,)))
            elif isinstance(item, Finished):
                session.outbound.put_nowait(ResultAck(execution_id))
        if foreign:
            logger.warning(
                "slave %s sent reports for execution(s) not dispatched to it, dropped: %s",
                session.name,
                ", ".join(map(str, sorted(foreign)[:20])),
            )
        return kept

    def _ack_chunks(self, session: Session, chunks: list[Chunk]) -> None:
        seqs: dict[int, list[int]] = {}
        for c in chunks:
            seqs.setdefault(c.execution_id, []).append(c.seq)
        for execution_id, acked in seqs.items():
            session.outbound.put_nowait(ChunkAck(execution_id, tuple(acked)))

    def _store_output(self, chunks: list[Chunk]) -> list[int]:
        """Store the chunks; -> the tasks they belong to (for their followers). One trip to
        the database thread; an execution's task is read once, then remembered."""
        self.capture.append(chunks, self.max_log_bytes)
        ids = {c.execution_id for c in chunks}
        unknown = [eid for eid in ids if eid not in self._task_of]
        if unknown:
            if len(self._task_of) > MAX_REMEMBERED:
                self._task_of.clear()
            self._task_of.update(tasks.task_of_executions(unknown))
        return list({self._task_of[eid] for eid in ids if eid in self._task_of})

    def _acked(self, session: Session, item: Finished, recorded: dict[int, int]) -> None:
        """Ack a stored result (a resend too); log it when it was not one."""
        result = item.result
        eid = result.execution_id
        session.outbound.put_nowait(ResultAck(eid))
        session.owned.discard(eid)
        self._redelivered.pop(eid, None)
        if eid in recorded:
            logger.info("exec %s slave %s %s (%s)", eid, session.name, result.status, result.reason)

    async def sweep(self, attached: list[str]) -> None:
        """Touch attached slaves; drop the streams of those silent for `silent_after`; mark
        executions of slaves silent past the lease as lost."""
        for name in self.engine.sessions.drop_silent(self.silent_after):
            logger.warning("slave %s silent for %g s; dropping its stream", name, self.silent_after)
        now = utcnow()
        await self.run_db(slaves.touch, attached, now)
        if time.monotonic() - self.started_at < self.lease:
            return  # give slaves a lease's time to re-attach after a master start
        cutoff = now - dt.timedelta(seconds=self.lease)
        silent = await self.run_db(executions.silent_since, cutoff)
        if silent:
            reason = f"slave silent for more than {self.lease:g} s"
            await self._close([r.id for r in silent], ExecutionStatus.LOST, reason)

    async def undeliverable(self, session: Session, order: Outbound, size: int, limit: int) -> None:
        """An order too large for the link: its execution fails with the reason (sending it
        would break the stream, and the slave would get it again at every attach)."""
        if not isinstance(order, RunOrder | CopyOrder):
            logger.error("slave %s: a %d-byte message cannot be sent; dropped", session.name, size)
            return
        eid = order.execution_id
        session.owned.discard(eid)
        why = f"the order is {size} bytes, more than the {limit} a slave link carries"
        logger.warning("exec %d slave %s: %s", eid, session.name, why)
        await self._close([eid], ExecutionStatus.FAIL, why)

    async def _close(self, ids: list[int], status: ExecutionStatus, reason: str) -> None:
        moved = await self.run_db(executions.close, ids, status, reason)
        for execution_id in ids:
            self._redelivered.pop(execution_id, None)
        for task_id in {r.task_id for r in moved}:
            logger.warning("task %d: %d execution(s) %s: %s", task_id, len(moved), status, reason)
            await self.engine.settle(task_id)

    async def recover(self, unfinished: Callable[[], list[Task]] = tasks.unfinished) -> None:
        """At start: settle tasks whose executions all ended while the master was down (in a
        cluster, this master's own: `unfinished`)."""
        for task in await self.run_db(unfinished):
            try:
                await self.engine.settle(task.id)
            except Unavailable:
                raise
            except Exception:  # one task's bad state must not keep the master from starting
                logger.exception("task %s: not recovered; left as it is", task.uuid)


def report_execution(item: Inbound) -> int:
    """The execution a report is about."""
    if isinstance(item, Finished):
        return item.result.execution_id
    return item.execution_id


def _superseded_starts_dropped(batch: list[Inbound]) -> list[Inbound]:
    """The batch with the start of an execution whose result is in it too folded into that
    result (the result records the start time): a short command costs one write, not two."""
    starts = {i.execution_id: i for i in batch if isinstance(i, Started)}
    ended = {i.result.execution_id for i in batch if isinstance(i, Finished)} & starts.keys()
    if not ended:
        return batch
    folded: list[Inbound] = []
    for item in batch:
        if isinstance(item, Started) and item.execution_id in ended:
            continue
        if isinstance(item, Finished) and item.result.execution_id in ended:
            began = item.started_at or starts[item.result.execution_id].started_at or utcnow()
            item = dataclasses.replace(item, started_at=began)
        folded.append(item)
    return folded
