"""A gateway watching tasks change (JOBFLEET_GATEWAY_WATCH_TOKEN) answers repeated reads of a
task from memory: a change still shows within a second, and what one token read never answers
another token (another project's token, a token deleted since)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Gateway, Master, Services
from tests.integration.rest import submit
from tests.waiting import wait_until

FRESH_FOR = 1.0  # what the gateway promises (gateway/taskreads.py)


@dataclass(frozen=True)
class Watching:
    """The module's master (slave s1), its gateway watching tasks, project 1's token `one`,
    the second project's id and its token `two`."""

    master: Master
    gateway: Gateway
    one: str
    other: int
    two: str


def made_token(http: httpx.Client, project: int) -> dict[str, Any]:
    reply = http.post(f"/token/{project}", json={"describe": "reader"})
    assert reply.json()["stat"] is True, reply.text
    row: dict[str, Any] = reply.json()["data"]
    return row


@pytest.fixture(scope="module")
def watching(module_services: Services) -> Iterator[Watching]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    env = {"JOBFLEET_GATEWAY_WATCH_TOKEN": master.token}
    gateway = module_services.start_gateway(master, env=env)
    other = master.create_project("second")
    with gateway.client() as admin:
        one, two = made_token(admin, 1)["token"], made_token(admin, other)["token"]
        yield Watching(master, gateway, str(one), other, str(two))


