"""Notifications end to end: OpenC3's `notify` and `environment` routes, a run mailed through a
real SMTP server (aiosmtpd), its SMS gateway, webhook and callback on a loopback HTTP receiver
that fails the first tries, a dead mail server recorded as such, and a master SIGKILLed between
a run's end and its delivery delivering it once after restart."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import socket
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    common_pb2,
    notify_pb2,
    notify_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)
from tests.integration.conftest import Gateway, Master, Services, wait_attached
from tests.waiting import wait_until

SECRET = "hook-secret"


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str
    at: float


class Inbox:
    """aiosmtpd's handler: every message accepted, kept with when it arrived."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw)
        body = parsed.get_payload(decode=True)
        text = body.decode() if isinstance(body, bytes) else ""
        self.mails.append(Mail(list(envelope.rcpt_tos), str(parsed["Subject"]), text, time.time()))
        return "250 OK"

    def about(self, uuid: str) -> list[Mail]:
        return [m for m in self.mails if uuid in m.body]


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A loopback HTTP server: each path fails its first `failures[path]` requests with 500;
    `/cb` refuses JSON with 415 (it reads forms)."""

    hits: list[Hit] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    port: int = 0

    def of(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path.split("?")[0] == path]


def receiver_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.hits.append(Hit(self.path, dict(self.headers.items()), body))
            path = self.path.split("?")[0]
            status = 200
            if receiver.failures.get(path, 0) > 0:
                receiver.failures[path] -= 1
                status = 500
            elif path == "/cb" and self.headers.get("Content-Type") == "application/json":
                status = 415
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@dataclass
class World:
    master: Master
    gateway: Gateway
    inbox: Inbox
    smtp: Controller
    receiver: Receiver
    services: Services
    flags: list[str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp(inbox: Inbox, port: int = 0) -> Controller:
    """aiosmtpd on 127.0.0.1 (it needs its port named: it connects to it to know it is up)."""
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    inbox = Inbox()
    smtp = start_smtp(inbox)
    receiver = Receiver()
    http = ThreadingHTTPServer(("127.0.0.1", 0), receiver_handler(receiver))
    receiver.port = http.server_address[1]
    threading.Thread(target=http.serve_forever, daemon=True).start()
    flags = [
        "--smtp-url", f"smtp://127.0.0.1:{smtp.port}",
        "--smtp-from", "jobfleet@test.example",
        "--mail-domain", "corp.example",
        "--sms-url", f"http://127.0.0.1:{receiver.port}/sms?to=${{user}}",
        "--notify-retry-base", "0.3",
        "--notify-max-attempts", "3",
    ]  # fmt: skip
    master = module_services.start_master(*flags)
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    made = World(master, gateway, inbox, smtp, receiver, module_services, flags)
    yield made
    http.shutdown()
    http.server_close()
    made.smtp.stop(no_assert=True)


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert payload["stat"] is True, payload
    return payload["data"]


def refused(resp: httpx.Response) -> tuple[str, str]:
    """(the true status, info) of an OpenC3 refusal."""
    payload = resp.json()
    assert payload["stat"] is False, payload
    return resp.headers.get("X-Jobfleet-Status", str(resp.status_code)), str(payload["info"])


def project_token(master: Master, project: int) -> str:
    with master.channel() as channel:
        made = auth_pb2_grpc.TokenServiceStub(channel).CreateToken(
            auth_pb2.CreateTokenRequest(project_id=project), timeout=10
        )
    return str(made.secret)


def run(master: Master, script: str = "true", **options: Any) -> common_pb2.Task:
    """A command run on s1 by `carol` (its end is what is told), waited for."""
    ask = task_pb2.SubmitCommandRequest(
        project_id=1,
        name="deploy",
        submitter="carol",
        nodes=["s1"],
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
        options=common_pb2.RunOptions(**options),
    )
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        uuid = stub.SubmitCommand(ask, timeout=10).task.uuid

        def ended() -> common_pb2.Task | None:
            found = stub.GetTask(task_pb2.GetTaskRequest(project_id=1, uuid=uuid), timeout=10)
            return found.task if found.task.HasField("finished_at") else None

        return wait_until(ended, 60, what=f"task {uuid} ended")


def deliveries(http: httpx.Client, uuid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ok(http.get("/notify/1/deliveries", params={"uuid": uuid}))
    return rows


def settled(http: httpx.Client, uuid: str, count: int) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        rows = deliveries(http, uuid)
        final = len(rows) == count and all(r["status"] != "pending" for r in rows)
        return rows if final else None

    return wait_until(done, 60, what=f"{count} deliveries of {uuid} settled")


def test_recipients_and_environment_are_kept_and_guarded(world: World) -> None:
    other = world.master.create_project("notify-other")
    foreign = project_token(world.master, other)
    own = project_token(world.master, 1)
    with world.gateway.client() as admin, world.gateway.client(foreign) as stranger:
        settings = {
            "isApiSuccessEmail": True,
            "isApiFailEmail": "true",
            "isApiSuccessSms": "true",
            "isPageFailSms": False,
            "isCiBuildEmail": "kept",
            "notifyTemplateEmailTitle": "job ${name} ${status} by ${user}\nnot the subject",
        }
        assert ok(admin.post("/environment", json=settings)) == 6
        stored = ok(admin.get("/environment"))
        assert stored["isApiSuccessEmail"] == "true" and stored["isPageFailSms"] == "false"
        assert stored["isCiBuildEmail"] == "kept"
        assert refused(admin.post("/environment", json={"bad-key": "1"}))[1].count("bad-key")
        nul = refused(admin.post("/environment", json={"isCiBuildEmail": "a\u0000b"}))[1]
        assert "settings.isCiBuildEmail" in nul and "NUL" in nul
        assert ok(admin.request("DELETE", "/environment", params={"isCiBuildEmail": ""})) == 1

        for token in (own, foreign):
            with world.gateway.client(token) as project:
                assert refused(project.post("/environment", json={"isApiFailSms": "true"}))[0] == (
                    "403"
                )
                assert refused(project.get("/environment"))[0] == "403"
        with world.gateway.client("forged" + "x" * 26) as forged:
            answer = forged.post("/environment", json={"isApiFailSms": "true"})
            assert answer.headers.get("X-Jobfleet-Status", str(answer.status_code)) == "401"
        assert "isApiFailSms" not in ok(admin.get("/environment"))

        assert ok(admin.post("/notify/1", json={"user": "_"})) is True
        assert ok(admin.post("/notify/1", json={"user": "alice"})) is True
        assert "already exists" in refused(admin.post("/notify/1", json={"user": "alice"}))[1]
        assert "user" in refused(admin.post("/notify/1", json={"user": "a b"}))[1]
        rows = ok(admin.get("/notify/1"))
        alice = next(r for r in rows if r["user"] == "alice")
        assert alice["create_user"] and alice["create_time"]
        assert ok(admin.delete(f"/notify/1/{alice['id']}")) is True
        assert [r["user"] for r in ok(admin.get("/notify/1"))] == ["_"]
        assert ok(admin.post("/notify/1", json={"user": "alice"})) is True

        assert refused(stranger.get("/notify/1"))[0] == "403"
        assert refused(stranger.post("/notify/1", json={"user": "mallory"}))[0] == "403"
        assert refused(stranger.delete(f"/notify/1/{alice['id']}"))[0] == "403"
        assert refused(stranger.post("/notify/1/webhook", json={"url": "http://evil/"}))[0] == (
            "403"
        )
        assert ok(stranger.get(f"/notify/{other}")) == []
        assert refused(stranger.delete(f"/notify/{other}/{alice['id']}"))[0] == "404"

        assert "mallory" not in [r["user"] for r in ok(admin.get("/notify/1"))]
    with world.master.channel(foreign) as channel:  # straight to the master: the same refusals
        stub = notify_pb2_grpc.NotifyServiceStub(channel)
        asks: list[tuple[Any, Any]] = [
            (stub.AddNotifyUser, notify_pb2.AddNotifyUserRequest(project_id=1, user="m")),
            (stub.ListNotifyUsers, notify_pb2.ListNotifyUsersRequest(project_id=1)),
            (stub.SetEnvironment, notify_pb2.SetEnvironmentRequest(settings={"a": "b"})),
            (stub.GetEnvironment, notify_pb2.GetEnvironmentRequest()),
        ]
        for method, ask in asks:
            with pytest.raises(grpc.RpcError) as denied:
                method(ask, timeout=10)
            assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with world.gateway.client() as admin:
        assert "url" in refused(admin.post("/notify/1/webhook", json={"url": "ftp://x/"}))[1]
        hook = f"http://127.0.0.1:{world.receiver.port}/hook"
        assert ok(admin.post("/notify/1/webhook", json={"url": hook, "secret": SECRET})) is True
        assert ok(admin.get("/notify/1/webhook")) == {"url": hook, "secret": True}


def test_a_run_is_mailed_texted_posted_and_called_back_with_retries(world: World) -> None:
    receiver = world.receiver
    receiver.failures["/hook"] = 2
    callback = f"http://127.0.0.1:{receiver.port}/cb"
    with world.master.channel() as channel, pytest.raises(Exception) as bad:
        task_pb2_grpc.TaskServiceStub(channel).SubmitCommand(
            task_pb2.SubmitCommandRequest(
                project_id=1, name="x", nodes=["s1"], script="true",
                script_type=common_pb2.SCRIPT_TYPE_SHELL,
                options=common_pb2.RunOptions(callback_url="file:///etc/passwd"),
            ),
            timeout=10,
        )  # fmt: skip
    assert "options.callback_url" in str(bad.value)

    task = run(world.master, callback_url=callback)
    with world.gateway.client() as admin:
        rows = settled(admin, task.uuid, 6)

    by_channel = {(r["channel"], r["recipient"]): r for r in rows}
    assert {r["status"] for r in rows} == {"sent"}
    mails = sorted(world.inbox.about(task.uuid), key=lambda m: m.to)
    assert [(m.to, m.subject) for m in mails] == [
        (["alice@corp.example"], "job deploy success by carol"),
        (["carol@corp.example"], "job deploy success by carol"),
    ]
    assert mails[0].body.strip() == f"task {task.uuid} :success"
    texts = receiver.of("/sms")
    assert sorted(urllib.parse.parse_qs(h.body.decode())["user"][0] for h in texts[-2:]) == [
        "alice", "carol"
    ]  # fmt: skip
    assert f"taskuuid={task.uuid}: success" in urllib.parse.unquote_plus(texts[-1].body.decode())

    hooks = receiver.of("/hook")
    assert len(hooks) == 3  # two refusals, then accepted
    last = hooks[-1]
    mac = hmac.new(SECRET.encode(), last.body, hashlib.sha256).hexdigest()
    assert last.headers["X-Jobfleet-Signature"] == f"sha256={mac}"
    document = json.loads(last.body)
    assert (document["uuid"], document["status"], document["summary"]) == (
        task.uuid, "success", {"success": 1}
    )  # fmt: skip
    assert document["nodes"][0]["node"] == "s1" and document["finishtime"]
    hook_row = by_channel[("webhook", f"http://127.0.0.1:{receiver.port}/hook")]
    assert hook_row["attempts"] == 3 and "HTTP 500" in hook_row["last_error"]
    assert [t["ok"] for t in hook_row["tries"]] == [False, False, True]

    calls = receiver.of("/cb")
    assert [h.headers["Content-Type"] for h in calls] == [
        "application/json", "application/x-www-form-urlencoded"
    ]  # fmt: skip
    form = urllib.parse.parse_qs(calls[1].body.decode())
    assert (form["uuid"], form["status"]) == ([task.uuid], ["success"])
    assert by_channel[("callback", callback)]["tries"][0]["detail"] == "HTTP 200 (form)"

    delays = [world.inbox.about(task.uuid)[0].at - finished(task)]
    for _ in range(4):
        again = run(world.master)
        with world.gateway.client() as admin:
            settled(admin, again.uuid, 5)
        delays.append(min(m.at for m in world.inbox.about(again.uuid)) - finished(again))
    print(f"run end -> SMTP server received: median {statistics.median(delays):.3f} s {delays}")
    assert statistics.median(delays) < 2.0


def finished(task: common_pb2.Task) -> float:
    return float(task.finished_at.seconds + task.finished_at.nanos / 1e9)


def test_a_dead_mail_server_is_recorded_and_a_killed_master_delivers_once(world: World) -> None:
    world.smtp.stop()
    task = run(world.master)
    with world.gateway.client() as admin:
        rows = settled(admin, task.uuid, 5)
        mails = [r for r in rows if r["channel"] == "email"]
        assert {(r["status"], r["attempts"]) for r in mails} == {("failed", 3)}
        assert all("smtp" in r["last_error"] and not r["sent_time"] for r in mails)
        assert [t["ok"] for t in mails[0]["tries"]] == [False, False, False]
    assert world.inbox.about(task.uuid) == []

    world.smtp = start_smtp(world.inbox, world.smtp.port)
    master = world.master
    master.proc.popen.send_signal(signal.SIGKILL)
    master.proc.popen.wait()
    mute = world.services.start_master(
        *world.flags, "--listen", master.addr, "--no-deliver",
        data_dir=master.data_dir, name="master-mute",
    )  # fmt: skip
    wait_attached(mute, "s1")
    ended = run(mute)  # its notice is written; this master sends nothing
    with world.gateway.client() as admin:
        assert deliveries(admin, ended.uuid) == []
        mute.proc.popen.send_signal(signal.SIGKILL)
        mute.proc.popen.wait()
        world.master = world.services.start_master(
            *world.flags, "--listen", master.addr, data_dir=master.data_dir, name="master-again"
        )
        wait_attached(world.master, "s1")
        rows = settled(admin, ended.uuid, 5)
    assert {r["status"] for r in rows} == {"sent"}
    wait_until(lambda: len(world.inbox.about(ended.uuid)) == 2 or None, 30, what="mailed")
    assert sorted(m.to[0] for m in world.inbox.about(ended.uuid)) == [
        "alice@corp.example", "carol@corp.example"
    ]  # fmt: skip
