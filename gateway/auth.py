"""Credentials, as pure ASGI middleware: every route but the open ones needs a valid token,
checked before the handler reads anything.

A request's token is `Authorization: Token <t>`, else OpenC3's `appkey` header (with `appname`,
which keeps naming the submitter), else -- on the token upload route only -- the file server's
`token` header. Without one the answer is 401 at once. With one, the master is asked first
(`gateway.callers`: TokenService.Authenticate, naming the path's `projectid` where the route has
one; 0 is the shared project, named like any other): an unknown token is 401 and another
project's token 403, in the route's envelope, before one byte of the body is read, so a refused
client can neither make the gateway parse a body nor learn from its own input checks. Every call
the handler then makes carries the token as gRPC metadata (`CREDENTIALS`, read by the channels'
interceptors) and the master checks each one again: it is the one place that decides. No token
is ever logged or echoed.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import grpc
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.callers import CALLER, AskMaster, Verify
from gateway.errors import Dialect, Failure, rpc_failure

CREDENTIALS: contextvars.ContextVar[str] = contextvars.ContextVar("credentials", default="")
SCHEME = "token "
MISSING = "credentials required: `Authorization: Token <t>`, or `appname` + `appkey`"
PROJECT_PARAM = "projectid"
_PROJECT_ID = re.compile(r"0|[1-9][0-9]{0,18}")
INT64_MAX = 2**63 - 1


def presented(headers: Headers, token_header: bool) -> str:
    auth = headers.get("authorization", "")
    if auth[: len(SCHEME)].lower() == SCHEME:
        return auth[len(SCHEME) :].strip()
    key = headers.get("appkey", "").strip()
    if key or not token_header:
        return key
    return headers.get("token", "").strip()


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Token {token}"),) if token else ()


def project_of(path_params: Mapping[str, Any]) -> int | None:
    """The path's project id (0 is the shared project), or None when it has none or a malformed
    one (the handler refuses that one 400 once the token is known to be good)."""
    value = str(path_params.get(PROJECT_PARAM, ""))
    if not _PROJECT_ID.fullmatch(value) or int(value) > INT64_MAX:
        return None
    return int(value)


class Credentials:
    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        open_routes: Sequence[BaseRoute],
        token_header_routes: Sequence[BaseRoute],
        dialect: Callable[[str], Dialect],
        verify: Verify | None = None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.open = open_routes
        self.token_header = token_header_routes
        self.dialect = dialect
        self.verify = verify or AskMaster()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._matches(scope, self.open):
            await self.app(scope, receive, send)
            return
        route, path_params = self._route(scope)
        dialect = self.dialect(route)
        token = presented(Headers(scope=scope), self._matches(scope, self.token_header))
        if not token:
            await dialect.render(Failure(401, MISSING, "token"))(scope, receive, send)
            return
        reset = CREDENTIALS.set(token)
        try:
            await self._as_caller(scope, receive, send, dialect, project_of(path_params))
        finally:
            CREDENTIALS.reset(reset)

    async def _as_caller(
        self, scope: Scope, receive: Receive, send: Send, dialect: Dialect, project_id: int | None
    ) -> None:
        """The handler, once the master has said yes; else its refusal (or 503)."""
        try:
            caller = await self.verify(scope, CREDENTIALS.get(), project_id)
        except grpc.aio.AioRpcError as exc:
            await dialect.render(rpc_failure(exc, dialect.rename))(scope, receive, send)
            return
        reset = CALLER.set(caller)
        try:
            await self.app(scope, receive, send)
        finally:
            CALLER.reset(reset)

    @staticmethod
    def _matches(scope: Scope, routes: Sequence[BaseRoute]) -> bool:
        return any(route.matches(scope)[0] == Match.FULL for route in routes)

    def _route(self, scope: Scope) -> tuple[str, Mapping[str, Any]]:
        """The route the router will pick: its path template (its dialect's key; "" unless it
        matches fully) and its path parameters (also of a route matched but for the method)."""
        partial: Mapping[str, Any] = {}
        for route in self.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "path", "")), child.get("path_params", {})
            if match == Match.PARTIAL and not partial:
                partial = child.get("path_params", {})
        return "", partial


class _WithCredentials:
    """Adds the request's token (`CREDENTIALS`) to a call's metadata."""

    @staticmethod
    def _details(details: Any) -> Any:
        extra = metadata(CREDENTIALS.get())
        if not extra:
            return details
        return details._replace(metadata=(*(details.metadata or ()), *extra))


class AioCredentials(
    _WithCredentials,
    grpc.aio.UnaryUnaryClientInterceptor,
    grpc.aio.UnaryStreamClientInterceptor,
    grpc.aio.StreamUnaryClientInterceptor,
):
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)

    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)

    async def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return await continuation(self._details(details), requests)


class BlockingCredentials(
    _WithCredentials,
    grpc.UnaryUnaryClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
):
    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)
