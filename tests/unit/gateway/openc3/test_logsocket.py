"""The log socket without a master: a caller without credentials, with a refused token, or with
a malformed uuid gets one `open log fail:` frame and a close; the token may come as a header, a
query parameter (taken out of the scope, so no log line quotes it) or the session cookie; the
master's stream is pulled only as frames are sent, and cancelled when the client leaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import cast

import grpc
import pytest
from starlette.testclient import TestClient
from starlette.types import Message, Scope
from starlette.websockets import WebSocket

from gateway.app import create_app
from gateway.callers import Caller
from gateway.config import GatewayConfig
from gateway.openc3.routes import logsocket
from gateway.upstream import GatewayState, MasterClient
from jobfleet.v1 import common_pb2, task_pb2
from tests.integration.rest import STATUS_HEADER
from tests.unit.gateway.test_app import closed_port
from tests.unit.gateway.test_auth import Verifier, refusal

TOKEN = "s" * 32
UUID = "AbCdEf012345"


@dataclass
class Recorder(Verifier):
    """A Verifier that also keeps the query string the handler will see."""

    query_strings: list[bytes] = field(default_factory=list)

    async def __call__(self, scope: Scope, token: str, project_id: int | None) -> Caller:
        self.query_strings.append(scope["query_string"])
        return await super().__call__(scope, token, project_id)


def client(verify: Verifier) -> TestClient:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}", rpc_timeout=2)
    return TestClient(create_app(config, verify))


def frames_then_close(
    verify: Verifier, url: str, headers: dict[str, str] | None = None
) -> tuple[list[str], int]:
    """Every text frame the socket sends, and its close code."""
    with client(verify) as http, http.websocket_connect(url, headers=headers or {}) as socket:
        texts: list[str] = []
        while True:
            message = socket.receive()
            if message["type"] == "websocket.close":
                return texts, int(message["code"])
            texts.append(str(message["text"]))


def test_no_credentials_is_one_refusal_frame_and_a_close() -> None:
    verify = Verifier()

    texts, code = frames_then_close(verify, f"/slave/s1/ws?uuid={UUID}")

    assert texts == [
        "open log fail: token: credentials required: the session cookie, a `token` query "
        "parameter, `Authorization: Token &lt;t&gt;`, or `appname` + `appkey`"
    ]
    assert (code, verify.asked) == (logsocket.CLOSE_REFUSED, [])


def test_a_refused_token_is_one_refusal_frame_and_a_close() -> None:
    verify = Verifier(refusal(grpc.StatusCode.UNAUTHENTICATED, "unknown token"))

    texts, code = frames_then_close(verify, f"/slave/s1/ws?uuid={UUID}&token={TOKEN}")

    assert (texts, code) == (["open log fail: unknown token"], logsocket.CLOSE_REFUSED)
    assert verify.asked == [(TOKEN, None)]


@pytest.mark.parametrize("uuid", ["", "a-b", "<script>", "x" * 200])
def test_a_malformed_uuid_is_refused_in_openc3s_words(uuid: str) -> None:
    texts, code = frames_then_close(
        Verifier(), f"/slave/s1/ws?uuid={uuid}", {"Authorization": f"Token {TOKEN}"}
    )

    assert (texts, code) == (["open log fail: uuid format error"], logsocket.CLOSE_REFUSED)


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        (f"token={TOKEN}&", {}),
        ("", {"Cookie": f"other=1; sid={TOKEN}"}),
        ("", {"appname": "ci", "appkey": TOKEN}),
        ("token=wrong&", {"Authorization": f"Token {TOKEN}"}),  # a header goes first
    ],
)
def test_the_token_comes_from_a_header_the_query_or_the_session_cookie(
    query: str, headers: dict[str, str]
) -> None:
    verify = Recorder()

    texts, _ = frames_then_close(verify, f"/slave/s1/ws?{query}uuid=a-b", headers)

    assert verify.asked == [(TOKEN, None)]
    assert verify.query_strings == [b"uuid=a-b"]  # the token is out of the scope
    assert texts == ["open log fail: uuid format error"]


def test_another_sites_page_cannot_open_a_log_with_the_session_cookie() -> None:
    # Cross-site WebSocket hijacking: a page elsewhere opens the socket, the browser adds the
    # user's cookie; the log must not reach that page.
    verify = Verifier()
    browser = {"Cookie": f"sid={TOKEN}", "Sec-Fetch-Site": "cross-site"}

    texts, code = frames_then_close(verify, f"/slave/s1/ws?uuid={UUID}", browser)

    assert code == logsocket.CLOSE_REFUSED and verify.asked == []
    assert texts == [
        "open log fail: sid: a request from another site may not act with the session cookie"
    ]


def test_a_plain_get_of_the_socket_is_426() -> None:
    with client(Verifier()) as http:
        reply = http.get(f"/slave/s1/ws?uuid={UUID}", headers={"Authorization": f"Token {TOKEN}"})

    assert int(reply.headers.get(STATUS_HEADER, reply.status_code)) == 426  # either contract
    assert reply.json() == {
        "stat": False,
        "info": "Upgrade: this is a WebSocket: connect with `Upgrade: websocket`",
    }


# The relay, with a stand-in for the master's stream and a socket that reads slowly.


@dataclass
class Stream:
    """FollowTask's call: hands out `replies` one per read, counting reads; cancel() noted."""

    replies: list[task_pb2.FollowTaskResponse]
    read: int = 0
    cancelled: bool = False

    def __aiter__(self) -> AsyncIterator[task_pb2.FollowTaskResponse]:
        return self._replies()

    async def _replies(self) -> AsyncIterator[task_pb2.FollowTaskResponse]:
        for reply in self.replies:
            self.read += 1
            yield reply
        await asyncio.Event().wait()  # a live task: nothing more for now

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class TaskStub:
    stream: Stream

    def FollowTask(self, ask: task_pb2.FollowTaskRequest) -> Stream:  # noqa: N802
        return self.stream


