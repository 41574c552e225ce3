"""A tick's fires claimed and made tasks (synchronous: one call on a database thread).

The tick is claimed in a few parts (claim_and_write), each part's fires claimed (store/fires.py)
and their tasks written in ONE transaction, then handed to the event loop as it commits: the
tick's first tasks are started (committed, visible) while its later fires are still to claim,
and a fire recorded started always has its task. The fires of one tick read the same
catalogue, so each distinct job (and submitter) is planned once per tick, not once per fire,
and each part's tasks are written together (store/taskbatch.py); the engine then starts each
task's first step (`settle`), as it does after writing a task it was submitted. A task whose
first step is plain is written already started instead (tasks/launch.py `launch_many`,
store/taskstarts.py: routed once per distinct first step over the tick; the engine only sends
what it wrote), as a submitted one is. A submission that cannot be planned gives each of its
fires the error submit_job would have raised."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from master.catalogue.variables import RenderLimit
from master.db.connection import write_transaction
from master.domain import CallType, Claim, Claimed, JobSubmission, NewTask, Scheduled
from master.domain import Outcome as FireOutcome
from master.errors import JobfleetError
from master.slaves.sessions import SlaveSessions
from master.store import fires, taskbatch
from master.tasks import launch, submit

ALIKE = [f.name for f in dataclasses.fields(JobSubmission)]
ALIKE = [n for n in ALIKE if n not in ("task_uuid", "mutex", "crontab_id")]
"""What submissions planned alike have in common: all but what job_task copies into the task."""
Outcome = launch.Launched | int | JobfleetError
"""A fire's task written started (its executions to send), written not started (its id, for
the engine to settle), or why its task was not written."""


def write_tasks(
    subs: list[JobSubmission],
    limit: RenderLimit,
    max_running: int,
    sessions: SlaveSessions,
    opened: launch.Opener,
) -> list[Outcome]:
    """Plan and write the submissions' tasks; for each, in order, its outcome."""
    routes = launch.Routes(sessions, opened)
    return write_planned(plan_each(subs, limit), max_running, routes, {})


Plain = dict[tuple[int, object], tuple[object, bool]]
"""Whether a first step is plain (launch.fast_step), by the id of its spec (kept with it)."""


def write_planned(
    planned: list[NewTask | JobfleetError], max_running: int, routes: launch.Routes, plain: Plain
) -> list[Outcome]:
    """Write the planned tasks (those whose first step is plain, started); for each, in order,
    its outcome. `routes` and `plain` may be kept over a tick's parts."""
    out: list[NewTask | Outcome] = list(planned)
    fast = _plain_ones(out, plain)
    if fast:
        plans = [cast(NewTask, out[i]) for i in fast]
        started = launch.launch_many(plans, max_running, routes.sessions, routes.opened, routes)
        for index, launched in zip(fast, started, strict=True):
            out[index] = launched
    news = [p for p in out if isinstance(p, NewTask)]
    written = iter(taskbatch.create_many(news, max_running) if news else [])
    return [next(written) if isinstance(p, NewTask) else p for p in out]


def _plain_ones(planned: list[NewTask | Outcome], decided: Plain) -> list[int]:
    """Where the tasks whose first step is plain (launch.fast_step) are, decided once per
    first step (in `decided`, kept with the step's spec, so as long as the routes are): the
    tick's fires of one job share its spec."""
    found: list[int] = []
    for index, plan in enumerate(planned):
        if not isinstance(plan, NewTask):
            continue
        spec = plan.steps[0].spec if plan.steps else None
        alike = (id(spec), plan.mode)
        known = decided.get(alike)
        if known is None or known[0] is not spec:  # the id of another object, since freed
            known = decided[alike] = (spec, launch.fast_step(plan) is not None)
        if known[1]:
            found.append(index)
    return found


def plan_each(subs: list[JobSubmission], limit: RenderLimit) -> list[NewTask | JobfleetError]:
    """Each submission's task as submit.job_task plans it, planning alike ones once: they
    differ only in the uuid, mutex and crontab that job_task copies into the task."""
    plans: dict[str, NewTask | JobfleetError] = {}
    out: list[NewTask | JobfleetError] = []
    for sub in subs:
        alike = repr(tuple(getattr(sub, name) for name in ALIKE))
        if alike not in plans:
            plans[alike] = _plan(sub, limit)
        out.append(_as_fire(plans[alike], sub))
    return out


