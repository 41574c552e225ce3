"""The crontab scheduler: sleeps until the earliest fire time of the available crontabs, claims
the fires that are due (store/fires.py: one unique row per fire time, written before any task
starts), then starts their tasks through the task engine.

It keeps the crontabs in a heap ordered by next fire time, rebuilt entry by entry when the
catalogue says one changed (`poke`), and in full every `resync` seconds, which is also when it
finishes fires other masters claimed but never started, and prunes old fire records.

The fires a step claims are made tasks in one database call (cron/starts.py: in a few parts,
each claimed and its tasks written in one transaction, those whose first step is plain already
started); each part is handed to the event loop as it commits, one coroutine per part sends
what was written, and each task written not started has its first step started through the
engine. The start quota is counted on the loop before the call and given back for a claim
that started nothing.
At most `max_in_flight` of those starts run at once and at most WAITING fires wait; while
that backlog is full the scheduler claims nothing more. The bound keeps the rest of the master
(slave results, API calls) its share of the database threads when more fires are due than the
task engine can start. What the scheduler reaches late is decided by cron/misfire.py: of a
crontab's fire times due at once only the latest starts, and nothing is queued for later.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from master.cron import starts
from master.cron.expression import Schedule, ScheduleError
from master.cron.misfire import Decision, decide
from master.db.connection import DbRunner
from master.domain import CallType, Claim, Claimed, JobSubmission, Outcome, Policy, Scheduled
from master.errors import AlreadyExists, JobfleetError
from master.store import crontabs, fires
from master.store.crontabs import naive
from master.tasks import launch
from master.tasks.engine import TaskEngine

logger = logging.getLogger(__name__)

THRESHOLD = 60.0  # seconds late a fire may still start; later ones have misfired
RESYNC = 30.0  # seconds between full reloads, recoveries and prunes
MAX_IN_FLIGHT = 2  # task starts running at once (app.py: half the database threads)
WAITING = 2048  # claimed fires whose task start has not ended, at most (two ticks of 1,000)
RESUME = 1536  # once that backlog is full, claiming resumes when it is down to this
BATCH = 1024  # fires claimed in one transaction at most (a tick of a thousand crontabs)
FIRE_HISTORY = 100  # fire records kept per crontab
RECOVER_AFTER = 5.0  # a claim this old without its task is started by whichever master sees it
RECOVER_WINDOW = 60.0  # ...if its fire time is at most this old; else it is marked failed
RETRY = 1.0  # seconds to wait after the database failed a step
DRAIN = 5.0  # seconds shutdown waits for task starts


@dataclass
class Entry:
    job: Scheduled
    schedule: Schedule
    tick: int  # its next fire time, unix seconds
    seq: int = 0  # of its one live heap item; older items of the crontab are stale


class Scheduler:
    """The crontab daemon: `run()` until `shutdown()`. It sleeps until the earliest fire time,
    claims what is due (once, whatever the number of masters), starts those tasks through the
    engine, at most `max_in_flight` at once, and reloads a crontab when `poke`d after a change.
    `clock` is injected, so tests step time."""

    def __init__(
        self,
        run_db: DbRunner,
        engine: TaskEngine,
        clock: Callable[[], float] = time.time,
        threshold: float = THRESHOLD,
        max_in_flight: int = MAX_IN_FLIGHT,
        resync: float = RESYNC,
    ) -> None:
        self.run_db = run_db
        self.engine = engine
        self.clock = clock
        self.threshold = threshold
        self.max_in_flight = max_in_flight
        self.resync = resync
        self._entries: dict[int, Entry] = {}
        self._heap: list[tuple[int, int, int]] = []  # (tick, seq, crontab id)
        self._seq = itertools.count()
        self._schedules: dict[tuple[str, str], Schedule] = {}
        self._dirty: set[int] = set()
        self._starts: set[asyncio.Task[None]] = set()  # a tick's starts, or one fire's
        self._waiting = 0  # claimed fires whose task start has not ended
        self._freed = asyncio.Event()  # a fire's start ended
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[str] = set()  # task uuids being started
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._done = asyncio.Event()
        self._running = False
        self._upkeep_at = 0.0
        self._started_up = False

    def poke(self, crontab_id: int) -> None:
        """The crontab was created, edited, switched or deleted: reload it now."""
        self._dirty.add(crontab_id)
        self._wake.set()

    def heard(self, crontab_id: int | None) -> None:
        """Another master changed the crontab (None: changes may have been missed, reload
        all of them now)."""
        if crontab_id is None:
            self._upkeep_at = 0.0
            self._wake.set()
        else:
            self.poke(crontab_id)

    # --- lifecycle

    async def run(self) -> None:
        """Schedule until shutdown(); then wait up to DRAIN seconds for task starts."""
        self._running = True
        try:
            while not self._stopping.is_set():
                try:
                    await self._step()
                except JobfleetError as exc:  # the database is unavailable
                    logger.warning("scheduler: %s; trying again in %g s", exc, RETRY)
                    await self._pause(RETRY)
                except Exception:
                    logger.exception("scheduler step failed; trying again in %g s", RETRY)
                    await self._pause(RETRY)
        finally:
            await self._drain()
            self._done.set()

    async def shutdown(self) -> None:
        """Stop scheduling and wait until done; safe to call twice or before run()."""
        self._stopping.set()
        self._wake.set()
        if self._running:
            await self._done.wait()

    async def __aenter__(self) -> Scheduler:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()

    async def _drain(self) -> None:
        if self._starts:
            _, late = await asyncio.wait(set(self._starts), timeout=DRAIN)
            for task in late:
                task.cancel()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # --- the loop

    async def _step(self) -> None:
        self._wake.clear()
        if self.clock() >= self._upkeep_at:
            await self._upkeep()
        if self._dirty:
            ids, self._dirty = sorted(self._dirty), set()
            await self._reload(ids)
        free = await self._room()
        due = self._pop_due(self.clock(), min(free, BATCH))
        if due:
            await self._fire(due)
        else:
            await self._sleep_until(self._next_wake())

    async def _room(self) -> int:
        """How many more task starts may wait. When none may, it waits until the backlog is
        down to RESUME, so the next claim is one transaction for many fires, not one per start
        that ended (and it waits on one event, not on every start: that would cost the loop
        O(backlog) per start)."""
        if self._waiting >= WAITING:
            while self._waiting > RESUME:
                self._freed.clear()
                await self._freed.wait()
        return WAITING - self._waiting

    async def _sleep_until(self, when: float) -> None:
        timeout = when - self.clock()
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _next_wake(self) -> float:
        self._drop_stale()
        return min(self._heap[0][0], self._upkeep_at) if self._heap else self._upkeep_at

    def _pop_due(self, now: float, limit: int) -> list[Entry]:
        due: list[Entry] = []
        while len(due) < limit and self._heap:
            self._drop_stale()
            if not self._heap or self._heap[0][0] > now:
                break
            due.append(self._entries[heapq.heappop(self._heap)[2]])
        return due

    def _drop_stale(self) -> None:
        """Pop heap items that no longer match their crontab (edited, removed, moved on)."""
        while self._heap:
            _, seq, crontab_id = self._heap[0]
            entry = self._entries.get(crontab_id)
            if entry and entry.seq == seq:
                return
            heapq.heappop(self._heap)

    # --- loading crontabs

    async def _reload(self, ids: list[int] | None) -> None:
        """Load the available crontabs (all, or those of `ids`) and their next fire times."""
        rows = await self.run_db(crontabs.load, ids)
        if ids is None:
            self._entries.clear()
            self._heap.clear()
        for crontab_id in ids or ():
            self._entries.pop(crontab_id, None)
        following: dict[tuple[Schedule, int], int] = {}  # crontabs alike follow alike
        for row in rows:
            self._add(row, following)

    def _add(self, row: Scheduled, following: dict[tuple[Schedule, int], int]) -> None:
        key = (row.cron, row.time_zone)
        try:
            if key not in self._schedules:
                self._schedules[key] = Schedule(row.cron, row.time_zone)
            schedule = self._schedules[key]
            if (schedule, row.base) not in following:
                following[schedule, row.base] = schedule.next_after(row.base)
            entry = Entry(row, schedule, following[schedule, row.base])
        except ScheduleError as exc:
            logger.error("crontab %d %r: cannot schedule: %s", row.id, row.cron, exc)
            return
        self._entries[row.id] = entry
        self._push(entry)

    def _push(self, entry: Entry) -> None:
        entry.seq = next(self._seq)
        heapq.heappush(self._heap, (entry.tick, entry.seq, entry.job.id))

    # --- firing

    async def _fire(self, due: list[Entry]) -> None:
        now = self.clock()
        decisions: dict[int, Decision] = {}
        decided: dict[tuple[Schedule, int, str, int], Decision] = {}  # alike crontabs decide alike
        for entry in due:
            alike = (entry.schedule, entry.tick, entry.job.policy, entry.job.grace)
            try:
                if alike not in decided:
                    policy = Policy(entry.job.policy)
                    decided[alike] = decide(
                        entry.schedule, entry.tick, now, policy, entry.job.grace, self.threshold
                    )
                decisions[entry.job.id] = decided[alike]
            except ScheduleError as exc:
                logger.error("crontab %d: cannot decide its fires: %s", entry.job.id, exc)
        claims = [
            Claim(e.job.id, e.job.revision, decisions[e.job.id].fires)
            for e in due
            if e.job.id in decisions
        ]
        sessions = await self.engine.routable()  # with several masters, their slaves too
        took, refused = self._admit(claims)
        tick = starts.Tick(
            jobs={e.job.id: e.job for e in due},
            refused=refused,
            limit=self.engine.limit,
            max_running=self.engine.quotas.max_running_tasks,
            sessions=sessions,
            opened=self.engine.opened,
        )
        loop = asyncio.get_running_loop()

        def ready(chunk: starts.Chunk) -> None:  # on the database thread
            loop.call_soon_threadsafe(self._written, chunk, decisions, took)

        await self.run_db(starts.claim_and_write, claims, naive(now), tick, ready)

    def _admit(self, claims: list[Claim]) -> tuple[dict[int, int], dict[int, JobfleetError]]:
        """The start quota counted for each claim that may start a task, as engine.submit_job
        counts a submission (a claim starts at most one fire: misfire.py): the crontabs
        counted (their project), and those refused (why)."""
        took: dict[int, int] = {}
        refused: dict[int, JobfleetError] = {}
        for claim in claims:
            if not any(fire.start for fire in claim.fires):
                continue
            project_id = self._entries[claim.crontab_id].job.project_id
            try:
                self.engine.start_rate.take(project_id)
                took[claim.crontab_id] = project_id
            except JobfleetError as exc:
                refused[claim.crontab_id] = exc
        return took, refused

    def _written(
        self, chunk: starts.Chunk, decisions: dict[int, Decision], took: dict[int, int]
    ) -> None:
        """A chunk of the tick committed: its crontabs' next fire times pushed and its tasks
        started; the quota counted for a claim that started nothing given back (as for a
        submission that wrote no task); a chunk not claimed: its crontabs reloaded."""
        if chunk.claimed is None:
            self._dirty.update(c.crontab_id for c in chunk.claims)
        for result in chunk.claimed or ():
            self._claimed(result, decisions[result.crontab_id])
        started = {sub.crontab_id for sub, _, _ in chunk.started}
        for claim in chunk.claims:
            if claim.crontab_id in took and claim.crontab_id not in started:
                self.engine.start_rate.give_back(took[claim.crontab_id])
        if not chunk.started:
            return
        for sub, _, _ in chunk.started:
            self._in_flight.add(sub.task_uuid)
        self._waiting += len(chunk.started)
        self._track(asyncio.create_task(self._start_chunk(chunk.started)))

    def _claimed(self, result: Claimed, decided: Decision) -> None:
        """Log the fires not started; push the crontab's next fire time (or reload it)."""
        entry = self._entries[result.crontab_id]  # only _step changes entries, not during _fire
        for record in result.recorded:
            if record.outcome != Outcome.STARTED:
                logger.info(
                    "crontab %d fire %d %s: %s",
                    entry.job.id,
                    record.fire_time,
                    record.outcome,
                    record.reason,
                )
        if result.current:
            entry.tick = decided.next_tick
            self._push(entry)
        else:
            self._dirty.add(entry.job.id)

    async def _start_chunk(
        self, started: list[tuple[JobSubmission, int, starts.Outcome | Exception]]
    ) -> None:
        """Each task of a committed chunk started: one written started is only sent (here,
        in turn: no database call, so one coroutine for the chunk rather than one per fire);
        one written not started is settled on its own, at most `max_in_flight` at once."""
        handled = 0
        try:
            for sub, fire_time, outcome in started:
                handled += 1
                if isinstance(outcome, launch.Launched) and outcome.rows is not None:
                    await self._submit(sub, fire_time, outcome)
                else:
                    self._track(asyncio.create_task(self._submit(sub, fire_time, outcome)))
        finally:
            for sub, _, _ in started[handled:]:  # cancelled (shutdown) before their turn
                self._done_with(sub)

    def _start(self, sub: JobSubmission, fire_time: int) -> None:
        """Start a fire recovered from a stopped master: submitted alone."""
        self._in_flight.add(sub.task_uuid)
        self._waiting += 1
        self._track(asyncio.create_task(self._submit(sub, fire_time, None)))

    def _track(self, task: asyncio.Task[None]) -> None:
        self._starts.add(task)
        task.add_done_callback(self._starts.discard)

    def _done_with(self, sub: JobSubmission) -> None:
        self._in_flight.discard(sub.task_uuid)
        self._waiting -= 1
        self._freed.set()

    async def _submit(
        self, sub: JobSubmission, fire_time: int, written: starts.Outcome | Exception | None
    ) -> None:
        """Start the fire's task: written with its tick's (sent, or its first step started
        by settling it), or, for a fire recovered from a stopped master, submitted alone."""
        try:
            if isinstance(written, Exception):  # not written: why
                raise written
            if written is None:
                async with self._slots:
                    await self.engine.submit_job(sub)
            else:
                logger.debug("task %s (crontab %d) written", sub.task_uuid, sub.crontab_id)
                async with self._slots:
                    if isinstance(written, launch.Launched):
                        await self.engine.begin(written)
                    else:
                        await self.engine.settle(written)
            logger.debug(
                "crontab %d fire %d started task %s", sub.crontab_id, fire_time, sub.task_uuid
            )
        except AlreadyExists:
            pass  # another master started this claimed fire first
        except Exception as exc:
            reason = str(exc) if isinstance(exc, JobfleetError) else f"internal error: {exc!r}"
            logger.warning(
                "crontab %d fire %d: the task could not start: %s",
                sub.crontab_id,
                fire_time,
                reason,
            )
            with contextlib.suppress(JobfleetError):
                await self.run_db(fires.fail, sub.crontab_id, fire_time, reason)
        finally:
            self._done_with(sub)

    # --- upkeep: full reload, unfinished claims, old records

    async def _upkeep(self) -> None:
        """Run again at the next step if any part fails (the database may be away)."""
        now = self.clock()
        await self._reload(None)
        # At start, every claim without its task is a stopped master's (or an idempotent race).
        await self._recover(now, now if not self._started_up else now - RECOVER_AFTER)
        self._started_up = True
        pruned = await self.run_db(fires.prune, FIRE_HISTORY)
        self._upkeep_at = now + self.resync
        logger.debug(
            "scheduler upkeep: %d crontab(s), %d old fire(s) pruned", len(self._entries), pruned
        )

    async def _recover(self, now: float, claimed_before: float) -> None:
        for fire in await self.run_db(fires.unstarted, naive(claimed_before)):
            if fire.task_uuid in self._in_flight:
                continue
            if now - fire.fire_time > RECOVER_WINDOW:
                reason = "claimed by a master that stopped before starting its task"
                await self.run_db(fires.fail, fire.crontab_id, fire.fire_time, reason)
                continue
            logger.info(
                "crontab %d fire %d: starting the task its master did not start",
                fire.crontab_id,
                fire.fire_time,
            )
            sub = JobSubmission(
                project_id=fire.project_id,
                job_uuid=fire.job_uuid,
                task_uuid=fire.task_uuid,
                submitter=fire.submitter,
                call_type=CallType.CRONTAB,
                mutex=fire.mutex,
                crontab_id=fire.crontab_id,
            )
            self._start(sub, fire.fire_time)
