"""A tick's claimed fires made tasks together (synchronous: one call on a database thread).

The fires of one tick read the same catalogue, so each distinct submission (a crontab's job,
its submitter) is planned once per tick, not once per fire, and every task is written in one
transaction (store/taskbatch.py); the engine then starts each task's first step (`settle`),
as it does after writing a task it was submitted. A task whose first step is plain is written
already started instead, all of them in one more transaction within the same call
(tasks/launch.py `launch_many`, store/taskstarts.py: routed once per distinct first step; the
engine only sends what it wrote), as a submitted one is. A submission that cannot be planned
gives each of its fires the error submit_job would have raised."""

from __future__ import annotations

import dataclasses
from typing import cast

from master.catalogue.variables import RenderLimit
from master.domain import JobSubmission, NewTask
from master.errors import JobfleetError
from master.slaves.sessions import SlaveSessions
from master.store import taskbatch
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
    planned: list[NewTask | Outcome] = list(plan_each(subs, limit))
    fast = _plain_ones(planned)
    if fast:
        plans = [cast(NewTask, planned[i]) for i in fast]
        for index, launched in zip(fast, launch.launch_many(plans, max_running, sessions, opened)):
            planned[index] = launched
    news = [p for p in planned if isinstance(p, NewTask)]
    written = iter(taskbatch.create_many(news, max_running) if news else [])
    return [next(written) if isinstance(p, NewTask) else p for p in planned]


def _plain_ones(planned: list[NewTask | Outcome]) -> list[int]:
    """Where the tasks whose first step is plain (launch.fast_step) are, decided once per
    first step: the tick's fires of one job share its spec (all alive in `planned`)."""
    decided: dict[tuple[int, object], bool] = {}
    found: list[int] = []
    for index, plan in enumerate(planned):
        if not isinstance(plan, NewTask):
            continue
        alike = (id(plan.steps[0].spec) if plan.steps else 0, plan.mode)
        if alike not in decided:
            decided[alike] = launch.fast_step(plan) is not None
        if decided[alike]:
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
        plan = plans[alike]
        if isinstance(plan, NewTask):
            plan = dataclasses.replace(
                plan, uuid=sub.task_uuid, mutex=sub.mutex, crontab_id=sub.crontab_id
            )
        out.append(plan)
    return out


def _plan(sub: JobSubmission, limit: RenderLimit) -> NewTask | JobfleetError:
    try:
        return submit.job_task(sub, limit)
    except JobfleetError as exc:
        return exc
