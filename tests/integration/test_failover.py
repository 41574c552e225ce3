"""Slaves and gateways with several masters on one PostgreSQL: a master SIGKILLed under load
loses nothing a user sees.

PostgreSQL only (several masters share one database); one set of three masters for the module,
each test kills one of them.
"""

from __future__ import annotations

import html
import re
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests import pg
from tests.integration.conftest import Gateway, Master, Proc, Services, wait_attached
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(
    not pg.server_url(),
    reason="several masters share one PostgreSQL: run under scripts/pg run (JOBFLEET_TEST_DB)",
)

LINES = 150
"""Numbered lines each execution writes, one every 20 ms (3 s: the kill lands mid-output)."""
SCRIPT = f"for i in $(seq 1 {LINES}); do echo line-$i; sleep 0.02; done"
EXPECTED = "".join(f"line-{i}\n" for i in range(1, LINES + 1))


def gated(gate: str) -> str:
    """SCRIPT, but past its 20th line it waits for the file `gate`: every execution is running
    and has output out when the gate opens, and all write the rest at once."""
    wait = f"while [ ! -e {gate} ]; do sleep 0.05; done"
    return f"for i in $(seq 1 {LINES}); do echo line-$i; [ $i = 20 ] && {wait}; sleep 0.01; done"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Masters:
    masters: list[Master]
    services: Services
    join_token: str

    @property
    def addresses(self) -> str:
        return ",".join(m.addr for m in self.masters)

    def live(self) -> list[Master]:
        return [m for m in self.masters if m.proc.popen.poll() is None]

    def holding(self, name: str) -> Master:
        """The live master `name` is attached to (the other masters say it is not)."""

        def attached() -> Master | None:
            for master in self.live():
                try:
                    wait_attached(master, name, timeout=0.2)
                except AssertionError:
                    continue
                return master
            return None

        return wait_until(attached, 30, what=f"slave {name} attached to a live master")


@pytest.fixture(scope="module")
def masters(module_services: Services) -> Iterator[Masters]:
    """Three masters on one fresh database, with one secrets key, admin and join token."""
    join = secrets.token_urlsafe(24)
    env = {"JOBFLEET_JOIN_TOKEN": join}
    started: list[Master] = []
    for _ in range(3):
        port = free_port()
        shared = []
        if started:
            first = started[0]
            db = first.args[first.args.index("--db") + 1]
            shared = ["--db", db, "--key-file", str(first.data_dir / "secrets.key")]
        listen = ["--listen", f"127.0.0.1:{port}", "--advertise", f"127.0.0.1:{port}"]
        started.append(module_services.start_master(*listen, *shared, env=env))
    yield Masters(started, module_services, join)


def start_slave(cluster: Masters, name: str) -> Proc:
    """A slave given every master; it attaches to one of them."""
    first = cluster.masters[0]
    return cluster.services.start_slave(first, name, "--master", cluster.addresses, wait=False)


def submit(master: Master, script: str, node: str) -> str:
    ask = task_pb2.SubmitCommandRequest(
        project_id=1,
        name="failover",
        submitter="tester",
        nodes=[node],
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
    )
    with master.channel() as channel:
        reply = task_pb2_grpc.TaskServiceStub(channel).SubmitCommand(ask, timeout=30)
        return str(reply.task.uuid)


def get_task(stub: task_pb2_grpc.TaskServiceStub, uuid: str) -> Any:
    return stub.GetTask(task_pb2.GetTaskRequest(uuid=uuid), timeout=10).task


def full_log(stub: task_pb2_grpc.TaskServiceStub, execution_id: int) -> str:
    data: bytes = b""
    seq = 0
    while True:
        ask = task_pb2.ReadLogRequest(execution_id=execution_id, from_seq=seq)
        reply = stub.ReadLog(ask, timeout=10)
        data += bytes(reply.data)
        if reply.complete or reply.next_seq <= seq:
            return data.decode()
        seq = reply.next_seq


