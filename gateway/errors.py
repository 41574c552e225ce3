"""Failures become HTTP answers here and nowhere else (CONVENTIONS 13).

The gateway's own checks raise `FieldError` naming the REST field; the master's refusals arrive
as `grpc.aio.AioRpcError` naming the proto field (trailing metadata `jobfleet-field`), maybe as a
path such as `steps[1].nodes`. Both become a `Failure`; the request's document (its `Dialect`)
renames the field and wraps it in its envelope.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ExceptionHandler

logger = logging.getLogger(__name__)

FIELD_METADATA = "jobfleet-field"
_FIELD_PREFIX = re.compile(r"^([a-z][a-z0-9_.\[\]]*): (.*)$", re.DOTALL)

HTTP_STATUS: Mapping[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


class FieldError(Exception):
    """Bad input found by the gateway before anything was asked of the master."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.status = status


class FileRefused(Exception):
    """The master refused one file of an upload; the failure names that file, whatever proto
    field the master named (an upload may carry many files, and the client must know which)."""

    def __init__(self, file: str, cause: grpc.aio.AioRpcError) -> None:
        super().__init__(f"{file}: {cause.details()}")
        self.file = file
        self.cause = cause


@dataclass(frozen=True)
class Failure:
    """A failure in document-neutral terms: HTTP status, what went wrong, which field."""

    status: int
    message: str
    field: str = ""
    keep_status: bool = False
    """Answer with this HTTP status even in a dialect that answers refusals 200 (OpenC3's): no
    route or method matched (as OpenC3's own server does), or the route is the gateway's own."""


@dataclass(frozen=True)
class Dialect:
    """How one REST document (or one route of it) names the proto fields and wraps a failure."""

    rename: Callable[[str], str]
    """Proto field path (`nodes`, `steps[1].nodes`) -> the name the client sent it as."""
    render: Callable[[Failure], Response]


def keeping_status(render: Callable[[Failure], Response]) -> Callable[[Failure], Response]:
    """`render`, every failure answered with its own HTTP status (the gateway's own routes)."""
    return lambda failure: render(dataclasses.replace(failure, keep_status=True))


def rpc_failure(exc: grpc.aio.AioRpcError, rename: Callable[[str], str]) -> Failure:
    """The master's error, its proto field renamed to the document's name for it."""
    code: grpc.StatusCode = exc.code()
    details: str = exc.details() or code.name
    field, message = _split_field(exc, details)
    status = _http_status(code, bool(field))
    if status >= 500:
        logger.warning("master call failed: %s: %s", code.name, details)
        message = f"master {code.name.lower()}: {details}"
    return Failure(status, message, rename(field) if field else "")


def _split_field(exc: grpc.aio.AioRpcError, details: str) -> tuple[str, str]:
    """(proto field, message without its `field: ` prefix); metadata first, else the prefix."""
    for key, value in exc.trailing_metadata() or ():
        if key == FIELD_METADATA and value:
            return str(value), details.removeprefix(f"{value}: ")
    match = _FIELD_PREFIX.match(details)
    return (match.group(1), match.group(2)) if match else ("", details)


def _http_status(code: grpc.StatusCode, has_field: bool) -> int:
    """RESOURCE_EXHAUSTED about a field is a too-large value (413), else a rate limit (429)."""
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return 413 if has_field else 429
    return HTTP_STATUS.get(code, 502)


def http_failure(exc: HTTPException) -> Failure:
    """Starlette's own refusals (no such route, wrong method), with the part they are about."""
    field = {404: "path", 405: "method"}.get(exc.status_code, "")
    return Failure(exc.status_code, exc.detail, field, keep_status=bool(field))


def exception_handlers(dialect_for: Callable[[Request], Dialect]) -> dict[Any, ExceptionHandler]:
    """The app's one mapping from exception type to the enveloped answer."""

    async def on_field_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FieldError)
        return dialect_for(request).render(Failure(exc.status, exc.message, exc.field))

    async def on_rpc_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, grpc.aio.AioRpcError)
        dialect = dialect_for(request)
        return dialect.render(rpc_failure(exc, dialect.rename))

    async def on_file_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FileRefused)
        dialect = dialect_for(request)
        failure = rpc_failure(exc.cause, dialect.rename)
        return dialect.render(Failure(failure.status, failure.message, exc.file))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return dialect_for(request).render(http_failure(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Starlette logs and re-raises after this answer; the client sees no internals.
        return dialect_for(request).render(Failure(500, "internal error"))

    return {
        FieldError: on_field_error,
        grpc.aio.AioRpcError: on_rpc_error,
        FileRefused: on_file_refused,
        HTTPException: on_http_error,
        Exception: on_unexpected,
    }
