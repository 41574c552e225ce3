"""A command's stdout and stderr kept apart from the slave to every view: ReadLog gives either
stream alone or both as they came, FollowTask marks each piece's stream, and OpenC3's tasklog,
log socket and `jobfleet run` show both interleaved in the order the command wrote them -- for
a command the slave runs itself and for one it runs over SSH (a real sshd on 127.0.0.1).

One master, slave `s1` (which also reaches the sshd's machine `vm1`) and gateway serve the
module; one run of the script per machine serves every test.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from jobfleet.cli.client import follow
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Gateway, Master, Services
from tests.integration.rest import submit, tasklog
from tests.sshd import SshServer
from tests.waiting import wait_until

SCRIPT = "echo out1; echo err1 >&2; sleep 0.3; echo out2; echo err2 >&2"
BOTH = b"out1\nerr1\nout2\nerr2\n"
IN_ORDER = [(False, b"out1\n"), (True, b"err1\n"), (False, b"out2\n"), (True, b"err2\n")]
WAIT = 60.0


@dataclass
class Run:
    """One finished run of SCRIPT: its task and its one execution."""

    uuid: str
    execution_id: int
    node: str


@dataclass
class World:
    master: Master
    gateway: Gateway
    http: httpx.Client
    local: Run
    """Submitted through OpenC3's door, run by s1 itself."""
    remote: Run
    """Submitted over gRPC, run by s1 over SSH on vm1."""


@pytest.fixture(scope="module")
def world(module_services: Services, sshd: SshServer) -> Iterator[World]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    with gateway.client() as http:
        add = http.post(
            "/userlist/1", json={"username": sshd.user, "private_key": sshd.client_key.value}
        )
        assert add.status_code == 200, add.text
        node = {"name": "vm1", "inip": sshd.host, "sshport": sshd.port}
        assert http.post("/nodelist/1", json=node).status_code == 200
        local_uuid = submit(http, SCRIPT)
        with master.channel() as channel:
            stub = task_pb2_grpc.TaskServiceStub(channel)
            remote_uuid = stub.SubmitCommand(
                task_pb2.SubmitCommandRequest(
                    project_id=1,
                    name="streams",
                    user=sshd.user,
                    nodes=["vm1"],
                    script_type=common_pb2.SCRIPT_TYPE_SHELL,
                    script=SCRIPT,
                ),
                timeout=10,
            ).task.uuid
            runs = [finished(stub, uuid) for uuid in (local_uuid, remote_uuid)]
        yield World(master, gateway, http, *runs)


def finished(stub: task_pb2_grpc.TaskServiceStub, uuid: str) -> Run:
    def final() -> common_pb2.Task | None:
        task = stub.GetTask(task_pb2.GetTaskRequest(uuid=uuid), timeout=10).task
        return (
            task
            if task.status in (common_pb2.TASK_STATUS_SUCCESS, common_pb2.TASK_STATUS_FAIL)
            else None
        )

    task = wait_until(final, WAIT, what=f"task {uuid} final")
    assert task.status == common_pb2.TASK_STATUS_SUCCESS, task
    [execution] = task.executions
    return Run(uuid, execution.id, execution.node)


def read_all(
    stub: task_pb2_grpc.TaskServiceStub, run: Run, page: int, **stream: bool
) -> list[bytes]:
    """Every page of the execution's log, `page` bytes at most each (but one chunk)."""
    pages: list[bytes] = []
    seq = 0
    while True:
        ask = task_pb2.ReadLogRequest(
            execution_id=run.execution_id, from_seq=seq, max_bytes=page, **stream
        )
        reply = stub.ReadLog(ask, timeout=10)
        assert reply.next_seq >= seq
        pages.append(reply.data)
        if reply.complete:
            return pages
        assert reply.next_seq > seq, "no progress before the log is complete"
        seq = reply.next_seq


@pytest.mark.parametrize("which", ["local", "remote"])
def test_read_log_gives_both_streams_as_they_came_or_one_alone(world: World, which: str) -> None:
    run: Run = getattr(world, which)
    with world.master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        both = read_all(stub, run, 1 << 20)
        errors = read_all(stub, run, 1 << 20, stderr=True)
        output = read_all(stub, run, 1 << 20, stderr=False)
        error_pages = read_all(stub, run, 1, stderr=True)

    assert b"".join(both) == BOTH
    assert b"".join(errors) == b"err1\nerr2\n"
    assert b"".join(output) == b"out1\nout2\n"
    assert [p for p in error_pages if p] == [b"err1\n", b"err2\n"]  # one chunk a page


def test_follow_task_marks_each_pieces_stream(world: World) -> None:
    seen: dict[str, list[tuple[bool, bytes]]] = {}
    named: dict[str, set[str]] = {}
    steps: dict[str, set[str]] = {}
    with world.master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        for run in (world.local, world.remote):
            ask = task_pb2.FollowTaskRequest(uuid=run.uuid)
            replies = list(stub.FollowTask(ask, timeout=WAIT))
            seen[run.node] = [
                (r.output.stderr, r.output.data) for r in replies if r.HasField("output")
            ]
            named[run.node] = {r.execution.subtask_uuid for r in replies if r.HasField("execution")}
            steps[run.node] = {s.uuid for s in replies[-1].task.subtasks}
        printed = io.StringIO()
        follow(channel, world.remote.uuid, printed)  # what `jobfleet run` prints

    assert seen == {"s1": IN_ORDER, "vm1": IN_ORDER}
    assert named == steps and all(len(uuids) == 1 for uuids in steps.values())  # step named
    assert printed.getvalue().splitlines()[:4] == [
        "[vm1] out1",
        "[vm1] err1",
        "[vm1] out2",
        "[vm1] err2",
    ]


def test_openc3_shows_both_streams_interleaved_in_the_order_written(world: World) -> None:
    logs = tasklog(world.http, world.local.uuid)
    remote_logs = tasklog(world.http, world.remote.uuid)
    frames = socket_text(world.gateway, world.local.uuid)

    assert logs["s1"]["log"] == BOTH.decode()
    assert remote_logs["vm1"]["log"] == BOTH.decode()
    at = [frames.index(word) for word in ("out1", "err1", "out2", "err2")]
    assert at == sorted(at), frames


def socket_text(gateway: Gateway, uuid: str) -> str:
    """Every frame OpenC3's log socket sends for a finished task, joined."""
    url = f"{gateway.url.replace('http://', 'ws://')}/slave/s1/ws?uuid={uuid}"
    frames: list[str] = []
    with connect(url, additional_headers={"Authorization": f"Token {gateway.token}"}) as socket:
        try:
            while True:
                frame = socket.recv(timeout=WAIT)
                frames.append(str(frame))
        except ConnectionClosed:
            pass
    return "\n".join(frames)
