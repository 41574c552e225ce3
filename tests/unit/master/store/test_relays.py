"""Relay rows on a real PostgreSQL: added with a wake-up of the target's inbox, taken once
(oldest first, by one taker), handed to the master that takes a dead one over, and those of
masters gone taken on by a live one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import cast

import peewee
import pytest
from playhouse.pool import PooledDatabase

from master.db.connection import in_connection, open_database
from master.db.listen import Channel
from master.db.models import Master, Relay
from master.db.schema import migrate
from master.domain import RelayKind
from master.store import relays
from tests import pg
from tests.waiting import wait_until


@pytest.fixture
def database() -> Iterator[tuple[peewee.Database, str]]:
    if not pg.server_url():
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
    url = pg.create_database(pg.server_url())
    database = open_database(url, pool_size=8)
    in_connection(migrate, database)
    yield database, url
    cast(PooledDatabase, database).close_all()
    pg.drop_database(url)


def test_added_relays_wake_their_target_and_are_taken_once_oldest_first(
    database: tuple[peewee.Database, str],
) -> None:
    _, url = database
    listener = Channel(url, "test")
    listener.listen([relays.inbox_channel("b:1")])
    in_connection(relays.add, "b:1", RelayKind.SETTLE, [{"task": 1}, {"task": 2}])
    in_connection(relays.add, "c:1", RelayKind.SETTLE, [{"task": 3}])
    in_connection(relays.add, "b:1", RelayKind.KILL, [{"executions": {"7": "s1"}, "reason": "x"}])

    heard = wait_until(listener.heard, 10, what="the inbox NOTIFY")
    takers: list[list[relays.Taken]] = []
    threads = [
        threading.Thread(target=lambda: takers.append(in_connection(relays.take, "b:1")))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listener.close()

    assert {h.channel for h in heard} == {relays.inbox_channel("b:1")}
    taken = [t for got in takers for t in got]
    assert [(t.kind, t.body) for t in taken] == [
        (RelayKind.SETTLE, {"task": 1}),
        (RelayKind.SETTLE, {"task": 2}),
        (RelayKind.KILL, {"executions": {"7": "s1"}, "reason": "x"}),
    ]
    assert in_connection(lambda: [r.master for r in Relay.select()]) == ["c:1"]


def test_a_dead_masters_relays_go_to_its_taker_and_a_gone_masters_to_a_live_one(
    database: tuple[peewee.Database, str],
) -> None:
    in_connection(lambda: Master.insert_many([{"name": "a:1"}, {"name": "b:1"}]).execute())
    in_connection(relays.add, "dead:1", RelayKind.SETTLE, [{"task": 1}])
    in_connection(relays.add, "b:1", RelayKind.SETTLE, [{"task": 2}])

    moved = in_connection(relays.readdress, "dead:1", "a:1")
    in_connection(relays.add, "gone:1", RelayKind.SETTLE, [{"task": 3}])
    adopted = in_connection(relays.adopt_orphans, "b:1")

    assert (moved, adopted) == (1, 1)
    assert [t.body for t in in_connection(relays.take, "a:1")] == [{"task": 1}]
    assert [t.body for t in in_connection(relays.take, "b:1")] == [{"task": 2}, {"task": 3}]
