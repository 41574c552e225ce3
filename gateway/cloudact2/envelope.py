"""cloud-act2's envelope, as its server writes every answer (`server/common/base.go`):
`{"status": "success", "message": "", "content": ...}`, or `{"status": "error", "message":
"...", "content": null}`.

cloud-act2 answers its errors HTTP 200; jobfleet answers them with their true status (400, 401,
403, 404, ...), in the same body, so its clients, which read `status` and `message`, read them
unchanged. The status is also in `X-Jobfleet-Status`, as on every answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from gateway import streaming
from gateway.schemas import Schema
from gateway.statusheader import status_headers

SUCCESS = "success"
ERROR = "error"


def ok(content: Any) -> JSONResponse:
    return JSONResponse({"status": SUCCESS, "message": "", "content": content})


def refused(message: str, status: int) -> JSONResponse:
    body = {"status": ERROR, "message": message, "content": None}
    return JSONResponse(body, status_code=status, headers=status_headers(status))


def _frame(head: bytes, content_end: bytes) -> streaming.Frame:
    """Rows streamed inside `content`: `head` up to the rows' `[`, `content_end` the content's
    rest after their `]`; a master failure midway ends the answer `"status": "error"`."""
    done = content_end + streaming.closing({"status": SUCCESS, "message": ""})

    def failed(info: str) -> bytes:
        return content_end + streaming.closing({"status": ERROR, "message": info})

    return streaming.Frame(head, done, failed)


def list_frame() -> streaming.Frame:
    """`content` is the list of rows."""
    return _frame(b'{"content":[', b"")


def page_frame(paging: Mapping[str, Any]) -> streaming.Frame:
    """`content` is `{"list": [rows], **paging}`."""
    return _frame(b'{"content":{"list":[', streaming.closing(paging))


def success_schema(content: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {
            "status": {"const": SUCCESS},
            "message": {"type": "string"},
            "content": content,
        },
        "required": ["status", "message", "content"],
    }


FAILURE: Schema = {
    "type": "object",
    "description": 'cloud-act2\'s error body: `{"status": "error", "message": "<field>: <why>", '
    '"content": null}`',
    "properties": {
        "status": {"const": ERROR},
        "message": {"type": "string", "minLength": 1, "description": "what, and which field"},
        "content": {"type": "null"},
    },
    "required": ["status", "message", "content"],
}
