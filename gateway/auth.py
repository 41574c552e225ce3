"""Credentials, as pure ASGI middleware: every route but the open ones needs a token.

A request's token is `Authorization: Token <t>`, else OpenC3's `appkey` header (with `appname`,
which keeps naming the submitter), else -- on the token upload route only -- the file server's
`token` header. A request without one is answered 401 here, in the route's envelope, before
anything is read. Every call the handler makes carries the token as gRPC metadata
(`CREDENTIALS`, read by the channels' interceptors) and the master checks each one: it is the one
place that decides (an unknown token is 401, another project's 403, mapped by `errors`). The
gateway's own input checks are syntactic and may answer 400 first; they reveal nothing stored.
No token is ever logged or echoed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.errors import Dialect, Failure

CREDENTIALS: contextvars.ContextVar[str] = contextvars.ContextVar("credentials", default="")
SCHEME = "token "
MISSING = "credentials required: `Authorization: Token <t>`, or `appname` + `appkey`"


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


class Credentials:
    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        open_routes: Sequence[BaseRoute],
        token_header_routes: Sequence[BaseRoute],
        dialect: Callable[[str], Dialect],
    ) -> None:
        self.app = app
        self.routes = routes
        self.open = open_routes
        self.token_header = token_header_routes
        self.dialect = dialect

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._matches(scope, self.open):
            await self.app(scope, receive, send)
            return
        token = presented(Headers(scope=scope), self._matches(scope, self.token_header))
        if not token:
            response = self.dialect(self._route(scope)).render(Failure(401, MISSING, "token"))
            await response(scope, receive, send)
            return
        reset = CREDENTIALS.set(token)
        try:
            await self.app(scope, receive, send)
        finally:
            CREDENTIALS.reset(reset)

    @staticmethod
    def _matches(scope: Scope, routes: Sequence[BaseRoute]) -> bool:
        return any(route.matches(scope)[0] == Match.FULL for route in routes)

    def _route(self, scope: Scope) -> str:
        """The matching route's path template (its dialect's key), "" when none matches."""
        for route in self.routes:
            if route.matches(scope)[0] == Match.FULL:
                return str(getattr(route, "path", ""))
        return ""


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
