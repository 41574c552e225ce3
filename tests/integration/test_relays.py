"""Three masters on one PostgreSQL: every operation works whatever master a request reaches.
Slave s1 is attached to master B, slave s2 to master C; requests go to A (its gateway) and
C (its gateway), so submits, kills, controls, live follows and a gateway's reads all cross
masters, through relays and wake-ups (master/cluster/)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc, terminal_pb2, terminal_pb2_grpc
from tests import pg
from tests.integration.cluster import MasterCluster, needs_postgresql, start_cluster
from tests.integration.conftest import Master, Services
from tests.integration.jobs import cmd, control, create_job, run_job, subtasks, wait_status
from tests.integration.rest import submit, task, tasklog, wait_final
from tests.procs import alive
from tests.waiting import wait_until

pytestmark = needs_postgresql


@dataclass
class Fleet:
    a: Master
    b: Master
    c: Master
    at_a: httpx.Client
    """A gateway pointed at master A."""
    at_c: httpx.Client
    """A gateway pointed at master C."""
    tmp: Path


@pytest.fixture(scope="module")
def masters(module_services: Services) -> Iterator[MasterCluster]:
    """Three masters sharing one blob directory (the file store every master reads)."""
    blobs = module_services.processes.tmp / "blobs"
    yield from start_cluster(module_services, 3, "--blob-dir", str(blobs))


@pytest.fixture(scope="module")
def fleet(module_services: Services, masters: MasterCluster) -> Iterator[Fleet]:
    a, b, c = masters.masters.values()
    module_services.start_slave(b, "s1")
    module_services.start_slave(c, "s2")
    at_a, at_c = (module_services.start_gateway(m) for m in (a, c))
    with at_a.client() as http_a, at_c.client() as http_c:
        yield Fleet(a, b, c, http_a, http_c, module_services.processes.tmp)


def test_submit_on_a_runs_on_the_slave_attached_to_b(fleet: Fleet) -> None:
    uuid = submit(fleet.at_a, "echo ran on s1", nodes="s1")

    done = wait_final(fleet.at_a, uuid, timeout=30)

    assert done["status"] == "success", done
    assert tasklog(fleet.at_a, uuid)["s1"]["log"] == "ran on s1\n"


def test_one_task_on_slaves_of_two_other_masters(fleet: Fleet) -> None:
    uuid = submit(fleet.at_a, "echo here", nodes="s1,s2")

    done = wait_final(fleet.at_a, uuid, timeout=30)

    assert done["status"] == "success", done
    logs = tasklog(fleet.at_c, uuid)
    assert {n: logs[n]["log"] for n in ("s1", "s2")} == {"s1": "here\n", "s2": "here\n"}


def test_kill_from_c_ends_a_task_of_a_on_the_slave_of_b(fleet: Fleet) -> None:
    pid = fleet.tmp / "killed.pid"
    script = f"echo $$ > {pid}; echo started; sleep 300; echo never"
    uuid = submit(fleet.at_a, script, nodes="s1", timeout=600)
    wait_until(
        lambda: tasklog(fleet.at_c, uuid)["s1"]["log"] == "started\n", 30, what="started on s1"
    )
    asked = time.monotonic()

    resp = fleet.at_c.delete(f"/slave/s1/killtask/{uuid}")

    assert resp.status_code == 200, resp.text
    done = wait_final(fleet.at_a, uuid, timeout=30)
    assert (done["status"], done["reason"]) == ("fail", "killed by api")
    assert done["nodes"][0]["status"] == "killed", "the slave killed it, not a lease"
    assert time.monotonic() - asked < 15
    wait_until(lambda: not alive(int(pid.read_text())), 15, what="the command gone on s1")
    assert tasklog(fleet.at_a, uuid)["s1"]["log"] == "started\n"


@pytest.mark.parametrize(
    ("word", "step_status", "second_ran"), [("next", "fail", True), ("fail", "fail", False)]
)
def test_control_from_c_moves_a_job_of_a_on_the_slave_of_b(
    fleet: Fleet, word: str, step_status: str, second_ran: bool
) -> None:
    """`next` goes on past the failed step (the task ends failed, as a step failed), `fail`
    ends the task there."""
    after = fleet.tmp / f"after-{word}"
    job = create_job(
        fleet.at_a,
        f"fails first ({word})",
        [cmd("one", "exit 3", nodes="s1"), cmd("two", f"touch {after}", nodes="s2")],
    )
    uuid = run_job(fleet.at_a, job)
    wait_status(fleet.at_c, uuid, "waiting")
    first = subtasks(fleet.at_c, uuid)[0]
    assert first["status"] == "decision"

    resp = control(fleet.at_c, uuid, first, word)

    assert resp.status_code == 200, resp.text
    assert wait_final(fleet.at_a, uuid, timeout=30)["status"] == "fail"
    assert subtasks(fleet.at_a, uuid)[0]["status"] == step_status
    assert after.exists() == second_ran


def test_follow_on_a_shows_lines_of_the_slave_on_b_as_they_come(fleet: Fleet) -> None:
    with fleet.a.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        ask = task_pb2.SubmitCommandRequest(
            project_id=1,
            name="follow",
            submitter="tester",
            nodes=["s1"],
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script="echo first; sleep 2; echo second",
        )
        submitted = stub.SubmitCommand(ask, timeout=10).task
        arrivals: list[tuple[float, bytes]] = []
        final = None
        follow = task_pb2.FollowTaskRequest(project_id=1, uuid=submitted.uuid)
        for msg in stub.FollowTask(follow, timeout=30):
            if msg.WhichOneof("body") == "output":
                arrivals.append((time.monotonic(), msg.output.data))
            elif msg.WhichOneof("body") == "task":
                final = (time.monotonic(), msg.task)

    assert final is not None and final[1].status == common_pb2.TASK_STATUS_SUCCESS
    assert b"".join(d for _, d in arrivals) == b"first\nsecond\n"
    first_at = next(t for t, d in arrivals if d.startswith(b"first"))
    assert final[0] - first_at > 1.5, "the first line came only at the end, not live"


def test_a_gateway_on_a_serves_the_task_as_it_moves_on_b(fleet: Fleet) -> None:
    """The gateway keeps what it read and forgets it when its master says the task changed, and
    a long poll waits for a change: A must hear at once the changes B makes."""
    seen, waited = long_poll_on_a(fleet, fleet.tmp / "gate")

    assert seen["status"] == "success"
    assert waited < 10, f"the long poll on A saw B's change only after {waited:.1f} s"


def submit_when_up(http: httpx.Client) -> bool:
    reply = http.post(
        "/task/1/plugin_cmd",
        json={
            "name": "up",
            "node_type": "builtin",
            "node_cont": "s1",
            "scripts_type": "shell",
            "scripts_cont": "true",
        },
    )
    return reply.status_code == 200 and reply.json().get("stat") is True


def long_poll_on_a(fleet: Fleet, gate: Path) -> tuple[dict[str, Any], float]:
    """A task on s1 (master B) waits for `gate`, opened a second after A's long polls start:
    the last answer and the seconds the polls took until the task ended."""
    uuid = submit(fleet.at_a, f"while [ ! -e {gate} ]; do sleep 0.1; done", nodes="s1")
    wait_until(lambda: task(fleet.at_a, uuid)["nodes"][0]["status"] == "running", 30, what="run")
    seen = task(fleet.at_a, uuid)
    assert seen["status"] == "running"
    opened = threading.Timer(1.0, gate.touch)
    opened.start()
    began = time.monotonic()
    while seen["status"] != "success" and time.monotonic() - began < 60:
        reply = fleet.at_a.get(f"/task/1/{uuid}", params={"wait": 30, "etag": seen["etag"]})
        assert reply.status_code == 200, reply.text
        seen = reply.json()["data"]
    opened.join()
    return seen, time.monotonic() - began


def test_a_shell_on_a_slave_of_another_master_is_refused_naming_that_master(fleet: Fleet) -> None:
    opening = terminal_pb2.TerminalOpen(
        project_id=1,
        nodes=["s1"],
        mode=terminal_pb2.TERMINAL_MODE_SHELL,
        size=terminal_pb2.TerminalSize(cols=80, rows=24),
        term="xterm",
    )
    with fleet.a.channel() as channel:
        stub = terminal_pb2_grpc.TerminalServiceStub(channel)
        call = stub.OpenTerminal(iter([terminal_pb2.TerminalClientFrame(open=opening)]), timeout=30)
        with pytest.raises(grpc.RpcError) as refused:
            next(call)

    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"attached to master {fleet.b.addr}" in refused.value.details()


def test_a_file_uploaded_on_a_is_copied_to_the_slave_of_b(fleet: Fleet) -> None:
    """The masters share one blob directory (--blob-dir): a master stores a blob, another
    serves it to its slave."""
    content = secrets.token_hex(4096).encode()
    resp = fleet.at_a.post("/fileserver/1", files={"file": ("shared.bin", content)})
    assert resp.status_code == 200, resp.text
    dest = fleet.tmp / "copied" / "shared.bin"

    resp = fleet.at_c.post(
        "/task/1/plugin_scp",
        json={
            **{"name": "copy", "user": "root", "chown": "", "chmod": "", "timeout": "60"},
            **{"src_type": "fileserver", "src": "", "sp": "shared.bin"},
            **{"dst_type": "builtin", "dst": "s1", "dp": str(dest)},
        },
    )

    assert resp.status_code == 200, resp.text
    done = wait_final(fleet.at_a, str(resp.json()["uuid"]), timeout=30)
    assert done["status"] == "success", done
    assert dest.read_bytes() == content


def test_wake_ups_come_back_after_postgresql_restarts(fleet: Fleet) -> None:
    """Last in the module: PostgreSQL restarts under the masters, which reconnect by themselves
    (their pools and their wake-up connections), and A hears B again."""
    pg.cluster("restart")
    wait_until(
        lambda: submit_when_up(fleet.at_a), 60, what="a submit on A after PostgreSQL restarted"
    )

    seen, waited = long_poll_on_a(fleet, fleet.tmp / "gate-after-restart")

    assert seen["status"] == "success"
    assert waited < 10, f"after the restart, A saw B's change only after {waited:.1f} s"


def test_two_step_jobs_driven_by_one_master_with_results_stored_on_others_run_each_step_once(
    fleet: Fleet,
) -> None:
    """Jobs submitted on A and on C, their first step on s1 (its results stored on B), their
    second on s2 (stored on C): whichever master stores a result and whichever drives the task,
    each step runs once and every task ends."""
    runs = fleet.tmp / "step-runs"
    runs.mkdir()
    job = create_job(
        fleet.at_a,
        "two steps across masters",
        [
            cmd("one", f"echo one >> {runs}/one", nodes="s1"),
            cmd("two", f"echo two >> {runs}/two", nodes="s2"),
        ],
    )
    each = 12
    uuids = [run_job(http, job) for _ in range(each) for http in (fleet.at_a, fleet.at_c)]

    done = [wait_final(fleet.at_a, uuid, timeout=60) for uuid in uuids]

    assert [d["status"] for d in done] == ["success"] * len(uuids)
    for uuid in uuids[:4]:
        assert [s["status"] for s in subtasks(fleet.at_c, uuid)] == ["success", "success"]
    lines = {n: (runs / n).read_text().split() for n in ("one", "two")}
    assert lines == {"one": ["one"] * len(uuids), "two": ["two"] * len(uuids)}
