"""The scheduler on a real database and task engine, with its clock moved: an outage becomes one
misfire record, and a claim whose master stopped before its task is finished at start."""

from __future__ import annotations

import asyncio
import time

import peewee

from master.cron.scheduler import Scheduler
from master.cron.service import columns
from master.db.connection import DbRunner
from master.db.models import Crontab, CrontabFire, Task
from master.domain import CrontabInput, Outcome, Selector, SelectorType, Step, StepKind
from master.slaves.sessions import SlaveSessions
from master.store import crontabs, jobs, slaves
from master.store.crontabs import naive, unix
from master.tasks.engine import TaskEngine
from master.tasks.events import TaskEvents

T0 = (int(time.time()) // 60 - 180) * 60  # a whole minute, three hours ago


def minute_crontab() -> Crontab:
    slaves.register("n1", "host", [], "test")  # known, never attached: tasks fail at once
    step = Step(
        kind=StepKind.CMD, name="s", nodes=Selector(SelectorType.BUILTIN, "n1"), script="true"
    )
    job = jobs.save(1, "j", True, [step], "me")
    wanted = CrontabInput(name="every minute", job_uuid=job.uuid, cron="* * * * *")
    row = crontabs.create(1, columns(1, wanted, "UTC", T0), "me")
    Crontab.update(schedule_from=naive(T0)).where(Crontab.id == row.id).execute()
    return row


def run_scheduler(now: float, seconds: float = 1.0) -> None:
    """Run a scheduler whose clock reads `now` at start, for `seconds` of real time."""
    began = time.monotonic()

    async def main() -> None:
        run_db = DbRunner(2)
        engine = TaskEngine(run_db, SlaveSessions(), TaskEvents())
        scheduler = Scheduler(run_db, engine, clock=lambda: now + time.monotonic() - began)
        running = asyncio.create_task(scheduler.run())
        await asyncio.sleep(seconds)
        await scheduler.shutdown()
        await running

    asyncio.run(main())


def test_an_hour_down_is_one_misfire_record_then_the_latest_fire_starts(
    database: peewee.Database,
) -> None:
    row = minute_crontab()

    run_scheduler(now=T0 + 3600 + 20)

    found = [
        (f.outcome, unix(f.fire_time), unix(f.through), f.task_uuid)
        for f in CrontabFire.select().order_by(CrontabFire.fire_time)
    ]
    assert [f[:3] for f in found] == [
        (Outcome.MISFIRED, T0 + 60, T0 + 3540),
        (Outcome.STARTED, T0 + 3600, T0 + 3600),
    ]
    task = Task.get(Task.uuid == found[1][3])
    assert (task.call_type, task.crontab_id) == ("crontab", row.id)
    through = crontabs.get(1, row.id).through
    assert through is not None and unix(through) == T0 + 3600


def test_at_start_a_claim_without_its_task_is_started_or_failed_by_age(
    database: peewee.Database,
) -> None:
    row = minute_crontab()
    now = T0 + 7200 + 30
    recent, old = T0 + 7200, T0 + 7140 - 3600
    for tick, uuid in ((old, "old1"), (recent, "recent1")):
        CrontabFire.create(
            crontab=row.id,
            project_id=1,
            fire_time=naive(tick),
            through=naive(tick),
            outcome=Outcome.STARTED.value,
            task_uuid=uuid,
            recorded_at=naive(tick),
        )
    Crontab.update(through=naive(recent)).where(Crontab.id == row.id).execute()

    run_scheduler(now=now)

    outcomes = {f.task_uuid: f.outcome for f in CrontabFire.select()}
    assert outcomes == {"old1": Outcome.FAILED, "recent1": Outcome.STARTED}
    assert Task.get(Task.uuid == "recent1").crontab_id == row.id
    assert not Task.select().where(Task.uuid == "old1").exists()


def test_a_tick_starts_each_crontabs_task_and_fails_the_fires_of_a_job_it_cannot_plan(
    database: peewee.Database,
) -> None:
    good = [minute_crontab()]
    step = Step(
        kind=StepKind.CMD, name="s", nodes=Selector(SelectorType.BUILTIN, "nowhere"), script="true"
    )
    bad_job = jobs.save(1, "bad", True, [step], "me")
    for i in range(1, 5):
        wanted = CrontabInput(
            name=f"c{i}", job_uuid=(bad_job.uuid if i > 2 else good[0].job.uuid), cron="* * * * *"
        )
        row = crontabs.create(1, columns(1, wanted, "UTC", T0), "me")
        Crontab.update(schedule_from=naive(T0)).where(Crontab.id == row.id).execute()
        if i <= 2:
            good.append(row)

    run_scheduler(now=T0 + 60 + 1)

    fires = {f.crontab_id: f for f in CrontabFire.select()}
    assert len(fires) == 5 and {unix(f.fire_time) for f in fires.values()} == {T0 + 60}
    started = Task.select().where(Task.crontab_id.in_([r.id for r in good]))
    assert sorted(t.crontab_id for t in started) == sorted(r.id for r in good)
    assert {t.uuid for t in started} == {fires[r.id].task_uuid for r in good}
    failed = [f for f in fires.values() if f.outcome == Outcome.FAILED]
    assert len(failed) == 2 and all("nowhere" in f.reason for f in failed)
