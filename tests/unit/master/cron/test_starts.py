"""A tick claimed and written in parts: each part is handed on once committed, with a task for
every fire it recorded started, and claiming the tick again starts nothing more."""

from __future__ import annotations

import time

import peewee
import pytest

from master.catalogue.variables import RenderLimit
from master.cron import starts
from master.cron.service import columns
from master.db.connection import db
from master.db.models import Crontab, CrontabFire, Task
from master.domain import Claim, CrontabInput, Fire, Outcome, Selector, SelectorType, Step, StepKind
from master.slaves.sessions import SlaveSessions
from master.store import crontabs, jobs, slaves
from master.store.crontabs import naive

T0 = (int(time.time()) // 60 - 180) * 60


def tick_of(count: int) -> tuple[list[Claim], starts.Tick]:
    slaves.register("n1", "host", [], "test")  # known, never attached: executions fail at once
    step = Step(
        kind=StepKind.CMD, name="s", nodes=Selector(SelectorType.BUILTIN, "n1"), script="true"
    )
    job = jobs.save(1, "j", True, [step], "me")
    for i in range(count):
        wanted = CrontabInput(name=f"c{i}", job_uuid=job.uuid, cron="* * * * * *")
        crontabs.create(1, columns(1, wanted, "UTC", T0), "me")
    Crontab.update(schedule_from=naive(T0)).execute()
    held = {row.id: row for row in crontabs.load(None)}
    fire = Fire(T0 + 10, T0 + 10, True)
    claims = [Claim(row.id, row.revision, [fire]) for row in held.values()]
    opened = SlaveSessions().snapshot()
    return claims, starts.Tick(held, {}, RenderLimit(), 0, opened, lambda a: (a, ""))


def test_each_part_is_handed_on_committed_with_its_tasks_and_a_second_claim_adds_none(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(starts, "CHUNK", 2)
    claims, tick = tick_of(7)
    parts: list[list[int]] = []

    def ready(part: starts.Chunk) -> None:
        assert part.claimed is not None and not db.in_transaction()
        uuids = [sub.task_uuid for sub, _, _ in part.started]
        assert Task.select().where(Task.uuid.in_(uuids)).count() == len(uuids) == len(part.claims)
        parts.append([c.crontab_id for c in part.claims])

    starts.claim_and_write(claims, naive(T0 + 11), tick, ready)

    assert parts == [[c.crontab_id for c in claims[i : i + 2]] for i in range(0, 7, 2)]
    fires = list(CrontabFire.select())
    assert len(fires) == 7 and {f.outcome for f in fires} == {Outcome.STARTED}
    assert Task.select().count() == 7
    again: list[starts.Chunk] = []
    starts.claim_and_write(claims, naive(T0 + 12), tick, again.append)
    assert [c.started for c in again] == [[]] * 4 and Task.select().count() == 7