def read(http: httpx.Client, project: int, uuid: str) -> dict[str, Any]:
    reply = http.get(f"/task/{project}/{uuid}")
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def finished(http: httpx.Client, uuid: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        data: dict[str, Any] = read(http, 1, uuid)["data"]
        return data if data["status"] in ("success", "fail") else None

    return wait_until(done, 60, what=f"task {uuid} finished")


def test_a_read_kept_for_one_token_never_answers_another(watching: Watching) -> None:
    """The attack: project 1's token loads its task into the gateway's memory (its page polls
    the task and its steps), over and over;
    meanwhile project 2's token asks for that task in its own project, and a token of project 1
    deleted since (the gateway still remembers its yes) asks for it in project 1."""
    gateway = watching.gateway
    with gateway.client() as admin:
        uuid = submit(admin, "echo kept")
        doomed = made_token(admin, 1)
    with (
        gateway.client(watching.one) as one,
        gateway.client(watching.two) as two,
        gateway.client(str(doomed["token"])) as gone,
    ):
        assert finished(one, uuid)["status"] == "success"
        assert gone.get("/task/1/count").json()["stat"] is True  # the gateway keeps its yes
        before = read(two, watching.other, uuid)
        assert before == {"stat": True, "data": {"status": "norun"}}
        steps_before = two.get(f"/subtask/{watching.other}/{uuid}").json()
        assert steps_before["stat"] is False and uuid in steps_before["info"], steps_before
        with gateway.client() as admin:
            assert admin.delete(f"/token/1/{doomed['id']}").json()["stat"] is True
        deadline = time.monotonic() + 2 * FRESH_FOR
        while time.monotonic() < deadline:  # answers kept and given again meanwhile
            assert read(one, 1, uuid)["data"]["status"] == "success"
            assert [s["status"] for s in one.get(f"/subtask/1/{uuid}").json()["data"]] == [
                "success"
            ]
            assert read(two, watching.other, uuid) == before
            assert two.get(f"/subtask/{watching.other}/{uuid}").json() == steps_before
            refused = read(gone, 1, uuid)
            assert refused["stat"] is False and "token" in refused["info"], refused


def test_a_change_shows_within_a_second_while_polled(watching: Watching) -> None:
    """Pages poll a running task every 10 ms; the moment the master has it final, the gateway
    answers so within the promised second (its change notice drops what it kept)."""
    with watching.gateway.client(watching.one) as one:
        uuid = submit(one, "sleep 1.5")
        polled: list[tuple[float, str, str]] = []
        stop = threading.Event()

        def poll() -> None:
            while not stop.is_set():
                data = read(one, 1, uuid)["data"]
                polled.append((time.monotonic(), data["status"], data["etag"]))
                time.sleep(0.01)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            final_at = followed_to_end(watching.master, uuid)
            wait_until(lambda: polled[-1][1] == "success" or None, 30, what="success polled")
        finally:
            stop.set()
            poller.join(30)
    seen_at = next(at for at, status, _ in polled if status == "success")
    assert seen_at - final_at < FRESH_FOR, (seen_at - final_at, polled[-5:])
    statuses = [status for _, status, _ in polled]
    assert "running" in statuses and statuses[-1] == "success"
    assert len({etag for _, _, etag in polled}) >= 2  # each change, a new etag


def followed_to_end(master: Master, uuid: str) -> float:
    """When the master says the task is final (FollowTask's last message came)."""
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        ask = task_pb2.FollowTaskRequest(project_id=1, uuid=uuid)
        for event in stub.FollowTask(ask, timeout=60):
            if event.HasField("task"):
                assert event.task.status == common_pb2.TASK_STATUS_SUCCESS
                return time.monotonic()
    raise AssertionError("FollowTask ended without the task")


def test_only_the_admin_token_watches_every_task(watching: Watching) -> None:
    """A project's token may not learn when other projects' tasks change."""
    with watching.master.channel(watching.one) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            next(iter(stub.WatchTaskChanges(task_pb2.WatchTaskChangesRequest(), timeout=10)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with watching.master.channel() as channel, watching.gateway.client() as admin:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        changes = stub.WatchTaskChanges(task_pb2.WatchTaskChangesRequest(), timeout=60)
        assert list(next(changes).task_ids) == []  # the watch is in place
        uuid = submit(admin, "true")
        task_id = int(finished(admin, uuid)["id"])
        named = next(batch.task_ids for batch in changes if task_id in batch.task_ids)
        assert task_id in named
        changes.cancel()


def raw_answer(conn: socket.socket, target: str, token: str) -> bytes:
    """One GET on a kept-alive connection: its answer as sent (status line, headers, body)."""
    request = f"GET {target} HTTP/1.1\r\nHost: gw\r\nAuthorization: Token {token}\r\n\r\n"
    conn.sendall(request.encode())
    got = b""
    while b"\r\n\r\n" not in got:
        got += conn.recv(65536) or pytest.fail(f"connection closed: {got!r}")
    head = got.split(b"\r\n\r\n", 1)[0]
    length = int(re.search(rb"\r\ncontent-length: (\d+)\r\n", head, re.I)[1])  # type: ignore[index]
    while len(got) < len(head) + 4 + length:
        got += conn.recv(65536) or pytest.fail(f"connection closed: {got!r}")
    return got


def test_a_polled_task_answers_what_the_app_answers_byte_for_byte(watching: Watching) -> None:
    """A page's repeated GET of a task (answered by the protocol from memory once warm) is the
    very answer of the app's own way to it (`?wait=0`, which the protocol never answers itself):
    status line, headers (ETag, X-Jobfleet-Status) and body; only `date` may tick between."""
    with watching.gateway.client(watching.one) as one:
        uuid = submit(one, "echo same")
        finished(one, uuid)
    host, port = watching.gateway.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        path = f"/task/1/{uuid}"
        for _ in range(3):  # the yes and the read kept, the answer rendered
            raw_answer(conn, path, watching.one)
        for _ in range(20):
            app, kept = (
                raw_answer(conn, f"{path}?wait=0", watching.one),
                raw_answer(conn, path, watching.one),
            )
            undated = [re.sub(rb"\r\ndate: [^\r]*", b"", a) for a in (app, kept)]
            assert undated[0] == undated[1]
        assert b"\r\nx-jobfleet-status: 200\r\n" in kept and b'"status":"success"' in kept


def test_a_deleted_token_polling_its_task_is_refused_within_a_second(watching: Watching) -> None:
    """The attack: a token polls its task (kept in the gateway, answered from memory), is
    deleted, and keeps polling: refused once its kept read is FRESH_FOR old, as before."""
    with watching.gateway.client() as admin:
        uuid = submit(admin, "true")
        finished(admin, uuid)
        doomed = made_token(admin, 1)
        with watching.gateway.client(str(doomed["token"])) as gone:
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:  # warm: read, kept, given again
                assert read(gone, 1, uuid)["data"]["status"] == "success"
            assert admin.delete(f"/token/1/{doomed['id']}").json()["stat"] is True
            deleted = time.monotonic()
            while read(gone, 1, uuid)["stat"] is True:
                assert time.monotonic() - deleted < FRESH_FOR + 1.0, "still answered"
                time.sleep(0.005)
