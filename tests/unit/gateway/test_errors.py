"""errors: gRPC codes to HTTP statuses, proto field names to OpenC3 names, one info format;
OpenC3's answer: HTTP 200 with the status in a header (routing failures: their own status)."""

from __future__ import annotations

import json

import grpc
import pytest
from grpc.aio import AioRpcError, Metadata
from starlette.exceptions import HTTPException

from gateway.errors import Failure, http_failure, keeping_status, rpc_failure
from gateway.openc3.names import field_name, render_failure
from gateway.statusheader import STATUS_HEADER


def rpc_error(code: grpc.StatusCode, details: str, field: str = "") -> AioRpcError:
    trailing = Metadata(("jobfleet-field", field)) if field else Metadata()
    return AioRpcError(code, Metadata(), trailing, details)


def info(failure: Failure) -> tuple[int, str]:
    """(the status the answer stands for, its `info`), of an OpenC3 refusal: HTTP 200."""
    response = render_failure(failure)
    body = json.loads(bytes(response.body))
    assert body["stat"] is False
    assert response.status_code == (failure.status if failure.keep_status else 200)
    return int(response.headers[STATUS_HEADER]), body["info"]


def test_invalid_argument_names_the_document_field() -> None:
    exc = rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "nodes: unknown node(s): foo", "nodes")

    assert info(rpc_failure(exc, field_name)) == (
        400,
        "check format fail: node_cont: unknown node(s): foo",
    )


def test_field_is_taken_from_the_details_prefix_without_metadata() -> None:
    exc = rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "timeout_seconds: must be 1 to 86400")

    assert rpc_failure(exc, field_name) == Failure(400, "must be 1 to 86400", "timeout")


@pytest.mark.parametrize(
    ("code", "field", "status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, "name", 400),
        (grpc.StatusCode.UNAUTHENTICATED, "token", 401),
        (grpc.StatusCode.PERMISSION_DENIED, "project_id", 403),
        (grpc.StatusCode.NOT_FOUND, "uuid", 404),
        (grpc.StatusCode.ALREADY_EXISTS, "name", 409),
        (grpc.StatusCode.FAILED_PRECONDITION, "uuid", 409),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "script", 413),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "", 429),
        (grpc.StatusCode.UNAVAILABLE, "", 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "", 504),
        (grpc.StatusCode.INTERNAL, "", 502),
        (grpc.StatusCode.UNKNOWN, "", 502),
    ],
)
def test_status_for_each_code(code: grpc.StatusCode, field: str, status: int) -> None:
    exc = rpc_error(code, f"{field}: why" if field else "why", field)

    assert rpc_failure(exc, field_name).status == status


def test_not_found_is_not_a_format_failure() -> None:
    exc = rpc_error(grpc.StatusCode.NOT_FOUND, "uuid: no such task", "uuid")

    assert info(rpc_failure(exc, field_name)) == (404, "uuid: no such task")


def test_server_side_failures_say_it_was_the_master() -> None:
    exc = rpc_error(grpc.StatusCode.UNAVAILABLE, "connection refused")

    assert info(rpc_failure(exc, field_name)) == (503, "master unavailable: connection refused")


def test_routing_failures_name_path_and_method_and_keep_their_status() -> None:
    assert http_failure(HTTPException(404)) == Failure(404, "Not Found", "path", True)
    assert http_failure(HTTPException(405)) == Failure(405, "Method Not Allowed", "method", True)
    assert info(http_failure(HTTPException(404))) == (404, "path: Not Found")


def test_unauthenticated_carries_openc3s_login_code() -> None:
    response = render_failure(Failure(401, "unknown token", "appkey"))

    assert (response.status_code, response.headers[STATUS_HEADER]) == (200, "401")
    assert json.loads(bytes(response.body)) == {
        "stat": False,
        "code": 10000,
        "info": "appkey: unknown token",
    }
    assert "code" not in json.loads(bytes(render_failure(Failure(403, "no", "x")).body))


def test_the_gateways_own_routes_keep_their_status() -> None:
    response = keeping_status(render_failure)(Failure(503, "master: UNAVAILABLE"))

    assert (response.status_code, response.headers[STATUS_HEADER]) == (503, "503")


def test_a_step_field_path_becomes_the_step_hash_key() -> None:
    exc = rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "steps[1].nodes: unknown node(s): x")

    assert info(rpc_failure(exc, field_name)) == (
        400,
        "check format fail: data[1].node_cont: unknown node(s): x",
    )


def test_not_found_without_a_field_has_none() -> None:
    exc = rpc_error(grpc.StatusCode.NOT_FOUND, "no such job")

    assert info(rpc_failure(exc, field_name)) == (404, "no such job")
