"""bk-job's envelope and codes: a refusal is HTTP 200, `result: false`, bk-job's kind of `code`,
a message naming the field, a fresh `job_request_id`; its true status in the header."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.responses import Response

from gateway.bkjob import envelope, names
from gateway.errors import Failure
from gateway.statusheader import STATUS_HEADER


def body_of(answer: Response) -> Any:
    return json.loads(bytes(answer.body))


def test_a_success_wears_the_envelope_with_a_request_id_also_in_the_header() -> None:
    answer = envelope.ok({"log_type": 1})
    body = body_of(answer)

    assert (answer.status_code, answer.headers[STATUS_HEADER]) == (200, "200")
    assert {k: body[k] for k in ("result", "code", "message", "data")} == {
        "result": True,
        "code": 0,
        "message": "",
        "data": {"log_type": 1},
    }
    assert len(body["job_request_id"]) == 32
    assert answer.headers[envelope.REQUEST_ID_HEADER] == body["job_request_id"]
    assert body_of(envelope.ok(None))["job_request_id"] != body["job_request_id"]


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (Failure(400, "is required", "job_instance_id"), 1241007, "job_instance_id: is required"),
        (Failure(401, "unknown token", "X-Bkapi-Authorization"), 1240005, None),
        (Failure(403, "not your project", "bk_scope_id"), 9900403, None),
        (Failure(404, "task 9 not found", "job_instance_id"), 1244006, None),
        (Failure(404, "no step 3", "step_instance_id"), 1244007, None),
        (Failure(404, "ran nothing", "ip_list[2]"), 1244002, "ip_list[2]: ran nothing"),
        (Failure(404, "project 9 not found", "bk_scope_id"), 1241008, None),
        (Failure(413, "larger than 1048576 bytes", "body"), 1240003, None),
        (Failure(503, "master unavailable: x"), 1240001, "master unavailable: x"),
        (Failure(500, "internal error"), 1240002, "internal error"),
    ],
)
def test_refusals_are_200_with_bk_jobs_code_and_the_field_first(
    failure: Failure, code: int, message: str | None
) -> None:
    answer = names.render_failure(failure)
    body = body_of(answer)

    assert (answer.status_code, answer.headers[STATUS_HEADER]) == (200, str(failure.status))
    assert (body["result"], body["code"], body["data"]) == (False, code, None)
    assert body["message"] == (message or f"{failure.field}: {failure.message}")


def test_no_credentials_names_bk_jobs_header_and_says_body_credentials_are_not_read() -> None:
    body = body_of(names.render_failure(Failure(401, "credentials required: ...", "token")))

    assert body["code"] == 1240005
    assert body["message"].startswith("X-Bkapi-Authorization: credentials required: ")
    assert "bk_app_code/bk_app_secret in the body (ESB's way) are not read" in body["message"]


def test_the_routers_own_answers_keep_their_status() -> None:
    answer = names.render_failure(Failure(405, "Method Not Allowed", "method", keep_status=True))

    assert (answer.status_code, body_of(answer)["code"]) == (405, 1240003)


def test_the_masters_fields_are_named_as_bk_job_clients_sent_them() -> None:
    assert names.field_name("id") == "job_instance_id"
    assert names.field_name("project_id") == "bk_scope_id"
    assert names.field_name("ip_list[0].ip") == "ip_list[0].ip"
