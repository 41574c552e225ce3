"""Several masters on one PostgreSQL: the list of live masters, a dead master's tasks taken
over by a live one, health that follows the database, and the refusal on SQLite."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobfleet.v1 import auth_pb2, auth_pb2_grpc
from tests import pg
from tests.integration.cluster import MasterCluster, health, needs_postgresql, start_cluster
from tests.integration.conftest import Gateway, Master, Services
from tests.integration.jobs import cmd, control, create_job, run_job, subtasks, wait_status
from tests.integration.rest import wait_final
from tests.waiting import wait_until

LEASE = 6.0  # master/cluster/registry.py: LEASE
TAKEN_WITHIN = LEASE + 4 * 2.0  # the lease, then a heartbeat or two to see it and take over
RELAYED = importlib.util.find_spec("master.cluster.bus") is not None
"""Whether orders reach slaves attached to another master (relayed through PostgreSQL)."""


@pytest.fixture(scope="module")
def masters(module_services: Services) -> Iterator[MasterCluster]:
    yield from start_cluster(module_services, 3)


@pytest.fixture(scope="module")
def gateways(module_services: Services, masters: MasterCluster) -> dict[str, Gateway]:
    """A gateway on each of the three first masters, by master name."""
    return {name: module_services.start_gateway(masters.masters[name]) for name in masters.names()}


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    """Clients the test opens, closed at its end."""
    with ExitStack() as opened:
        yield opened


def project_token(master: Master, project: int) -> str:
    with master.channel() as channel:
        made = auth_pb2_grpc.TokenServiceStub(channel).CreateToken(
            auth_pb2.CreateTokenRequest(project_id=project), timeout=10
        )
    return str(made.secret)


def listed(http: httpx.Client) -> dict[str, dict[str, Any]]:
    resp = http.get("/masters")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["stat"] is True and body["cluster"] is True, body
    return {row["name"]: row for row in body["data"]}


def test_advertise_on_sqlite_refuses_to_start_naming_the_flags(tmp_path: Path) -> None:
    argv = ["--data-dir", str(tmp_path), "--listen", "127.0.0.1:0", "--advertise", "a:7070"]
    started = subprocess.run(
        [sys.executable, "-m", "master", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )

    assert started.returncode == 2, started.stderr
    assert "--advertise" in started.stderr and "--db" in started.stderr
    assert "PostgreSQL" in started.stderr and len(started.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir()), "nothing is made"


@needs_postgresql
def test_masters_lists_the_live_masters_and_drops_a_killed_one_after_the_lease(
    module_services: Services,
    masters: MasterCluster,
    gateways: dict[str, Gateway],
    stack: ExitStack,
) -> None:
    first = masters.names()[0]
    module_services.start_slave(masters.masters[first], "lister")
    extra = masters.start()
    admin = stack.enter_context(gateways[first].client())

    def four_with_the_slave() -> dict[str, dict[str, Any]] | None:
        rows = listed(admin)
        return rows if len(rows) == 4 and rows[first]["slaves"] == 1 else None

    rows = wait_until(four_with_the_slave, 10, 0.2, what="4 masters, the slave on the first")
    with gateways[first].client(project_token(masters.masters[first], 1)) as project:
        refused = project.get("/masters")
    masters.kill(extra.addr)
    killed = time.monotonic()
    wait_until(
        lambda: extra.addr not in listed(admin), TAKEN_WITHIN, 0.2, what="killed one dropped"
    )
    gone_after = time.monotonic() - killed

    assert sorted(rows) == sorted([*masters.names()])
    assert all(r["heartbeat_age"] < LEASE and r["pid"] > 0 for r in rows.values())
    assert rows[extra.addr]["slaves"] == 0
    assert refused.status_code == 403, refused.text
    assert gone_after > LEASE - 2.5, "a master is live until its lease lapses"
    assert sorted(listed(admin)) == sorted(n for n in masters.names() if n != extra.addr)


@needs_postgresql
def test_a_job_whose_master_is_killed_between_steps_is_taken_over_and_completes(
    module_services: Services,
    masters: MasterCluster,
    gateways: dict[str, Gateway],
    stack: ExitStack,
) -> None:
    owner, other = masters.names()[0], masters.names()[1]
    module_services.start_slave(masters.masters[owner], "p1")
    module_services.start_slave(masters.masters[other], "p2")
    at_owner = stack.enter_context(gateways[owner].client())
    at_other = stack.enter_context(gateways[other].client())
    job = create_job(
        at_owner,
        "three steps, two masters",
        [
            cmd("one", "echo one", nodes="p1", pause="owner goes down here"),
            cmd("two", "echo two", nodes="p2"),
            cmd("three", "echo three", nodes="p2"),
        ],
    )
    uuid = run_job(at_owner, job)
    wait_status(at_owner, uuid, "waiting")

    masters.kill(owner)
    killed = time.monotonic()

    def taken() -> dict[str, dict[str, Any]] | None:
        rows = listed(at_other)
        return rows if owner not in rows and any(r["tasks"] for r in rows.values()) else None

    rows = wait_until(taken, TAKEN_WITHIN, interval=0.2, what="the task taken over")
    taken_after = time.monotonic() - killed
    resumed = control(at_other, uuid, subtasks(at_other, uuid)[0], "next")
    ended = wait_final(at_other, uuid, timeout=30)

    assert [r["tasks"] for r in rows.values() if r["tasks"]] == [1], rows
    assert taken_after < TAKEN_WITHIN
    assert resumed.status_code == 200, resumed.text
    assert ended["status"] == "success", ended
    assert [s["status"] for s in subtasks(at_other, uuid)] == ["success"] * 3


@needs_postgresql
@pytest.mark.skipif(
    not RELAYED, reason="needs orders relayed to slaves on other masters (master/cluster/bus.py)"
)
def test_a_job_whose_engine_master_dies_while_its_step_runs_elsewhere_completes_on_a_taker(
    module_services: Services,
    masters: MasterCluster,
    gateways: dict[str, Gateway],
    stack: ExitStack,
) -> None:
    owner, other = masters.names()[2], masters.names()[1]
    module_services.start_slave(masters.masters[other], "r1")
    at_owner = stack.enter_context(gateways[owner].client())
    at_other = stack.enter_context(gateways[other].client())
    job = create_job(
        at_owner,
        "three steps, engine elsewhere",
        [
            cmd("one", "sleep 2", nodes="r1"),
            cmd("two", "true", nodes="r1"),
            cmd("three", "true", nodes="r1"),
        ],
    )
    uuid = run_job(at_owner, job)
    wait_until(
        lambda: subtasks(at_owner, uuid)[0]["status"] == "running", 10, what="step one running"
    )

    masters.kill(owner)
    killed = time.monotonic()
    ended = wait_final(at_other, uuid, timeout=TAKEN_WITHIN + 10)
    took = time.monotonic() - killed

    assert ended["status"] == "success", ended
    assert [s["status"] for s in subtasks(at_other, uuid)] == ["success"] * 3
    assert took < TAKEN_WITHIN + 5


@needs_postgresql
def test_health_is_not_serving_while_postgresql_is_down_and_serving_once_it_is_back(
    masters: MasterCluster, gateways: dict[str, Gateway], stack: ExitStack
) -> None:
    name = masters.names()[1]
    master = masters.masters[name]
    probe = stack.enter_context(gateways[name].client(""))
    admin = stack.enter_context(gateways[name].client())
    before = (health(master), probe.get("/health").status_code)

    pg.cluster("halt")
    try:
        wait_until(lambda: health(master) == "NOT_SERVING", 15, what="NOT_SERVING")
        down = probe.get("/health")
    finally:
        pg.cluster("start")
    wait_until(lambda: health(master) == "SERVING", 30, what="SERVING again")
    up = probe.get("/health")

    assert before == ("SERVING", 200)
    assert down.status_code == 503 and "NOT_SERVING" in down.text, down.text
    assert up.status_code == 200, up.text
    assert name in listed(admin)
