"""What the dashboard's counts read: crontabs by status (a crontab created unavailable is not
scheduled), permanent jobs."""

from __future__ import annotations

import time

import peewee

from master.cron.service import columns
from master.domain import (
    CrontabInput,
    CrontabStatus,
    ListFilter,
    Selector,
    SelectorType,
    Step,
    StepKind,
)
from master.store import crontabs, jobs

STEP = Step(kind=StepKind.CMD, name="s", nodes=Selector(SelectorType.BUILTIN, "n1"), script="true")


def crontab(name: str, job_uuid: str, status: CrontabStatus) -> int:
    wanted = CrontabInput(name=name, job_uuid=job_uuid, cron="* * * * *")
    values = {**columns(1, wanted, "UTC", time.time()), "status": status.value}
    return int(crontabs.create(1, values, "me").id)


def test_crontabs_are_counted_by_status_and_an_unavailable_one_is_not_scheduled(
    database: peewee.Database,
) -> None:
    job = jobs.save(1, "j", True, [STEP], "me")
    off = crontab("off", job.uuid, CrontabStatus.UNAVAILABLE)
    on = crontab("on", job.uuid, CrontabStatus.AVAILABLE)
    crontab("off too", job.uuid, CrontabStatus.UNAVAILABLE)

    def total(status: CrontabStatus | None) -> int:
        return crontabs.search(1, ListFilter(limit=1), status)[1]

    assert (total(None), total(CrontabStatus.AVAILABLE), total(CrontabStatus.UNAVAILABLE)) == (
        3,
        1,
        2,
    )
    assert [s.id for s in crontabs.load()] == [on]
    crontabs.set_status(1, off, CrontabStatus.AVAILABLE, "me")
    assert sorted(s.id for s in crontabs.load()) == sorted([on, off])


def test_permanent_jobs_only(database: peewee.Database) -> None:
    kept = jobs.save(1, "kept", True, [STEP], "me")
    jobs.save(1, "once", False, [STEP], "me")

    rows, total = jobs.search(1, ListFilter(), permanent_only=True)

    assert ([r.id for r in rows], total) == ([kept.id], 1)
    assert jobs.search(1, ListFilter())[1] == 2