class Plans:
    """A tick's fires planned, each distinct job (and submitter) once over the whole tick:
    submission() sets nothing else that planning reads."""

    def __init__(self, limit: RenderLimit) -> None:
        self.limit = limit
        self._found: dict[tuple[int, str, str], NewTask | JobfleetError] = {}

    def each(self, subs: list[JobSubmission]) -> list[NewTask | JobfleetError]:
        out: list[NewTask | JobfleetError] = []
        for sub in subs:
            alike = (sub.project_id, sub.job_uuid, sub.submitter)
            if alike not in self._found:
                self._found[alike] = _plan(sub, self.limit)
            out.append(_as_fire(self._found[alike], sub))
        return out


def _as_fire(plan: NewTask | JobfleetError, sub: JobSubmission) -> NewTask | JobfleetError:
    """The plan with the fire's uuid, mutex and crontab, as dataclasses.replace makes it, at a
    tenth of its cost (it runs once per fire; the plan's fields are shared, as replace shares
    them): a field-for-field copy of the frozen plan."""
    if not isinstance(plan, NewTask):
        return plan
    copied = object.__new__(NewTask)
    copied.__dict__.update(plan.__dict__)
    copied.__dict__.update(uuid=sub.task_uuid, mutex=sub.mutex, crontab_id=sub.crontab_id)
    return copied


def _plan(sub: JobSubmission, limit: RenderLimit) -> NewTask | JobfleetError:
    try:
        return submit.job_task(sub, limit)
    except JobfleetError as exc:
        return exc


CHUNKS = 4  # a tick's fires are claimed and their tasks written in about this many parts...
CHUNK = 100  # ...of at least this many fires each
"""A tick's first tasks are committed (started, visible) while its later fires are still to
claim: its median task waits for half the tick's work, not all of it. Each part costs a few
statements more (a transaction, the crontabs read, uuids drawn), so a tick has few parts."""


@dataclass(frozen=True)
class Tick:
    """What a tick's thread needs besides its claims: the crontabs as the scheduler holds them,
    the fires the start quota refused (by crontab), and what write_tasks takes."""

    jobs: dict[int, Scheduled]
    refused: dict[int, JobfleetError]
    limit: RenderLimit
    max_running: int
    sessions: SlaveSessions
    opened: launch.Opener


@dataclass(frozen=True)
class Chunk:
    """A chunk of a tick, committed: what was claimed and each started fire's task (submission,
    fire time, outcome); or, `claimed` None, not claimed (`claims`: reload those crontabs)."""

    claims: list[Claim]
    claimed: list[Claimed] | None
    started: list[tuple[JobSubmission, int, Outcome | Exception]]


def claim_and_write(
    claims: list[Claim], now: dt.datetime, tick: Tick, ready: Callable[[Chunk], None]
) -> None:
    """Claim the tick's fires and write their tasks, CHUNK fires per transaction, each chunk
    handed to `ready` once committed (claim and task together: a fire recorded started has its
    task). A chunk that fails is rolled back whole; it and the rest are handed on unclaimed
    and the error raised."""
    plans, plain = Plans(tick.limit), Plain()
    routes = launch.Routes(tick.sessions, tick.opened)
    size = max(CHUNK, len(claims) // CHUNKS + 1)  # its median fire in the first half
    for start in range(0, len(claims), size):
        chunk = claims[start : start + size]
        try:
            with write_transaction():
                claimed = fires.claim(chunk, now)
                started = _write_claimed(claimed, tick, plans, routes, plain)
        except BaseException:
            ready(Chunk(claims[start:], None, []))
            raise
        ready(Chunk(chunk, claimed, started))


def _write_claimed(
    claimed: list[Claimed], tick: Tick, plans: Plans, routes: launch.Routes, plain: Plain
) -> list[tuple[JobSubmission, int, Outcome | Exception]]:
    """The tasks of the fires recorded started, written (within the claim's transaction)."""
    started = [
        (submission(tick.jobs[c.crontab_id], r.task_uuid), r.fire_time)
        for c in claimed
        for r in c.recorded
        if r.outcome == FireOutcome.STARTED
    ]
    todo = [sub for sub, _ in started if sub.crontab_id not in tick.refused]
    planned = plans.each(todo)
    written = iter(write_planned(planned, tick.max_running, routes, plain) if todo else [])
    return [
        (sub, fire_time, tick.refused.get(sub.crontab_id) or next(written))
        for sub, fire_time in started
    ]


def submission(job: Scheduled, task_uuid: str) -> JobSubmission:
    """The task a fire of `job` starts, under the uuid its claim recorded."""
    return JobSubmission(
        project_id=job.project_id,
        job_uuid=job.job_uuid,
        task_uuid=task_uuid,
        submitter=job.submitter,
        call_type=CallType.CRONTAB,
        mutex=job.mutex,
        crontab_id=job.id,
    )
