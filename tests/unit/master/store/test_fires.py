"""Crontab fires in the database: claimed once, the mutex, edits, unfinished claims, pruning."""

from __future__ import annotations

import datetime as dt
import sqlite3

import peewee
import pytest

from master.cron.service import columns
from master.db.models import Crontab, CrontabFire, Job, Task
from master.domain import (
    Claim,
    Claimed,
    CrontabInput,
    CrontabStatus,
    Fire,
    Outcome,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument, NotFound
from master.store import crontabs, fires, jobs
from master.store.crontabs import naive

T = 1_714_564_800  # 2024-05-01 12:00:00 UTC
NOW = naive(T)


def the_job() -> Job:
    try:
        return jobs.get(1, "", "j")
    except NotFound:
        step = Step(
            kind=StepKind.CMD, name="s", nodes=Selector(SelectorType.BUILTIN, "n1"), script="true"
        )
        return jobs.save(1, "j", True, [step], "me")


def new_crontab(name: str = "c", mutex: str = "", cron: str = "* * * * * *") -> Crontab:
    wanted = CrontabInput(name=name, job_uuid=the_job().uuid, cron=cron, mutex=mutex)
    row = crontabs.create(1, columns(1, wanted, "UTC", T - 10), "me")
    Crontab.update(schedule_from=naive(T - 10)).where(Crontab.id == row.id).execute()
    return crontabs.get(1, row.id)


def claim_one(row: Crontab, tick: int, revision: int = 0) -> Claimed:
    claim = Claim(row.id, revision or row.revision, [Fire(tick, tick, True)])
    return fires.claim([claim], NOW)[0]


def test_a_fire_time_is_claimed_once(database: peewee.Database) -> None:
    row = new_crontab()

    first = claim_one(row, T)
    again = claim_one(row, T)

    assert first.current and [r.outcome for r in first.recorded] == [Outcome.STARTED]
    assert not again.current and again.recorded == []
    assert CrontabFire.select().count() == 1
    assert crontabs.load([row.id])[0].base == T


def test_a_fire_row_another_master_inserted_wins(database: peewee.Database) -> None:
    row = new_crontab()
    CrontabFire.create(crontab=row.id, project_id=1, fire_time=NOW, through=NOW, outcome="started")

    result = claim_one(row, T)

    assert not result.current and result.recorded == []
    assert CrontabFire.select().count() == 1


def test_an_edited_or_unavailable_crontab_refuses_an_old_claim(database: peewee.Database) -> None:
    row = new_crontab()
    crontabs.set_status(1, row.id, CrontabStatus.UNAVAILABLE, "me")

    assert not claim_one(row, T).current
    assert crontabs.load([row.id]) == []
    resumed, changed = crontabs.set_status(1, row.id, CrontabStatus.AVAILABLE, "me")
    assert changed and resumed.revision == row.revision + 2
    assert not claim_one(row, T).current  # the revision it was loaded at is gone
    assert claim_one(resumed, T).current


def test_a_running_task_holds_the_mutex(database: peewee.Database) -> None:
    row = new_crontab(mutex="nightly")
    Task.create(uuid="holder1", project=1, name="t", status=TaskStatus.RUNNING, mutex="nightly")

    result = claim_one(row, T)

    assert result.current
    assert [r.outcome for r in result.recorded] == [Outcome.SKIPPED_MUTEX]
    assert "mutex 'nightly' is held by task holder1" in result.recorded[0].reason
    Task.update(status=TaskStatus.SUCCESS).where(Task.uuid == "holder1").execute()
    assert claim_one(crontabs.get(1, row.id), T + 1).recorded[0].outcome == Outcome.STARTED


def test_one_batch_starts_one_of_two_crontabs_sharing_a_mutex(database: peewee.Database) -> None:
    a, b = new_crontab("a", mutex="m"), new_crontab("b", mutex="m")
    claims = [Claim(r.id, r.revision, [Fire(T, T, True)]) for r in (a, b)]

    results = fires.claim(claims, NOW)

    outcomes = [r.recorded[0].outcome for r in results]
    assert outcomes == [Outcome.STARTED, Outcome.SKIPPED_MUTEX]
    started = results[0].recorded[0].task_uuid
    assert f"held by task {started}" in results[1].recorded[0].reason
    # the claim holds the mutex until its task exists and has ended
    later = fires.claim([Claim(a.id, a.revision, [Fire(T + 1, T + 1, True)])], NOW)
    assert later[0].recorded[0].outcome == Outcome.SKIPPED_MUTEX


def test_unstarted_claims_are_listed_and_can_be_failed(database: peewee.Database) -> None:
    row = new_crontab()
    uuid = claim_one(row, T).recorded[0].task_uuid

    pending = fires.unstarted(NOW + dt.timedelta(seconds=1))
    assert [(p.crontab_id, p.fire_time, p.task_uuid) for p in pending] == [(row.id, T, uuid)]
    assert fires.unstarted(NOW) == []

    fires.fail(row.id, T, "job gone")

    assert fires.unstarted(NOW + dt.timedelta(seconds=1)) == []
    assert CrontabFire.get().outcome == Outcome.FAILED.value


def test_recent_is_newest_first_and_prune_keeps_the_newest(database: peewee.Database) -> None:
    a, b = new_crontab("a"), new_crontab("b")
    for tick in range(T, T + 5):
        fires.claim([Claim(r.id, r.revision, [Fire(tick, tick, False, "x")]) for r in (a, b)], NOW)

    recent = fires.recent([a.id, b.id], 2)
    assert [crontabs.unix(f.fire_time) for f in recent[a.id]] == [T + 4, T + 3]
    assert fires.prune(3) == 4
    assert [crontabs.unix(f.fire_time) for f in fires.recent([b.id], 10)[b.id]] == [
        T + 4,
        T + 3,
        T + 2,
    ]


def test_bad_crontabs_are_refused_naming_the_field(database: peewee.Database) -> None:
    job = the_job()
    with pytest.raises(InvalidArgument, match="cron: not a usable cron expression"):
        columns(1, CrontabInput("x", job.uuid, "61 * * * *"), "UTC", T)
    with pytest.raises(InvalidArgument, match="time_zone: unknown time zone 'Nowhere/Land'"):
        columns(1, CrontabInput("x", job.uuid, "* * * * *", "Nowhere/Land"), "UTC", T)
    with pytest.raises(NotFound, match="job_uuid: job 'nosuchjob' not found"):
        columns(1, CrontabInput("x", "nosuchjob", "* * * * *"), "UTC", T)


def test_a_tick_of_many_crontabs_is_claimed_in_a_few_statements(
    database: peewee.Database,
) -> None:
    rows = [new_crontab(f"c{i}") for i in range(50)]
    statements: list[str] = []
    connection: sqlite3.Connection = database.connection()  # type: ignore[no-untyped-call]
    connection.set_trace_callback(statements.append)
    try:
        results = fires.claim([Claim(r.id, r.revision, [Fire(T, T, True)]) for r in rows], NOW)
    finally:
        connection.set_trace_callback(None)

    assert all(r.current and r.recorded[0].outcome == Outcome.STARTED for r in results)
    assert len({r.recorded[0].task_uuid for r in results}) == 50
    assert CrontabFire.select().count() == 50
    assert {c.base for c in crontabs.load([r.id for r in rows])} == {T}
    # BEGIN, the crontabs, the uuids, the fire rows, the cursors, COMMIT: not one per fire
    assert len(statements) <= 6, statements


def test_a_drawn_uuid_a_task_has_is_drawn_again(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = new_crontab()
    Task.create(uuid="taken1", project=1, name="t", status=TaskStatus.SUCCESS)
    drawn = iter([["taken1"], ["fresh1"]])
    monkeypatch.setattr(fires, "draw_uuids", lambda count: next(drawn))

    assert claim_one(row, T).recorded[0].task_uuid == "fresh1"


def test_a_catch_up_claim_stops_at_a_fire_another_master_recorded(
    database: peewee.Database,
) -> None:
    row, other = new_crontab("a"), new_crontab("b")
    taken = naive(T + 1)
    CrontabFire.create(
        crontab=row.id, project_id=1, fire_time=taken, through=taken, outcome="started"
    )
    catch_up = [Fire(T, T, False, "late"), Fire(T + 1, T + 1, True), Fire(T + 2, T + 2, True)]
    claims = [Claim(row.id, row.revision, catch_up), Claim(other.id, other.revision, catch_up[:1])]

    mine, theirs = fires.claim(claims, NOW)

    assert not mine.current and [r.outcome for r in mine.recorded] == [Outcome.MISFIRED]
    assert crontabs.load([row.id])[0].base == T  # its cursor moved to what it recorded
    assert theirs.current and theirs.recorded[0].outcome == Outcome.MISFIRED
    assert CrontabFire.select().count() == 3


def test_drawn_uuids_are_distinct_letters_and_digits() -> None:
    drawn = fires.draw_uuids(2000)

    assert len(set(drawn)) == 2000
    assert all(len(u) == 12 and u.isalnum() and u.isascii() for u in drawn)