def test_a_slave_whose_master_is_killed_moves_on_and_every_log_is_whole(
    masters: Masters, tmp_path: Path
) -> None:
    start_slave(masters, "s1")
    doomed = masters.holding("s1")
    gate = tmp_path / "gate"
    uuids = [submit(doomed, gated(str(gate)), "s1") for _ in range(50)]
    with doomed.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)

        def all_waiting() -> bool:
            tasks = [get_task(stub, uuid) for uuid in uuids]
            ids = [e.id for t in tasks for e in t.executions]
            return len(ids) == 50 and all("line-20\n" in full_log(stub, i) for i in ids)

        wait_until(all_waiting, 60, interval=0.3, what="50 executions at their 20th line")
        gate.touch()
        last = get_task(stub, uuids[-1]).executions[0].id
        wait_until(lambda: "line-40\n" in full_log(stub, last), 10, what="lines past the gate")
    killed_at = time.monotonic()
    doomed.proc.kill()

    survivor = masters.holding("s1")
    moved_after = time.monotonic() - killed_at
    assert survivor is not doomed
    assert moved_after < 5, f"re-attached {moved_after:.1f} s after the kill"

    with survivor.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        final = {common_pb2.TASK_STATUS_SUCCESS, common_pb2.TASK_STATUS_FAIL}

        def finished() -> list[Any] | None:
            tasks = [get_task(stub, uuid) for uuid in uuids]
            return tasks if all(t.status in final for t in tasks) else None

        tasks = wait_until(finished, 60, interval=0.5, what="the 50 tasks finished")
        assert [t.status for t in tasks] == [common_pb2.TASK_STATUS_SUCCESS] * 50
        logs = [full_log(stub, e.id) for t in tasks for e in t.executions]
    assert len(logs) == 50
    broken = [i for i, log in enumerate(logs) if log != EXPECTED]
    assert broken == [], f"{len(broken)} logs not whole, e.g. {logs[broken[0]][-200:]!r}"


def frame_lines(frames: list[str]) -> list[str]:
    """The log lines of OpenC3's socket frames (escaped, headed by their node)."""
    return re.findall(r"line-\d+", html.unescape("\n".join(frames)))


def test_a_gateway_keeps_answering_and_following_when_its_master_is_killed(
    masters: Masters,
) -> None:
    start_slave(masters, "s2")
    slaves_master = masters.holding("s2")
    others = [m for m in masters.live() if m is not slaves_master]
    if not others:
        pytest.skip("needs a live master besides the slave's")
    doomed = others[0]
    # the gateway dials the doomed master first (pick_first), the slave's master second
    order = f"{doomed.addr},{slaves_master.addr}"
    gateway: Gateway = masters.services.start_gateway(doomed, "--master", order)
    gateway.token = doomed.token
    uuid = submit(slaves_master, SCRIPT, "s2")
    with slaves_master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)

        def some_lines() -> bool:
            executions = get_task(stub, uuid).executions
            return bool(executions) and full_log(stub, executions[0].id).count("\n") >= 20

        wait_until(some_lines, 20, interval=0.1, what="the first lines stored")
    with gateway.client() as http:
        assert http.get(f"/task/1/{uuid}").json()["stat"] is True
        url = gateway.url.replace("http://", "ws://") + f"/api/job/slave/s2/ws?uuid={uuid}"
        headers = {"Authorization": f"Token {gateway.token}"}
        frames: list[str] = []
        with connect(url, additional_headers=headers, open_timeout=10) as socket_:
            frames.append(str(socket_.recv(timeout=10)))
            doomed.proc.kill()
            try:
                while True:
                    frames.append(str(socket_.recv(timeout=30)))
            except Exception as exc:  # the socket closes once the task has ended
                if "ConnectionClosed" not in type(exc).__name__:
                    raise
        reply = http.get(f"/task/1/{uuid}")
        assert reply.json()["stat"] is True
        assert reply.json()["data"]["status"] == "success"
    lines = frame_lines(frames)
    assert lines == [f"line-{i}" for i in range(1, LINES + 1)], lines[:5]
