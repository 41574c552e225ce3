"""The OpenC3 envelope: `{"stat": true, "data": ...}` or `{"stat": false, "info": "..."}`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from gateway.statusheader import status_headers


def ok(data: Any, status: int = 200, **extra: Any) -> JSONResponse:
    """A success; `extra` keys sit next to `data` (OpenC3 puts e.g. `uuid` there)."""
    return JSONResponse({"stat": True, **extra, "data": data}, status_code=status)


def fail(info: str, status: int) -> JSONResponse:
    """A failure answered with its own HTTP status (the health probe, an unknown path)."""
    return JSONResponse(
        {"stat": False, "info": info}, status_code=status, headers=status_headers(status)
    )


def refused(info: str, status: int, **extra: Any) -> JSONResponse:
    """A refusal as OpenC3 answers it: HTTP 200, `stat: false`; the status it stands for is in
    the `X-Jobfleet-Status` header (`gateway.statusheader`), `info` says what and which field;
    `extra` keys sit next to it (OpenC3's `code`)."""
    body = {"stat": False, **extra, "info": info}
    return JSONResponse(body, status_code=200, headers=status_headers(status))