@dataclass
class Socket:
    """The client end: takes a frame only when `reading` is set; `gone` makes it leave."""

    sent: list[str] = field(default_factory=list)
    reading: asyncio.Event = field(default_factory=asyncio.Event)
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    closed: int | None = None

    async def send_text(self, text: str) -> None:
        await self.reading.wait()
        self.sent.append(text)

    async def receive(self) -> Message:
        await self.gone.wait()
        return {"type": "websocket.disconnect", "code": 1001}

    async def close(self, code: int = 1000) -> None:
        self.closed = code


def line(n: int) -> task_pb2.FollowTaskResponse:
    return task_pb2.FollowTaskResponse(
        output=task_pb2.LogData(execution_id=1, node="web1", data=b"line %d\n" % n)
    )


def relayed(stream: Stream, socket: Socket) -> asyncio.Task[None]:
    master = cast(MasterClient, type("Master", (), {"task": TaskStub(stream)})())
    log = logsocket.frames(master, task_pb2.FollowTaskRequest(uuid=UUID))
    return asyncio.ensure_future(logsocket.relay(cast(WebSocket[GatewayState], socket), log))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_a_slow_reader_holds_the_stream_back_and_leaving_cancels_it() -> None:
    async def scenario() -> tuple[Stream, Socket, list[int]]:
        stream, socket = Stream([line(n) for n in range(1000)]), Socket()
        relay = relayed(stream, socket)
        await settle()
        reads_while_stalled = stream.read
        socket.reading.set()
        while len(socket.sent) < 10:
            await asyncio.sleep(0)
        socket.reading.clear()
        await settle()
        reads_after = [reads_while_stalled, stream.read]
        socket.gone.set()
        await asyncio.wait_for(relay, 5)
        return stream, socket, reads_after

    stream, socket, (stalled, later) = asyncio.run(scenario())

    assert stalled == 1  # one message pulled, its frame waiting for the reader
    assert later <= len(socket.sent) + 1
    assert stream.cancelled and socket.closed is None


def test_the_socket_closes_after_the_tasks_last_output() -> None:
    ended = task_pb2.FollowTaskResponse(
        task=common_pb2.Task(uuid=UUID, status=common_pb2.TASK_STATUS_SUCCESS)
    )
    finished = task_pb2.FollowTaskResponse(
        execution=common_pb2.Execution(
            id=1, node="web1", status=common_pb2.EXECUTION_STATUS_SUCCESS, exit_code=0
        )
    )

    async def scenario() -> Socket:
        stream, socket = Stream([line(1), finished, ended]), Socket()
        socket.reading.set()
        await asyncio.wait_for(relayed(stream, socket), 5)  # the stream itself never ends
        return socket

    socket = asyncio.run(scenario())

    assert socket.sent[-2:] == [
        '<font color="#00FF00">web1: success, exit 0</font>',
        '<font color="#00FF00">task success</font>',
    ]
    assert socket.closed == logsocket.CLOSE_DONE
