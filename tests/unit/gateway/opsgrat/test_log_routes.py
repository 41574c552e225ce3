"""`/api/job/log/` without a master: what each route asks the master for (paging, ordering,
filters, note fields, keys), what it answers (DRF's bodies and true statuses: 201, 204, 409
naming `id`), and that bad input is refused before any call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.routing import Match
from starlette.testclient import TestClient

from gateway.app import ROUTES, create_app, openapi_document
from gateway.config import GatewayConfig
from gateway.opsgrat.routes import log as routes
from gateway.statusheader import STATUS_HEADER
from jobfleet.v1 import common_pb2, task_pb2
from tests.unit.gateway.test_app import closed_port
from tests.unit.gateway.test_auth import refusal
from tests.unit.gateway.trust import trust

NOTE = task_pb2.RunLogEntry(
    id=9, task_id=3, created_at=Timestamp(seconds=100), note=True, author="api", text=b"hi"
)
OUTPUT = task_pb2.RunLogEntry(
    id=8,
    task_id=3,
    created_at=Timestamp(seconds=99),
    execution=common_pb2.Execution(id=4, node="web1"),
    text=b"o",
)


@dataclass
class FakeTasks:
    """TaskService as the routes call it: records each request, answers `replies` in turn (an
    AioRpcError is raised)."""

    replies: list[Any] = field(default_factory=list)
    asked: list[Message] = field(default_factory=list)

    async def _answer(self, ask: Message) -> Any:
        self.asked.append(ask)
        reply = self.replies.pop(0)
        if isinstance(reply, grpc.aio.AioRpcError):
            raise reply
        return reply

    async def ListRunLogs(self, ask: Message, timeout: float) -> Any:
        return await self._answer(ask)

    async def AddTaskNote(self, ask: Message, timeout: float) -> Any:
        return await self._answer(ask)

    async def UpdateTaskNote(self, ask: Message, timeout: float) -> Any:
        return await self._answer(ask)

    async def DeleteTaskNotes(self, ask: Message, timeout: float) -> Any:
        return await self._answer(ask)

    async def ReadLog(self, ask: Message, timeout: float) -> Any:
        return await self._answer(ask)


@dataclass
class FakeMaster:
    task: FakeTasks
    timeout: float = 5.0


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> FakeTasks:
    fake = FakeTasks()
    monkeypatch.setattr(routes, "master_of", lambda request: FakeMaster(fake))
    return fake


@pytest.fixture
def http() -> Iterator[TestClient]:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}", rpc_timeout=2)
    with TestClient(create_app(config, trust), headers={"Authorization": "Token t"}) as client:
        yield client


def test_a_list_asks_for_the_page_and_answers_drf_paging(
    http: TestClient, tasks: FakeTasks
) -> None:
    tasks.replies = [task_pb2.ListRunLogsResponse(entries=[NOTE, OUTPUT], total=7)]

    reply = http.get("/api/job/log/?job=3&ordering=-ctime,job&limit=2&offset=2")

    assert tasks.asked == [
        task_pb2.ListRunLogsRequest(
            task_id=3,
            order_by=["-created_at", "task_id"],
            limit=2,
            offset=2,
            max_bytes=256 << 10,
        )
    ]
    body = reply.json()
    assert reply.status_code == 200
    assert (body["count"], [r["id"] for r in body["results"]]) == (7, [9, 8])
    assert (
        body["next"]
        == "http://testserver/api/job/log/?job=3&ordering=-ctime%2Cjob&limit=2&offset=4"
    )
    assert body["previous"] == "http://testserver/api/job/log/?job=3&ordering=-ctime%2Cjob&limit=2"
    assert body["results"][1]["log"] == "[web1] o"


@pytest.mark.parametrize(
    ("query", "field"),
    [("ordering=ctime,name", "ordering"), ("job=x", "job"), ("job=0", "job"), ("limit=0", "limit")],
)
def test_a_bad_list_query_is_400_naming_it_before_any_call(
    http: TestClient, tasks: FakeTasks, query: str, field: str
) -> None:
    reply = http.get(f"/api/job/log/?{query}")

    assert reply.status_code == 400 and list(reply.json()) == [field]
    assert tasks.asked == []


@pytest.mark.parametrize("how", ["json", "form"])
def test_a_note_is_posted_with_the_servers_time(
    http: TestClient, tasks: FakeTasks, how: str
) -> None:
    tasks.replies = [NOTE]
    sent = {"job": "3", "log": "hi", "ctime": "1", "id": "77"}

    reply = http.post("/api/job/log/", **{how if how == "json" else "data": sent})  # type: ignore[arg-type]

    assert (reply.status_code, reply.headers[STATUS_HEADER]) == (201, "201")
    assert reply.json()["ctime"] == 100 and reply.json()["note"] is True
    assert tasks.asked == [task_pb2.AddTaskNoteRequest(task_id=3, text="hi", author="api")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"log": "x"}, "job"),
        ({"job": 3}, "log"),
        ({"job": 3, "log": "  "}, "log"),
        ({"job": "a", "log": "x"}, "job"),
    ],
)
def test_a_bad_note_is_400_naming_the_field_before_any_call(
    http: TestClient, tasks: FakeTasks, body: dict[str, Any], field: str
) -> None:
    reply = http.post("/api/job/log/", json=body)

    assert reply.status_code == 400 and list(reply.json()) == [field]
    assert tasks.asked == []


def test_a_note_on_a_run_not_found_is_400_naming_job(http: TestClient, tasks: FakeTasks) -> None:
    tasks.replies = [refusal(grpc.StatusCode.NOT_FOUND, "task_id: task 5 not found", "task_id")]

    reply = http.post("/api/job/log/", json={"job": 5, "log": "x"})

    assert (reply.status_code, reply.json()) == (400, {"job": ["task 5 not found"]})


def test_changing_an_output_row_is_409_saying_post_a_note(
    http: TestClient, tasks: FakeTasks
) -> None:
    why = "id: log entry 8 is the output of execution 4 on web1: machine output is never rewritten"
    tasks.replies = [refusal(grpc.StatusCode.FAILED_PRECONDITION, why, "id")]

    reply = http.patch("/api/job/log/8/", json={"log": "forged"})

    assert reply.status_code == 409
    assert reply.json() == {
        "detail": "id: log entry 8 is the output of execution 4 on web1: machine output is "
        "never rewritten; POST a note"
    }
    assert tasks.asked == [task_pb2.UpdateTaskNoteRequest(id=8, text="forged")]


def test_put_and_patch_change_what_they_carry(http: TestClient, tasks: FakeTasks) -> None:
    tasks.replies = [NOTE, NOTE]

    put = http.put("/api/job/log/9/", data={"log": "new", "ctime": "5"})
    patch = http.patch("/api/job/log/9/", json={"job": 4})

    assert (put.status_code, patch.status_code) == (200, 200)
    assert tasks.asked == [
        task_pb2.UpdateTaskNoteRequest(id=9, text="new"),
        task_pb2.UpdateTaskNoteRequest(id=9, task_id=4),
    ]


def test_deleting_takes_pk_and_pk_brackets_and_answers_204(
    http: TestClient, tasks: FakeTasks
) -> None:
    tasks.replies = [task_pb2.DeleteTaskNotesResponse(deleted=[3, 5, 9])] * 2

    form = http.request(
        "DELETE",
        "/api/job/log/",
        content=b"pk[]=3&pk[]=5&pk=9",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    one = http.delete("/api/job/log/9/")

    assert (form.status_code, form.content, one.status_code) == (204, b"", 204)
    assert [list(a.ids) for a in tasks.asked] == [[9, 3, 5], [9]]


def test_deleting_an_output_row_is_409_naming_the_key_it_came_in(
    http: TestClient, tasks: FakeTasks
) -> None:
    why = "ids: log entries 8 (web1) are executions' output: machine output is never rewritten"
    tasks.replies = [refusal(grpc.StatusCode.FAILED_PRECONDITION, why, "ids")] * 2

    bulk = http.request("DELETE", "/api/job/log/", json={"pk": "9,8"})
    one = http.delete("/api/job/log/8/")

    assert (bulk.status_code, one.status_code) == (409, 409)
    assert bulk.json()["detail"].startswith("pk: log entries 8 (web1) are executions' output")
    assert one.json()["detail"].startswith("id: log entries 8 (web1)")


def test_a_bulk_delete_naming_nothing_is_400_before_any_call(
    http: TestClient, tasks: FakeTasks
) -> None:
    reply = http.request("DELETE", "/api/job/log/", json={"pk": ""})

    assert reply.status_code == 400 and list(reply.json()) == ["pk"]
    assert tasks.asked == []


def test_one_row_not_found_is_404_and_an_output_row_comes_whole(
    http: TestClient, tasks: FakeTasks
) -> None:
    tasks.replies = [
        task_pb2.ListRunLogsResponse(),
        task_pb2.ListRunLogsResponse(entries=[OUTPUT]),
        task_pb2.ReadLogResponse(data=b"one\ntw", next_seq=1),
        task_pb2.ReadLogResponse(data=b"o\n", next_seq=2, complete=True),
    ]

    missing = http.get("/api/job/log/7/")
    whole = http.get("/api/job/log/8/")

    assert (missing.status_code, list(missing.json())) == (404, ["detail"])
    assert whole.json()["log"] == "[web1] one\n[web1] two\n"
    assert whole.json()["truncated"] is False
    asked = tasks.asked
    assert asked[0] == task_pb2.ListRunLogsRequest(ids=[7], max_bytes=65536)
    assert asked[1] == task_pb2.ListRunLogsRequest(ids=[8], max_bytes=1)
    assert asked[3] == task_pb2.ReadLogRequest(execution_id=4, from_seq=1, max_bytes=1 << 20)


def endpoint(method: str, path: str) -> str:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in ROUTES:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return str(child["endpoint"].__name__)
    raise AssertionError(f"no route for {method} {path}")


def test_each_method_reaches_its_handler_and_success_statuses_are_documented() -> None:
    paths = openapi_document()["paths"]

    assert [endpoint(m, "/api/job/log/") for m in ("GET", "POST", "DELETE")] == [
        "list_logs",
        "create_log",
        "delete_logs",
    ]
    assert [endpoint(m, "/api/job/log/8/") for m in ("GET", "PUT", "PATCH", "DELETE")] == [
        "get_log",
        "put_log",
        "patch_log",
        "delete_log",
    ]
    assert "201" in paths["/api/job/log/"]["post"]["responses"]
    assert "content" not in paths["/api/job/log/{id}/"]["delete"]["responses"]["204"]
