"""Crontabs and PostgreSQL restarts with three masters on one database: every tick fires once
whichever masters are alive, and the masters come back by themselves when PostgreSQL does.

PostgreSQL only (several masters share one database); one set of three masters for the module.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import psycopg2
import pytest

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests import pg
from tests.integration import crontabs
from tests.integration.cluster import MasterCluster, needs_postgresql, start_cluster
from tests.integration.conftest import Gateway, Master, Services
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import wait_final
from tests.waiting import wait_until

pytestmark = needs_postgresql

CRONTABS = 20
FINAL = ("success", "fail", "killed", "lost", "timeout")
LEASE = 6.0  # master/cluster/registry.py: LEASE


@dataclass
class Fleet:
    masters: MasterCluster
    gateway: Gateway
    http: httpx.Client


@pytest.fixture(scope="module")
def fleet(module_services: Services) -> Iterator[Fleet]:
    """Three masters, one slave and one gateway given all three (each moves on when its master
    dies)."""
    for masters in start_cluster(module_services, 3):
        every = ",".join(masters.names())
        first = masters.masters[masters.names()[0]]
        module_services.start_slave(first, "cs1", "--master", every, wait=False)
        gateway = module_services.start_gateway(first, "--master", every)
        with gateway.client() as http:
            wait_until(lambda: _attached(masters, "cs1"), 30, what="cs1 attached")
            yield Fleet(masters, gateway, http)


def _attached(masters: MasterCluster, slave: str) -> bool:
    rows = _query(masters, "SELECT attached_to FROM slave WHERE name = %s", (slave,))
    return bool(rows and rows[0][0])


def _query(
    masters: MasterCluster, text: str, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    conn = psycopg2.connect(masters.db_url)
    try:
        with conn.cursor() as cur:
            cur.execute(text, params)
            found = list(cur.fetchall())
        conn.commit()
        return found
    finally:
        conn.close()


def _restart_in_turn(masters: MasterCluster, ids: list[int], downs: list[int]) -> None:
    """SIGKILL each master in turn and start it again (same name) once the others have fired
    every crontab's tick `down` seconds after the kill: they go on firing while it is down.
    Down less than the lease, a master restarted is the same master and goes on with its
    tasks; down longer, a live master has taken its tasks over."""
    for name, down in zip(masters.names(), downs, strict=True):
        masters.kill(name)
        masters.masters[name].proc.popen.wait(timeout=10)
        after = int(time.time()) + down
        fired = functools.partial(_fired_at, masters, ids, after)
        wait_until(fired, down + 10, 0.2, what=f"every crontab fired at {after}")
        masters.start(name)


def _fired_at(masters: MasterCluster, ids: list[int], tick: int) -> bool:
    query = (
        "SELECT count(*) FROM crontab_fire WHERE crontab_id = ANY(%s)"
        " AND extract(epoch FROM fire_time) >= %s"
    )
    return bool(_query(masters, query, (ids, tick))[0][0] >= len(ids))


def test_every_tick_fires_once_while_masters_are_killed_and_restarted_in_turn(
    fleet: Fleet,
) -> None:
    http = fleet.http
    job = create_job(http, "tick", [cmd("one", "true", nodes="cs1")])
    ids = [crontabs.create(http, f"tick-{i}", job) for i in range(CRONTABS)]
    wait_until(lambda: all(crontabs.started(http, i) for i in ids), 15, what="every crontab firing")
    begin = int(time.time()) + 1

    _restart_in_turn(fleet.masters, ids, [4, 9, 4])
    end = int(time.time()) - 1
    for crontab_id in ids:
        crontabs.set_status(http, crontab_id, "unavailable")

    rows = _query(
        fleet.masters,
        "SELECT crontab_id, extract(epoch FROM fire_time)::bigint,"
        " extract(epoch FROM through)::bigint, outcome, reason, task_uuid"
        " FROM crontab_fire WHERE crontab_id = ANY(%s) ORDER BY fire_time",
        (ids,),
    )
    covered: Counter[tuple[int, int]] = Counter()
    fired: Counter[tuple[int, int]] = Counter()
    for crontab_id, first, last, outcome, reason, _ in rows:
        fired[crontab_id, first] += 1
        for tick in range(first, last + 1):
            covered[crontab_id, tick] += 1
        if outcome != "started":
            assert outcome == "misfired" and "misfire policy" in reason, (outcome, reason)
    window = [(c, t) for c in ids for t in range(begin, end + 1)]
    started = [r for r in rows if r[3] == "started" and begin <= r[1] <= end]
    uuids = [r[5] for r in rows if r[3] == "started"]

    def left() -> list[tuple[Any, ...]]:
        query = "SELECT uuid, status, owner FROM task WHERE uuid = ANY(%s) AND status <> ALL(%s)"
        return _query(fleet.masters, query, (uuids, list(FINAL)))

    with contextlib.suppress(AssertionError):
        wait_until(lambda: not left(), 3 * LEASE + 30, 0.5, what="every fired task ended")
    assert left() == [], "every fired task ended"
    owners = _query(fleet.masters, "SELECT DISTINCT owner FROM task WHERE uuid = ANY(%s)", (uuids,))
    unnamed = "SELECT uuid FROM task WHERE crontab_id = ANY(%s) AND uuid <> ALL(%s)"
    stray = _query(fleet.masters, unnamed, (ids, uuids))
    statuses = Counter(
        s
        for (s,) in _query(fleet.masters, "SELECT status FROM task WHERE uuid = ANY(%s)", (uuids,))
    )

    assert end - begin >= 15, "the window spans every master's outage"
    assert [k for k in window if covered[k] != 1] == [], "each tick fired (or misfired) once"
    assert max(fired.values()) == 1
    assert len(started) >= 0.9 * len(window), f"{len(started)} of {len(window)} ticks started"
    assert len(uuids) == len(set(uuids)) and statuses == {"success": len(uuids)}, statuses
    assert stray == [], "a crontab task no fire names: a tick started twice"
    assert {o for (o,) in owners} <= set(fleet.masters.names()), owners


def _submit_on(master: Master, script: str) -> str:
    ask = task_pb2.SubmitCommandRequest(
        project_id=1,
        name="under restart",
        submitter="tester",
        nodes=["cs1"],
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
    )
    with master.channel() as channel:
        return str(task_pb2_grpc.TaskServiceStub(channel).SubmitCommand(ask, timeout=10).task.uuid)


def _runs(master: Master, http: httpx.Client) -> str | None:
    """A new task submitted on the master, once it ran to success; None while the master
    refuses submits or its slave is not back yet (a task for a slave away fails at once)."""
    try:
        uuid = _submit_on(master, "true")
    except grpc.RpcError:
        return None
    return uuid if wait_final(http, uuid, timeout=30)["status"] == "success" else None


def test_a_task_whose_master_died_before_relaying_its_dispatch_runs_once_it_is_back(
    fleet: Fleet,
) -> None:
    """The window between a task's commit and its dispatch relay, held open: the slave's master
    is stopped (SIGSTOP) so the relay waits unread, the relay is deleted (never written), and the
    task's master is SIGKILLed. Started again (or taken over), it sends the pending execution
    again, through the slave's master."""
    masters = fleet.masters
    where = "SELECT attached_to FROM slave WHERE name = 'cs1'"
    holder = wait_until(lambda: _query(masters, where)[0][0], 30, 0.2, what="cs1 attached")
    writer = next(n for n in masters.names() if n != holder)
    held = masters.masters[holder].proc.popen
    held.send_signal(signal.SIGSTOP)
    try:
        uuid = _submit_on(masters.masters[writer], "echo ran")
        relayed = "SELECT count(*) FROM relay WHERE master = %s"
        wait_until(lambda: _query(masters, relayed, (holder,))[0][0], 10, what="the relay")
        _query(masters, "DELETE FROM relay WHERE master = %s RETURNING id", (holder,))
        masters.kill(writer)
        masters.masters[writer].proc.popen.wait(timeout=10)
    finally:
        held.send_signal(signal.SIGCONT)
    masters.start(writer)
    ended = wait_final(fleet.http, uuid, timeout=30)

    assert ended["status"] == "success", ended


