"""The OpenC3 envelope: `{"stat": true, "data": ...}` or `{"stat": false, "info": "..."}`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def ok(data: Any, status: int = 200, **extra: Any) -> JSONResponse:
    """A success; `extra` keys sit next to `data` (OpenC3 puts e.g. `uuid` there)."""
    return JSONResponse({"stat": True, **extra, "data": data}, status_code=status)


def fail(info: str, status: int) -> JSONResponse:
    """A failure; the HTTP status carries the class, `info` says what and which field."""
    return JSONResponse({"stat": False, "info": info}, status_code=status)
