"""A page's repeated poll of a task answered by the HTTP protocol itself: the very bytes the app
sends for it, only for the token the master said yes to and while the read is fresh, and only
for a plain GET of the task read; everything else reaches the app."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import uvicorn
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.types import Message, Receive, Scope, Send
from uvicorn.server import ServerState

from gateway.app import create_app
from gateway.callers import Caller
from gateway.config import GatewayConfig
from gateway.keptanswers import KeptAnswers
from gateway.keptprotocol import protocol_for
from gateway.taskreads import FRESH_FOR, TaskReads
from jobfleet.v1 import common_pb2, task_pb2

TOKEN = "tok-one"
DATE = [(b"date", b"Sat, 05 Dec 2026 23:50:00 GMT")]
UUID = "T1"


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


class Master:
    """No call may reach it: every answer here is kept."""

    timeout = 5.0
    task = None  # a call on it fails the test


class Stub:
    def __init__(self) -> None:
        self.asked = 0

    async def GetTask(self, ask: task_pb2.GetTaskRequest, timeout: float) -> Any:  # noqa: N802
        self.asked += 1
        task = common_pb2.Task(
            id=7,
            uuid=ask.uuid,
            project_id=1,
            name="poll",
            status=common_pb2.TASK_STATUS_SUCCESS,
            started_at=Timestamp(seconds=int(time.time()) - 3),
            finished_at=Timestamp(seconds=int(time.time()) - 1),
        )
        return task_pb2.GetTaskResponse(task=task, etag="e7")


def headers(token: str = TOKEN) -> list[tuple[bytes, bytes]]:
    return [(b"host", b"gw"), (b"authorization", f"Token {token}".encode())]


class Fixture:
    """The app with a token the master said yes to (project 1), its read of task T1 kept."""

    def __init__(self) -> None:
        self.app = create_app(GatewayConfig(master="127.0.0.1:1"))
        self.answers: KeptAnswers = self.app.state.kept_answers
        self.answers.callers.put(TOKEN, 1, Caller(False, 1, 3))
        self.clock = Clock()
        self.reads = TaskReads(clock=self.clock)
        self.reads.live = True
        self.state = {"task_reads": self.reads, "master": Master(), "config": None}

    def keep(self, token: str = TOKEN, project: int = 1) -> None:
        from gateway.auth import CREDENTIALS

        async def read() -> None:
            CREDENTIALS.set(token)
            ask = task_pb2.GetTaskRequest(project_id=project, uuid=UUID)
            await self.reads.get(Stub(), ask, 5)

        asyncio.run(read())

    def through_app(self, path: str, query: bytes = b"", token: str = TOKEN) -> bytes:
        """What uvicorn would write for the app's answer (its status line, date, headers)."""
        sent: list[Message] = []
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query,
            "headers": headers(token),
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000),
            "state": dict(self.state),
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
        assert start["status"] == 200
        lines = [b"HTTP/1.1 200 OK\r\n"]
        lines += [b"%s: %s\r\n" % (k, v) for k, v in [*DATE, *start["headers"]]]
        return b"".join([*lines, b"\r\n", body])

    def kept(self, path: str = f"/task/1/{UUID}", token: str = TOKEN) -> bytes | None:
        return self.answers.answer(self.state, path, headers(token), DATE)


@pytest.fixture
def fixture() -> Fixture:
    return Fixture()


def same_second(fixture: Fixture) -> tuple[bytes, bytes | None]:
    """The app's answer and the kept one, taken in one whole second."""
    while True:
        second = int(time.time())
        app = fixture.through_app(f"/task/1/{UUID}", b"wait=0")  # a query: never kept here
        kept = fixture.kept()
        if int(time.time()) == second:
            return app, kept


def test_a_kept_read_answers_the_very_bytes_of_the_app(fixture: Fixture) -> None:
    fixture.keep()
    app, kept = same_second(fixture)
    assert kept == app
    assert b'etag: "e7"\r\n' in app and b"x-jobfleet-status: 200\r\n" in app
    for prefixed in (f"/api/job/task/1/{UUID}",):  # OpenC3's prefix
        assert fixture.answers.answer(fixture.state, prefixed, headers(), DATE) == kept


def test_nothing_is_answered_before_the_app_rendered_it_this_second(fixture: Fixture) -> None:
    fixture.keep()
    assert fixture.kept() is None  # kept, but not yet rendered by the handler
    fixture.through_app(f"/task/1/{UUID}")
    assert fixture.kept() is not None


def test_another_token_a_token_unknown_or_a_stale_read_reach_the_app(fixture: Fixture) -> None:
    """The attack: a token of another project (the master said yes to it for its own project)
    polls the path a page of project 1 keeps warm; a token the master never vouched for sends
    the same header; the first token after its read's FRESH_FOR (its right read again)."""
    fixture.keep()
    fixture.through_app(f"/task/1/{UUID}")
    assert fixture.kept() is not None
    fixture.answers.callers.put("other", 2, Caller(False, 2, 4))
    assert fixture.kept(token="other") is None
    assert fixture.kept(f"/task/2/{UUID}", token="other") is None
    assert fixture.kept(token="never-asked") is None
    assert fixture.kept(f"/task/2/{UUID}") is None  # the same token, another project
    fixture.clock.now += FRESH_FOR
    assert fixture.kept() is None


@pytest.mark.parametrize(
    "path",
    ["/task/1/count", "/task/01/T1", "/task/1/T-1", "/subtask/1/T1", "/task/1", "/nowhere"],
)
def test_only_the_task_read_itself_is_answered(fixture: Fixture, path: str) -> None:
    fixture.keep()
    fixture.through_app(f"/task/1/{UUID}")
    assert fixture.answers.answer(fixture.state, path, headers(), DATE) is None


def test_a_lost_change_stream_answers_nothing(fixture: Fixture) -> None:
    fixture.keep()
    fixture.through_app(f"/task/1/{UUID}")
    fixture.reads.lost()
    assert fixture.kept() is None


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name in ("sockname", "peername") else default

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_the_protocol_answers_a_kept_read_in_one_write_and_passes_the_rest(
    fixture: Fixture,
) -> None:
    fixture.keep()
    fixture.through_app(f"/task/1/{UUID}")
    reached: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(f"{scope['path']}?{scope['query_string'].decode()}")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def talk() -> Transport:
        config = uvicorn.Config(app, http=protocol_for(fixture.answers), log_config=None)
        config.load()
        state = ServerState()
        state.default_headers = DATE
        protocol = config.http_protocol_class(  # type: ignore[call-arg]
            config=config, server_state=state, app_state=fixture.state
        )
        transport = Transport()
        protocol.connection_made(transport)
        auth = f"Authorization: Token {TOKEN}\r\n".encode()
        for target in (f"/task/1/{UUID}", f"/task/1/{UUID}?wait=0", f"/task/1/{UUID}"):
            request = b"GET %s HTTP/1.1\r\nHost: gw\r\n%s\r\n" % (target.encode(), auth)
            protocol.data_received(request)
            await asyncio.sleep(0.01)
        protocol.data_received(b"GET /task/1/T1 HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n")
        await asyncio.sleep(0.01)
        return transport

    transport = asyncio.run(talk())
    assert reached == [f"/task/1/{UUID}?wait=0", f"/task/1/{UUID}?"]
    kept = fixture.kept()
    assert kept is not None
    assert transport.writes[0] == kept and transport.writes[-2:] != [kept, kept]
    assert transport.writes.count(kept) == 2 and not transport.closed