def test_masters_recover_by_themselves_when_postgresql_restarts_under_load(fleet: Fleet) -> None:
    """Last in the module: PostgreSQL restarts while tasks run through all three masters."""
    masters = fleet.masters
    pids = {name: m.proc.popen.pid for name, m in masters.masters.items()}
    running = [
        _submit_on(master, "sleep 2; echo done")
        for master in masters.masters.values()
        for _ in range(3)
    ]

    pg.cluster("restart")
    restarted = time.monotonic()
    after = [
        wait_until(functools.partial(_runs, m, fleet.http), 60, 0.5, what=f"a task on {m.addr}")
        for m in masters.masters.values()
    ]
    back_after = time.monotonic() - restarted
    ended = [wait_final(fleet.http, uuid, timeout=60) for uuid in running]

    def three_listed() -> set[str] | None:
        resp = fleet.http.get("/masters")
        names = {r["name"] for r in resp.json()["data"]} if resp.status_code == 200 else set()
        return names if names == set(masters.names()) else None

    listed = wait_until(three_listed, 30, 0.5, what="all three masters listed")

    assert [e["status"] for e in ended] == ["success"] * len(ended), ended
    assert len(set(after)) == 3
    assert back_after < 30, f"the masters took {back_after:.1f} s to run tasks again"
    assert listed == set(masters.names())
    assert {n: m.proc.popen.pid for n, m in masters.masters.items()} == pids, "none restarted"
