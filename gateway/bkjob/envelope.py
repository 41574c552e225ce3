"""bk-job's envelope: `{"result", "code", "message", "data", "job_request_id"}`.

Every answer carries a fresh `job_request_id` (bk-job's request id: 32 hex digits), also in the
`X-Bkapi-Request-Id` header as bk-job's API gateway sends it, so a caller can quote one answer.
A refusal is HTTP 200 with `result: false` and bk-job's kind of `code`; the status it stands for
is in `X-Jobfleet-Status`.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

from gateway.statusheader import status_headers

OK = 0
"""bk-job's `code` of a success (ErrorCode.RESULT_OK)."""
REQUEST_ID_HEADER = "X-Bkapi-Request-Id"


def request_id() -> str:
    return uuid.uuid4().hex


def ok(data: Any) -> JSONResponse:
    return _answer(True, OK, "", data, 200, 200)


def refused(code: int, message: str, status: int, http_status: int = 200) -> JSONResponse:
    """A refusal standing for `status`, answered `http_status` (200 unless the router's own
    404/405 keeps its status)."""
    return _answer(False, code, message, None, status, http_status)


def _answer(
    result: bool, code: int, message: str, data: Any, status: int, http_status: int
) -> JSONResponse:
    rid = request_id()
    body = {"result": result, "code": code, "message": message, "data": data, "job_request_id": rid}
    headers = {**status_headers(status), REQUEST_ID_HEADER: rid}
    return JSONResponse(body, status_code=http_status, headers=headers)
