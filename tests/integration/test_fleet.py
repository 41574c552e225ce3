"""Fleet mode (`jobfleet-slave --fleet N --fleet-procs 2`): many slave identities in a few
processes, each its own slave to the master (enrolment, stream, commands); all gone when the
fleet's first process is SIGKILLed (its children with it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests.integration.conftest import Gateway, Master, Proc, Processes, state_dir
from tests.integration.rest import submit, tasklog, wait_final
from tests.procs import alive
from tests.waiting import wait_until

COUNT = 20
NAMES = [f"fleet{i:02d}" for i in range(1, COUNT + 1)]
OWN_NAME = 'basename "$(dirname "$(dirname "$0")")"'
"""A run's script lies in <work dir>/<run dir>/; a fleet identity's work dir is named after it."""


def attached(master: Master) -> set[str]:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        listed = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=10).slaves
    return {s.name for s in listed if s.attached}


def test_a_fleet_runs_a_command_on_each_identity_and_detaches_all_when_killed(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    processes: Processes,
) -> None:
    master = start_master()
    work = processes.tmp / "fleet-work"  # SIGKILLed below: it cannot remove a dir of its own
    flags = ["--fleet", str(COUNT), "--fleet-procs", "2", "--work-dir", str(work)]
    fleet = start_slave(master, "fleet", *flags, wait=False)
    wait_until(lambda: attached(master) >= set(NAMES), 60, what=f"{COUNT} identities attached")
    gateway = start_gateway(master)

    with gateway.client() as http:
        uuid = submit(http, OWN_NAME, nodes=",".join(NAMES))
        done = wait_final(http, uuid, timeout=60)
        logs = tasklog(http, uuid, NAMES[0])

    assert done["status"] == "success", done
    assert {node: row["log"] for node, row in logs.items()} == {n: f"{n}\n" for n in NAMES}
    credentials = [state_dir(processes, "fleet") / f"{n}.credential" for n in NAMES]
    assert len({c.read_text() for c in credentials}) == COUNT  # each enrolled on its own

    with gateway.client() as http:  # a kill of a fan-out ends every identity's process tree
        pids = processes.tmp / "fanout-pids"
        tree = f"sleep 1000 & echo $! >> {pids}; echo $$ >> {pids}; wait"
        uuid = submit(http, tree, nodes=",".join(NAMES), timeout=600)
        wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 2 * COUNT, 60)
        started = [int(p) for p in pids.read_text().split()]
        assert http.delete(f"/slave/{NAMES[0]}/killtask/{uuid}").status_code == 200
        killed = wait_final(http, uuid, timeout=60)
    assert {n["status"] for n in killed["nodes"]} == {"killed"}
    wait_until(lambda: not any(alive(p) for p in started), 30, what="every process tree gone")

    children = [
        int(c)
        for c in Path(f"/proc/{fleet.popen.pid}/task/{fleet.popen.pid}/children")
        .read_text()
        .split()
    ]
    assert len(children) == 2  # the identities run in two processes
    fleet.kill()
    wait_until(lambda: not attached(master) & set(NAMES), 30, what="all identities detached")
    wait_until(lambda: not any(map(alive, children)), 30, what="the fleet's children gone")
