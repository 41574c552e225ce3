"""create_app without a master: input is refused before any call, failures are enveloped as
OpenC3 answers them (HTTP 200, `stat: false`, the true status in `X-Jobfleet-Status`), at the
root and under `/api/job` alike."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from gateway.app import ROUTES, create_app, dialect_for
from gateway.config import GatewayConfig
from gateway.statusheader import STATUS_HEADER
from tests.unit.gateway.trust import trust

CREDENTIALS = {"Authorization": "Token unit-test-token"}  # taken on trust (`trust`)
CMD = {"name": "demo", "node_cont": "n1,n2", "scripts_cont": "echo hi"}


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def client() -> Iterator[TestClient]:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}", max_body_bytes=1024, rpc_timeout=5)
    with TestClient(create_app(config, verify=trust), headers=CREDENTIALS) as client:
        yield client


def refused(reply: Any, status: int, field: str) -> str:
    """An OpenC3 refusal: HTTP 200, `stat: false`, `status` in the header, naming `field`."""
    assert (reply.status_code, reply.headers.get(STATUS_HEADER)) == (200, str(status)), reply.text
    body = reply.json()
    assert body["stat"] is False
    assert f"{field}: " in body["info"]
    return str(body["info"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scripts_type": "ruby"}, "scripts_type"),
        ({"node_type": "group"}, "node_type"),
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"node_cont": " , "}, "node_cont"),
        ({"scripts_cont": "  "}, "scripts_cont"),
        ({"scripts_argv": "'open"}, "scripts_argv"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": "0"}, "timeout"),
        ({"timeout": "86401"}, "timeout"),
        ({"variable": "{not json"}, "variable"),
    ],
)
def test_plugin_cmd_form_is_checked_first(
    client: TestClient, change: dict[str, str], field: str
) -> None:
    reply = client.post("/task/1/plugin_cmd", data={**CMD, **change})

    info = refused(reply, 400, field)
    assert info.startswith(f"check format fail: {field}: ")


def test_plugin_cmd_json_is_checked_first(client: TestClient) -> None:
    reply = client.post("/task/1/plugin_cmd", json={**CMD, "variable": {"a": ["b"]}})

    refused(reply, 400, "variable")


@pytest.mark.parametrize("projectid", ["00", "01", "abc", "-3", "1e3", str(2**63)])
def test_projectid_must_be_zero_or_positive_without_leading_zeros(
    client: TestClient, projectid: str
) -> None:
    refused(client.post(f"/task/{projectid}/plugin_cmd", data=CMD), 400, "projectid")
    refused(client.get(f"/task/{projectid}"), 400, "projectid")


def test_project_zero_passes_the_gateways_checks_to_the_master(client: TestClient) -> None:
    refused(client.get("/task/0"), 503, "")  # asked of the (absent) master


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=done", "status"),
        ("time_start=yesterday", "time_start"),
        ("time_end=2024-13-01", "time_end"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
    ],
)
def test_task_list_filters_are_checked(client: TestClient, query: str, field: str) -> None:
    refused(client.get(f"/task/1?{query}"), 400, field)


def test_body_over_the_cap_is_413(client: TestClient) -> None:
    reply = client.post("/task/1/plugin_cmd", data={**CMD, "scripts_cont": "x" * 2000})

    refused(reply, 413, "body")


def test_streamed_body_over_the_cap_is_413(client: TestClient) -> None:
    chunks = iter([b'{"name": "', b"x" * 800, b"x" * 800, b'"}'])

    reply = client.post(
        "/task/1/plugin_cmd", content=chunks, headers={"content-type": "application/json"}
    )

    refused(reply, 413, "body")


@pytest.mark.parametrize(
    ("method", "path", "status", "field"),
    [
        ("GET", "/nowhere", 404, "path"),
        ("GET", "/api/job/nowhere", 404, "path"),
        ("PUT", "/health", 405, "method"),
        ("PUT", "/task/1", 405, "method"),
        ("PUT", "/api/job/task/1", 405, "method"),
    ],
)
def test_unknown_routes_and_methods_keep_their_true_status_enveloped(
    method: str, path: str, status: int, field: str
) -> None:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}")
    with TestClient(create_app(config, verify=trust)) as anonymous:  # no credentials needed
        reply = anonymous.request(method, path)

    assert (reply.status_code, reply.headers[STATUS_HEADER]) == (status, str(status))
    assert reply.json()["stat"] is False and f"{field}: " in reply.json()["info"]


def test_health_without_a_master_is_503_its_true_status(client: TestClient) -> None:
    reply = client.get("/health")

    assert (reply.status_code, reply.headers[STATUS_HEADER]) == (503, "503")
    assert reply.json()["stat"] is False
    assert reply.json()["info"].startswith("master: UNAVAILABLE")


def test_the_document_and_its_status_header_are_served_openly(client: TestClient) -> None:
    reply = client.get("/openapi.json", headers={"Authorization": ""})

    assert (reply.status_code, reply.headers[STATUS_HEADER]) == (200, "200")
    assert reply.json()["openapi"] == "3.1.0"


def test_a_call_on_an_absent_master_is_a_503_refusal(client: TestClient) -> None:
    info = refused(client.post("/task/1/plugin_cmd", data=CMD), 503, "")

    assert info.startswith("master unavailable: ")


STEP = {"plugin_type": "cmd", "name": "s", "node_cont": "n1", "scripts_cont": "true"}


def test_job_steps_are_checked_first_naming_step_and_key(client: TestClient) -> None:
    body = {"name": "deploy", "data": [STEP, {**STEP, "timeout": "soon"}]}

    info = refused(client.post("/jobs/1", json=body), 400, "data[1].timeout")

    assert info.startswith("check format fail: data[1].timeout: must be an integer")


def test_job_steps_in_a_form_are_json_text(client: TestClient) -> None:
    form = {"name": "deploy", "data": '[{"plugin_type": "ssh"}]'}

    refused(client.post("/jobs/1", data=form), 400, "data[0].plugin_type")


def test_put_subtask_refuses_other_controls_with_403(client: TestClient) -> None:
    form = {"taskuuid": "t1", "subtaskuuid": "s1", "subtasktype": "cmd", "control": "fail"}

    info = refused(client.put("/subtask/1", data=form), 403, "control")

    assert info.startswith("control: 'fail' is not allowed")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("POST", "/third/interface/invoke", {"json": {"project_id": 1, "uuid": "u"}}, "params"),
        ("POST", "/third/interface/dry-run", {"json": {"params": {}}}, "project_id"),
        ("POST", "/third/option/variable", {"json": {"project_id": 1}}, "jobname"),
        ("POST", "/third/interface/query", {"json": {}}, "uuid"),
        ("GET", "/jobs/1?create_time_end=May", {}, "create_time_end"),
        ("GET", "/nodelist/1?limit=0", {}, "limit"),
        ("GET", "/nodeinfo/1/check", {}, "node"),
        ("DELETE", "/variable/1?jobuuid=j1", {}, "name"),
        ("POST", "/task/1/redo", {"data": {}}, "taskuuid"),
        ("GET", "/scripts/1/abc", {}, "scriptsid"),
        ("GET", "/subtask/1/t%201", {}, "taskuuid"),
    ],
)
def test_new_routes_check_input_first(
    client: TestClient, method: str, path: str, kwargs: dict[str, Any], field: str
) -> None:
    refused(client.request(method, path, **kwargs), 400, field)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/jobs/1/count"), ("GET", "/task/1/count"), ("GET", "/nodegroup/1/2/nodelist")],
)
def test_new_routes_call_the_master(client: TestClient, method: str, path: str) -> None:
    info = refused(client.request(method, path), 503, "")

    assert info.startswith("master unavailable: ")


@pytest.mark.parametrize("path", ["/task/{projectid}/redo", "/api/job/task/{projectid}/redo"])
def test_the_dialect_follows_the_matched_route_under_the_prefix_too(path: str) -> None:
    redo = next(r for r in ROUTES if getattr(r, "path", "") == path)

    dialect = dialect_for(Request({"type": "http", "route": redo}))

    assert dialect.rename("uuid") == "taskuuid"
    assert dialect_for(Request({"type": "http"})).rename("uuid") == "uuid"


# --- /api/job: OpenC3's pages call every route under it (its nginx strips it)


def test_a_call_under_api_job_is_the_call_at_the_root(client: TestClient) -> None:
    root = client.post("/task/1/redo", data={})
    prefixed = client.post("/api/job/task/1/redo", data={})

    assert refused(prefixed, 400, "taskuuid") == refused(root, 400, "taskuuid")
    assert refused(client.get("/api/job/task/1/count"), 503, "").startswith("master unavailable")
    assert refused(client.put("/api/job/subtask/1", data={"control": "fail"}), 403, "control")


def test_the_body_cap_holds_under_api_job(client: TestClient) -> None:
    reply = client.post("/api/job/task/1/plugin_cmd", data={**CMD, "scripts_cont": "x" * 2000})

    refused(reply, 413, "body")
