"""Migration 0020 on each backend: tasks stored before it get their run time and are counted,
and the triggers it adds keep the counts right as tasks start, end, move and go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import peewee
import pytest
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase

from master.db.connection import in_connection, open_database
from master.db.models import Project, Task
from master.db.schema import MIGRATIONS_DIR, migrate
from master.domain import NO_PROJECT
from master.store import reports
from tests import pg

NOW = dt.datetime(2026, 12, 5, 12, 0, 0)
SINCE = reports.slot_of(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[peewee.Database]:
    if request.param == "sqlite":
        url, drop = str(tmp_path / "jobfleet.db"), None
    else:
        if not pg.server_url():
            pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
        url = pg.create_database(pg.server_url())
        drop = url
    database = open_database(url, pool_size=2)
    in_connection(migrate, database)
    yield database
    cast(PooledDatabase, database).close_all()
    if drop:
        pg.drop_database(drop)


def counts() -> tuple[list[tuple[int, int]], tuple[int, list[int]], list[tuple[int, int]]]:
    return (
        reports.per_project(NO_PROJECT, SINCE),
        reports.per_band(1, SINCE),
        reports.per_range(NO_PROJECT, [SINCE, SINCE + 96 * 40]),
    )


def test_stored_tasks_are_counted_and_the_triggers_follow_changes(
    backend: peewee.Database,
) -> None:
    runner = Runner(backend, str(MIGRATIONS_DIR))
    tally = next(m for m in runner.migrations() if m.name.endswith("_task_reports")).load()

    def before_and_after() -> None:
        tally.down(runner.migrator, backend)
        for pid in (1, 2):
            Project.insert(id=pid, name=f"p{pid}").on_conflict_ignore().execute()
        ran = {"started_at": NOW, "finished_at": NOW + dt.timedelta(seconds=90.5)}
        rows = [
            {"project": 1, "uuid": "a", "name": "a", "status": "success", **ran},
            {"project": 1, "uuid": "b", "name": "b", "status": "fail", "started_at": NOW},
            {"project": 2, "uuid": "c", "name": "c", "status": "running", "started_at": NOW},
            {"project": 2, "uuid": "d", "name": "d", "status": "init"},
        ]
        for row in rows:  # no runtime_ms: the column is not there yet
            Task.insert(**row).execute()
        tally.up(runner.migrator, backend)

    in_connection(before_and_after)

    def read() -> tuple[Any, ...]:
        return (Task.get(Task.uuid == "a").runtime_ms, *counts())

    runtime, projects, bands, days = in_connection(read)
    assert runtime == 90_500
    assert projects == [(1, 2), (2, 1)]
    assert bands == (2, [0, 1, 0, 0, 0])  # b ended without a run time: 30+
    assert sum(t for t, _ in days) == 3 and sum(s for _, s in days) == 1

    def change() -> None:
        Task.update(status="success", runtime_ms=1000).where(Task.uuid == "c").execute()
        Task.update(started_at=NOW).where(Task.uuid == "d").execute()
        Task.update(project=2).where(Task.uuid == "b").execute()
        Task.delete().where(Task.uuid == "a").execute()

    in_connection(change)
    projects, bands, days = in_connection(counts)
    assert projects == [(2, 3)] and bands == (0, [0, 0, 0, 0, 0])
    assert sum(t for t, _ in days) == 3 and sum(s for _, s in days) == 1  # c now
    assert in_connection(reports.per_band, 2, SINCE) == (3, [1, 0, 0, 0, 0])
