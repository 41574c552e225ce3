"""Taking over dead masters on a real PostgreSQL: each dead master is taken by exactly one live
master however many try at once; its unfinished tasks (only those) and its slaves move; a
master whose lease holds is never taken."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import cast

import peewee
import pytest
from playhouse.pool import PooledDatabase

from master.db.connection import in_connection, open_database
from master.db.models import Master, Slave, Task, utcnow
from master.db.schema import migrate
from master.domain import RelayKind
from master.store import masters, relays
from master.store.masters import Taken
from tests import pg

LEASE = 6.0


@pytest.fixture
def database() -> Iterator[peewee.Database]:
    if not pg.server_url():
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
    url = pg.create_database(pg.server_url())
    database = open_database(url, pool_size=8)
    in_connection(migrate, database)
    yield database
    cast(PooledDatabase, database).close_all()
    pg.drop_database(url)


def seed(name: str, age: float, statuses: list[str]) -> None:
    """A master whose last heartbeat is `age` seconds old, owning tasks of these statuses and
    with one slave attached."""
    Master.create(name=name, pid=1, heartbeat_at=utcnow() - dt.timedelta(seconds=age))
    for i, status in enumerate(statuses):
        Task.create(uuid=f"{name}-{i}", project=1, name="t", status=status, owner=name)
    Slave.create(name=f"slave-of-{name}", attached_to=name)


def owners() -> dict[str, str | None]:
    return {t.uuid: t.owner for t in Task.select()}


def test_each_dead_master_is_taken_by_exactly_one_of_many_masters_trying_at_once(
    database: peewee.Database,
) -> None:
    def seeded() -> None:
        seed("dead1:7070", 60, ["running", "waiting", "success"])
        seed("dead2:7070", 7, ["decision"])
        seed("live:7070", 1, ["running"])

    in_connection(seeded)
    takers = [f"taker{i}:7070" for i in range(6)]
    taken: dict[str, list[Taken]] = {t: [] for t in takers}
    barrier = threading.Barrier(len(takers))

    def take(me: str) -> None:
        barrier.wait()
        while (found := in_connection(masters.take_dead, me, LEASE)) is not None:
            taken[me].append(found)

    threads = [threading.Thread(target=take, args=(t,)) for t in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    after = in_connection(owners)
    rows = in_connection(lambda: sorted(m.name for m in Master.select()))
    slaves = in_connection(lambda: {s.name: s.attached_to for s in Slave.select()})

    claims = sorted((t.name, me) for me, found in taken.items() for t in found)
    assert [name for name, _ in claims] == ["dead1:7070", "dead2:7070"]
    by_dead = dict(claims)
    assert after["dead1:7070-0"] == after["dead1:7070-1"] == by_dead["dead1:7070"]
    assert after["dead1:7070-2"] == "dead1:7070", "a finished task stays with its master"
    assert after["dead2:7070-0"] == by_dead["dead2:7070"]
    assert after["live:7070-0"] == "live:7070"
    assert rows == ["live:7070"]
    assert slaves == {
        "slave-of-dead1:7070": None,
        "slave-of-dead2:7070": None,
        "slave-of-live:7070": "live:7070",
    }
    moved = {t.name: len(t.task_ids) for found in taken.values() for t in found}
    assert moved == {"dead1:7070": 2, "dead2:7070": 1}


def test_a_master_never_takes_itself_and_a_renewed_row_is_live_again(
    database: peewee.Database,
) -> None:
    in_connection(seed, "me:7070", 60, ["running"])

    mine = in_connection(masters.take_dead, "me:7070", LEASE)
    kept = in_connection(masters.heartbeat, "me:7070", 1, 2)
    live = in_connection(masters.live, LEASE)

    assert mine is None
    assert kept is True
    assert [(m.name, m.slaves, m.tasks) for m in live] == [("me:7070", 2, 1)]
    assert live[0].heartbeat_age < 1.0


def test_a_master_whose_row_was_taken_writes_it_again_and_starts_over(
    database: peewee.Database,
) -> None:
    in_connection(seed, "gone:7070", 60, ["running"])
    in_connection(masters.take_dead, "taker:7070", LEASE)

    kept = in_connection(masters.heartbeat, "gone:7070", 1, 0)
    live = in_connection(masters.live, LEASE)

    assert kept is False, "the caller marks its slaves again"
    assert [(m.name, m.tasks) for m in live] == [("gone:7070", 0)], "its task stays taken"


def test_a_dead_masters_unread_relays_go_with_its_tasks_to_the_taker(
    database: peewee.Database,
) -> None:
    in_connection(seed, "dead:7070", 60, ["running"])
    in_connection(relays.add, "dead:7070", RelayKind.SETTLE, [{"task": 1}])

    taken = in_connection(masters.take_dead, "taker:7070", LEASE)

    assert taken is not None and taken.name == "dead:7070"
    assert [t.body for t in in_connection(relays.take, "taker:7070")] == [{"task": 1}]
