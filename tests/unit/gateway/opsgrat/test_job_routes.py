"""`/api/job/job/`: which handler each method reaches, the list's filters and ordering as the
master's ListTasksRequest, and a bulk delete's ids from `pk` or `pk[]` in a form or JSON."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import GatewayConfig
from gateway.errors import FieldError
from gateway.opsgrat import paging
from gateway.opsgrat.routes.job import ORDERABLE, list_request, primary_keys, routes
from gateway.statusheader import STATUS_HEADER
from jobfleet.v1 import common_pb2
from tests.unit.gateway.trust import trust

CREDENTIALS = {"Authorization": "Token unit-test-token"}  # taken on trust (`trust`)


@pytest.mark.parametrize(
    ("method", "path", "handler"),
    [
        ("GET", "/api/job/job/", "list_runs"),
        ("POST", "/api/job/job/", "create_run"),
        ("DELETE", "/api/job/job/", "delete_runs"),
        ("GET", "/api/job/job/1715/", "get_run"),
        ("PUT", "/api/job/job/1715/", "edit_run"),
        ("PATCH", "/api/job/job/1715/", "edit_run"),
        ("DELETE", "/api/job/job/1715/", "delete_run"),
    ],
)
def test_each_method_reaches_its_handler(method: str, path: str, handler: str) -> None:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    found = [r for r in routes if r.matches(scope)[0] == Match.FULL]
    assert [getattr(r, "endpoint").__name__ for r in found] == [handler]


def test_filters_and_ordering_become_the_masters_request() -> None:
    query = {
        "template": "28",
        "inventory": "15",
        "credential": "30",
        "schedule": "4",
        "state": "failed",
        "kind": "adhoc",
        "project": "0",
    }
    page = paging.Page(40, 20, ["-finished_at", "job_id"])

    ask = list_request(query, page)

    assert (ask.job_id, ask.nodegroup_id, ask.account_id, ask.crontab_id) == (28, 15, 30, 4)
    assert list(ask.statuses) == [
        common_pb2.TASK_STATUS_FAIL,
        common_pb2.TASK_STATUS_KILLED,
        common_pb2.TASK_STATUS_REFUSE,
    ]
    assert list(ask.job_types) == ["plugin_cmd", "plugin_scp"]
    assert (ask.project_id, ask.limit, ask.offset) == (0, 20, 40)
    assert list(ask.order_by) == ["-finished_at", "job_id"]
    assert not list_request({}, page).HasField("project_id")  # the token's own


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "done"}, "state"),
        ({"kind": "workflow"}, "kind"),
        ({"template": "x"}, "template"),
        ({"inventory": "0"}, "inventory"),
        ({"project": "-1"}, "project"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(query: dict[str, str], field: str) -> None:
    with pytest.raises(FieldError) as err:
        list_request(query, paging.Page(0, 20, []))
    assert err.value.field == field


def test_every_ordering_field_is_a_key_the_master_sorts_by() -> None:
    master_keys = {
        "id", "created_at", "started_at", "finished_at", "status", "name", "submitter",
        "job_id", "nodegroup_id", "account_id", "crontab_id", "forks",
    }  # fmt: skip
    assert set(ORDERABLE.values()) <= master_keys
    assert {"id", "ctime", "start_time", "finish_time", "state", "template", "forks"} <= set(
        ORDERABLE
    )


async def keys(request: Request[Any]) -> Response:
    try:
        return JSONResponse({"ids": await primary_keys(request)})
    except FieldError as exc:
        return JSONResponse({exc.field: [exc.message]}, status_code=400)


CLIENT = TestClient(Starlette(routes=[Route("/", keys, methods=["DELETE"])]))


def delete(**kwargs: Any) -> tuple[int, Any]:
    reply = CLIENT.request("DELETE", "/", **kwargs)
    return reply.status_code, reply.json()


def test_bulk_ids_come_from_pk_or_pk_brackets_in_a_form_or_json() -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}

    assert delete(json={"pk": "3,1,2"}) == (200, {"ids": [3, 1, 2]})
    assert delete(json={"pk[]": [4, "5"]}) == (200, {"ids": [4, 5]})
    assert delete(json={"pk": [6], "pk[]": [6, 7]}) == (200, {"ids": [6, 7]})
    assert delete(content=b"pk[]=8&pk[]=9", headers=form) == (200, {"ids": [8, 9]})
    assert delete(content=b"pk=10%2C11", headers=form) == (200, {"ids": [10, 11]})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "pk"),
        ({"pk": ""}, "pk"),
        ({"pk": "1,x"}, "pk"),
        ({"pk[]": [1, -2]}, "pk[]"),
        ({"pk[]": [True]}, "pk[]"),
        ({"pk[]": [{"id": 1}]}, "pk[]"),
        ({"pk[]": 12}, "pk[]"),
        ({"id": 5}, "pk"),
    ],
)
def test_bad_or_no_ids_are_refused_naming_the_key(body: dict[str, Any], field: str) -> None:
    status, answer = delete(json=body)
    assert (status, list(answer)) == (400, [field])


@pytest.fixture
def app() -> Iterator[TestClient]:
    """The gateway without a master: whatever reaches the master is a 503."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = GatewayConfig(master=f"127.0.0.1:{port}", rpc_timeout=5)
    with TestClient(create_app(config, verify=trust), headers=CREDENTIALS) as client:
        yield client


def test_bad_input_is_refused_in_drfs_bodies_before_the_master_is_asked(app: TestClient) -> None:
    answers = [
        app.post("/api/job/job/", json={"module": "shell", "arguments": "id"}),
        app.post("/api/job/job/", data={"template": "1", "verbosity": "9"}),
        app.get("/api/job/job/", params={"limit": "0"}),
        app.get("/api/job/job/", params={"ordering": "colour"}),
        app.request("DELETE", "/api/job/job/", json={"pk": "a"}),
        app.get("/api/job/job/x/"),
    ]

    assert [(a.status_code, a.headers[STATUS_HEADER], list(a.json())) for a in answers] == [
        (400, "400", ["inventory"]),
        (400, "400", ["verbosity"]),
        (400, "400", ["limit"]),
        (400, "400", ["ordering"]),
        (400, "400", ["pk"]),
        (400, "400", ["id"]),
    ]
    unavailable = app.get("/api/job/job/")
    assert (unavailable.status_code, list(unavailable.json())) == (503, ["detail"])


def test_without_the_slash_a_path_is_redirected_to_it(app: TestClient) -> None:
    reply = app.get("/api/job/job", follow_redirects=False)
    assert (reply.status_code, reply.headers["location"]) == (307, "http://testserver/api/job/job/")
