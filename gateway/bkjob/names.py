"""bk-job's dialect: the master's proto fields under the keys its clients send, and refusals in
its envelope with its kind of `code` (bk-job's `ErrorCode`), HTTP 200, the true status in
`X-Jobfleet-Status`.

The message names the field first (`job_instance_id: task 9 not found in project 1`), so one
generic check reads every document's refusals. A call without credentials names the header
bk-job's clients send them in: ESB's `bk_app_code`/`bk_app_secret` in the body are not read
(the credentials are checked before any of the body is).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from gateway.auth import BKAPI_HEADER, BKAPI_SHAPE
from gateway.bkjob import envelope
from gateway.errors import Dialect, Failure

# bk-job's ErrorCode values.
SERVICE_UNAVAILABLE = 1240001
INTERNAL_ERROR = 1240002
BAD_REQUEST = 1240003
SERVICE_AUTH_FAIL = 1240005
MISSING_OR_ILLEGAL_PARAM_WITH_PARAM_NAME = 1241007
WRONG_APP_ID = 1241008
HOST_INVALID = 1244002
TASK_INSTANCE_NOT_EXIST = 1244006
STEP_INSTANCE_NOT_EXIST = 1244007
BK_PERMISSION_DENIED = 9900403

RENAMED: Mapping[str, str] = {
    "id": "job_instance_id",
    "uuid": "job_instance_id",
    "project_id": "bk_scope_id",
    "execution_id": "job_instance_id",
}
"""Proto field -> the key a bk-job client sent (GetTask by id, ReadLog)."""

BY_STATUS: Mapping[int, int] = {
    400: MISSING_OR_ILLEGAL_PARAM_WITH_PARAM_NAME,
    401: SERVICE_AUTH_FAIL,
    403: BK_PERMISSION_DENIED,
    404: TASK_INSTANCE_NOT_EXIST,
    429: SERVICE_UNAVAILABLE,
    503: SERVICE_UNAVAILABLE,
    504: SERVICE_UNAVAILABLE,
}
NOT_FOUND: Mapping[str, int] = {
    "step_instance_id": STEP_INSTANCE_NOT_EXIST,
    "bk_scope_id": WRONG_APP_ID,
    "path": BAD_REQUEST,
}
MISSING = (
    f"credentials required: `{BKAPI_HEADER}: {BKAPI_SHAPE}` (bk_app_secret is a jobfleet "
    "token) or `Authorization: Token <t>`; bk_app_code/bk_app_secret in the body (ESB's way) "
    "are not read"
)


def field_name(field: str) -> str:
    return RENAMED.get(field, field)


def code_of(failure: Failure) -> int:
    """bk-job's `code` for a refusal: by the field a 404 is about, else by its status."""
    if failure.status == 404 and failure.field.startswith("ip_list"):
        return HOST_INVALID
    if failure.status == 404 and failure.field in NOT_FOUND:
        return NOT_FOUND[failure.field]
    if failure.status >= 500:
        return BY_STATUS.get(failure.status, INTERNAL_ERROR)
    return BY_STATUS.get(failure.status, BAD_REQUEST)


def message_of(failure: Failure) -> str:
    if failure.status == 401 and failure.field == "token":  # no credentials at all
        return f"{BKAPI_HEADER}: {MISSING}"
    return f"{failure.field}: {failure.message}" if failure.field else failure.message


def render_failure(failure: Failure) -> Response:
    http_status = failure.status if failure.keep_status else 200
    return envelope.refused(code_of(failure), message_of(failure), failure.status, http_status)


def dialect(route: str = "") -> Dialect:
    """The same on every route of the document."""
    return Dialect(field_name, render_failure)
