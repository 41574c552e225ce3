"""Two masters claiming the same ticks at once on a real PostgreSQL: each fire time is recorded
once, and neither claim fails, whatever order each master holds its crontabs in (a deadlock
between the two inserts would fail one claim, and its ticks would fire late, as misfires)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import cast

import peewee
import pytest
from playhouse.pool import PooledDatabase

from master.cron.service import columns
from master.db.connection import in_connection, open_database
from master.db.models import Crontab, CrontabFire
from master.db.schema import migrate
from master.domain import Claim, Claimed, CrontabInput, Fire
from master.store import crontabs, fires
from master.store.crontabs import naive
from tests import pg
from tests.unit.master.store.test_fires import T, the_job

CRONTABS = 200
TICKS = 5


@pytest.fixture
def database() -> Iterator[peewee.Database]:
    if not pg.server_url():
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
    url = pg.create_database(pg.server_url())
    database = open_database(url, pool_size=4)
    in_connection(migrate, database)
    yield database
    cast(PooledDatabase, database).close_all()
    pg.drop_database(url)


def seeded() -> list[Crontab]:
    made = []
    for i in range(CRONTABS):
        wanted = CrontabInput(name=f"c{i}", job_uuid=the_job().uuid, cron="* * * * * *")
        row = crontabs.create(1, columns(1, wanted, "UTC", T - 10), "me")
        made.append(row)
    Crontab.update(schedule_from=naive(T - 10)).execute()
    return [crontabs.get(1, r.id) for r in made]


def test_two_masters_claiming_one_tick_in_opposite_orders_record_each_fire_once(
    database: peewee.Database,
) -> None:
    rows = in_connection(seeded)
    won: dict[str, list[Claimed]] = {"up": [], "down": []}
    failed: list[BaseException] = []

    def master(order: str, barrier: threading.Barrier, tick: int) -> None:
        held = rows if order == "up" else rows[::-1]
        claims = [Claim(r.id, r.revision, [Fire(tick, tick, True)]) for r in held]
        barrier.wait()
        try:
            won[order] += in_connection(fires.claim, claims, naive(tick))
        except BaseException as exc:  # a deadlock, say
            failed.append(exc)

    for tick in range(T, T + TICKS):
        barrier = threading.Barrier(2)
        both = [threading.Thread(target=master, args=(o, barrier, tick)) for o in won]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join(60)
    recorded = [r for found in won.values() for c in found for r in c.recorded]
    per_fire = in_connection(
        lambda: CrontabFire.select(CrontabFire.crontab, CrontabFire.fire_time).count()
    )

    assert failed == []
    assert len(recorded) == per_fire == CRONTABS * TICKS
