"""Every report against a brute-force count in Python over a generated history in a real store:
tasks just before and after local midnights, hour starts and the window's first instant, in zones
with DST changes inside the window and with a quarter-hour offset; the tally the triggers keep
stays right through updates, run times set as tasks end, and deletes."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import peewee
import pytest

from master.db.models import Project, Task
from master.domain import NO_PROJECT, TaskStatus
from master.errors import InvalidArgument
from master.reports import calendar, service
from master.store import tasks

MS = dt.timedelta(milliseconds=1)
STATUSES = ["success", "success", "fail", "running", "killed", "waiting", "init"]
RUNTIMES = [None, 0, 59_999, 60_000, 179_999, 180_000, 299_999, 300_000, 599_999, 600_000]
RUNTIMES += [1_799_999, 1_800_000, 86_400_000]
BAND_EDGES_S = [60, 180, 300, 600, 1800]
CASES = [
    # (zone, now): a DST change inside the window (both ways; in Berlin 30 x 24 h back from
    # 00:20 lands on the day before 30 wall-clock days back), and a +05:45 zone
    ("America/New_York", dt.datetime(2026, 11, 20, 12, 30, tzinfo=ZoneInfo("America/New_York"))),
    ("Europe/Berlin", dt.datetime(2026, 4, 10, 0, 20, tzinfo=ZoneInfo("Europe/Berlin"))),
    ("Asia/Kathmandu", dt.datetime(2026, 6, 1, 23, 50, tzinfo=ZoneInfo("Asia/Kathmandu"))),
]


def naive_utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC).replace(tzinfo=None)


def edges(now: dt.datetime, zone: ZoneInfo) -> list[dt.datetime]:
    """Instants around every local midnight and some hour starts of the window, and its start."""
    start = calendar.midnight(
        (now.astimezone(dt.UTC) - calendar.WINDOW).astimezone(zone).date(), zone
    )
    found = [start - MS, start, start + MS]
    for back in range(32):
        day = now.date() - dt.timedelta(days=back)
        found += [calendar.midnight(day, zone) + d for d in (-MS, dt.timedelta(), MS)]
        for hour in (1, 2, 3, 13):
            begin = dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)
            found += [begin - MS, begin, begin + MS]
    return found


def fill(now: dt.datetime, zone: ZoneInfo, seed: int) -> None:
    """Projects 1..3 with tasks started over the 35 days before now (and some at edges), some
    never started; written, then changed, ended and partly deleted through the store."""
    rand = random.Random(seed)
    for pid in (1, 2, 3):
        Project.insert(id=pid, name=f"p{pid}").on_conflict_ignore().execute()
    starts = [now - dt.timedelta(seconds=rand.uniform(0, 35 * 86400)) for _ in range(600)]
    starts += edges(now, zone)
    rows = [
        {
            "project": rand.choice((1, 1, 2, 3)),
            "uuid": f"t{i}",
            "name": f"task {i}",
            "submitter": rand.choice(("alice", "bob")),
            "status": rand.choice(STATUSES),
            "started_at": naive_utc(start),
            "runtime_ms": rand.choice(RUNTIMES),
        }
        for i, start in enumerate(starts)
    ]
    rows += [{"project": 1, "uuid": f"n{i}", "name": "never", "status": "init"} for i in range(5)]
    Task.insert_many(rows).execute()
    ids = [t.id for t in Task.select(Task.id)]
    for task_id in rand.sample(ids, 60):  # the tally follows every counted change
        Task.update(status="running", runtime_ms=None).where(Task.id == task_id).execute()
        tasks.finish(task_id, rand.choice([TaskStatus.SUCCESS, TaskStatus.FAIL]))
    for task_id in rand.sample(ids, 30):
        moved = now - dt.timedelta(seconds=rand.uniform(0, 32 * 86400))
        Task.update(started_at=naive_utc(moved), project=rand.choice((1, 2))).where(
            Task.id == task_id
        ).execute()
    Task.delete().where(Task.id.in_(rand.sample(ids, 40))).execute()


def started(project_id: int) -> list[Task]:
    query = Task.select().where(Task.started_at.is_null(False))
    if project_id != NO_PROJECT:
        query = query.where(Task.project == project_id)
    return list(query)


def local(row: Task, zone: ZoneInfo) -> dt.datetime:
    assert row.started_at is not None
    return row.started_at.replace(tzinfo=dt.UTC).astimezone(zone)


def in_window(row: Task, now: dt.datetime, zone: ZoneInfo) -> bool:
    first = (now.astimezone(dt.UTC) - calendar.WINDOW).astimezone(zone).date()
    return local(row, zone) >= calendar.midnight(first, zone)


def band(row: Task) -> int:
    if row.runtime_ms is None:
        return 5
    return next((i for i, s in enumerate(BAND_EDGES_S) if row.runtime_ms < s * 1000), 5)


@pytest.mark.parametrize(("zone_name", "now"), CASES)
def test_every_report_equals_a_brute_force_count(
    database: peewee.Database, zone_name: str, now: dt.datetime
) -> None:
    zone = ZoneInfo(zone_name)
    fill(now, zone, seed=len(zone_name))
    clock = now.timestamp()

    for pid in (1, 2, NO_PROJECT):
        rows = started(pid)
        window = [r for r in rows if in_window(r, now, zone)]
        days = [now.date() - dt.timedelta(days=b) for b in range(29, -1, -1)]
        expected_days = [
            service.DayCount(
                d,
                sum(local(r, zone).date() == d for r in rows),
                sum(local(r, zone).date() == d and r.status == "success" for r in rows),
            )
            for d in days
        ]
        assert service.daily(pid, clock, zone) == expected_days
        assert service.hourly(pid, clock, zone) == dict(
            Counter(local(r, zone).hour for r in window)
        )
        total, bands = service.runtimes(pid, clock, zone)
        by_band = Counter(band(r) for r in window)
        assert (total, [b.count for b in bands]) == (len(window), [by_band[i] for i in range(6)])
        assert [(b.from_minutes, b.to_minutes) for b in bands] == [
            (0, 1), (1, 3), (3, 5), (5, 10), (10, 30), (30, 0)
        ]  # fmt: skip
        per_project = Counter(r.project_id for r in window)
        expected = sorted(per_project.items(), key=lambda pc: (-pc[1], pc[0]))
        assert service.per_project(pid, clock, zone) == expected
        assert [r.id for r in service.recent(pid, 7)] == sorted(
            [t.id for t in Task.select(Task.id, Task.project) if pid in (NO_PROJECT, t.project_id)],
            reverse=True,
        )[:7]


def test_the_days_of_a_dst_change_are_23_and_25_hours_long() -> None:
    zone = ZoneInfo("Europe/Berlin")
    now = dt.datetime(2026, 10, 26, 12, tzinfo=zone).timestamp()
    days, bounds = calendar.last_days(now, zone)
    lengths = dict(zip(days, [(b - a) / 4 for a, b in zip(bounds, bounds[1:])], strict=True))
    assert lengths[dt.date(2026, 10, 25)] == 25
    assert lengths[dt.date(2026, 10, 24)] == 24
    spring = calendar.last_days(dt.datetime(2026, 4, 1, tzinfo=zone).timestamp(), zone)
    assert (
        dict(zip(spring[0], [(b - a) / 4 for a, b in zip(spring[1], spring[1][1:])]))[
            dt.date(2026, 3, 29)
        ]
        == 23
    )


def test_an_empty_store_counts_zero_everywhere(database: peewee.Database) -> None:
    zone, now = ZoneInfo("UTC"), dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()
    days = service.daily(1, now, zone)
    assert len(days) == 30 and days[-1].day == dt.date(2026, 1, 1)
    assert {(d.total, d.success) for d in days} == {(0, 0)}
    assert service.hourly(1, now, zone) == {}
    assert service.runtimes(1, now, zone)[0] == 0
    assert service.per_project(NO_PROJECT, now, zone) == []
    assert service.recent(1, 0) == []


def test_the_run_time_is_set_as_the_task_ends(database: peewee.Database) -> None:
    Project.insert(id=1, name="p1").on_conflict_ignore().execute()
    begun = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=75)
    ran = Task.create(project=1, uuid="a", name="a", status="running", started_at=begun)
    never = Task.create(project=1, uuid="b", name="b", status="init")
    tasks.finish(ran.id, TaskStatus.SUCCESS)
    tasks.finish(never.id, TaskStatus.KILLED)
    assert 75_000 <= (Task.get_by_id(ran.id).runtime_ms or 0) < 80_000
    assert Task.get_by_id(never.id).runtime_ms is None


@pytest.mark.parametrize("count", [-1, 1001])
def test_a_count_out_of_range_is_refused_naming_it(database: peewee.Database, count: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        service.recent(1, count)
    assert refused.value.field == "count"
