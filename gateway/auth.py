"""Credentials, as pure ASGI middleware: every route but the open ones needs a valid token,
checked before the handler reads anything.

A request's token is `Authorization: Token <t>`, else OpenC3's `appkey` header (with `appname`,
which keeps naming the submitter), else -- on the token upload route only -- the file server's
`token` header. Without one the answer is 401 at once. With one, the master is asked first
(`gateway.callers`: TokenService.Authenticate, naming the path's `projectid` where the route has
one): an unknown token is 401 and another project's token 403, in the route's envelope, before
one byte of the body is read, so a refused client can neither make the gateway parse a body nor
learn from its own input checks. Every call the handler then makes carries the token as gRPC
metadata (`CREDENTIALS`, read by the channels' interceptors) and the master checks each one
again: it is the one place that decides. No token is ever logged or echoed.

A WebSocket (a browser sets no header on one) may also bring its token as the `token` query
parameter or in the session cookie (`socket_token`). It is checked the same way, but the handler
runs even when refused: only the handler's document knows how to say no on an open socket, so
it reads the refusal with `socket_refusal` and must stop there (its calls would carry no token).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

import grpc
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.callers import CALLER, AskMaster, Verify
from gateway.errors import Dialect, Failure, rpc_failure

CREDENTIALS: contextvars.ContextVar[str] = contextvars.ContextVar("credentials", default="")
SCHEME = "token "
MISSING = "credentials required: `Authorization: Token <t>`, or `appname` + `appkey`"
PROJECT_PARAM = "projectid"
TOKEN_PARAM = "token"
SOCKET_MISSING = (
    "credentials required: the session cookie, a `token` query parameter, "
    "`Authorization: Token <t>`, or `appname` + `appkey`"
)
SOCKET_REFUSAL = "jobfleet.socket_refusal"
"""The scope key under which a WebSocket's refusal reaches its handler."""
DEFAULT_SESSION_COOKIE = "sid"
_PROJECT_ID = re.compile(r"[1-9][0-9]{0,18}")
INT64_MAX = 2**63 - 1


def presented(headers: Headers, token_header: bool) -> str:
    auth = headers.get("authorization", "")
    if auth[: len(SCHEME)].lower() == SCHEME:
        return auth[len(SCHEME) :].strip()
    key = headers.get("appkey", "").strip()
    if key or not token_header:
        return key
    return headers.get("token", "").strip()


def socket_token(scope: Scope) -> str:
    """A WebSocket's token: a browser can set no header on one, so besides the headers it may
    come as the `token` query parameter or in the session cookie (`GatewayConfig.session_cookie`).
    The query parameter is taken out of the scope, so the server's connection log lines (they
    quote the path and query) never show it."""
    token = presented(Headers(scope=scope), token_header=False)
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(name == TOKEN_PARAM for name, _ in query):
        token = token or next(value for name, value in query if name == TOKEN_PARAM).strip()
        kept = [(name, value) for name, value in query if name != TOKEN_PARAM]
        scope["query_string"] = urlencode(kept).encode("latin-1")
    return token or _session(scope)


def _session(scope: Scope) -> str:
    config = scope.get("state", {}).get("config")
    name = getattr(config, "session_cookie", DEFAULT_SESSION_COOKIE)
    return cookie_parser(Headers(scope=scope).get("cookie", "")).get(name, "").strip()


def socket_refusal(scope: Scope) -> Failure | None:
    """Why a WebSocket's caller is refused (None: the master said yes); see `Credentials`."""
    if CALLER.get() is not None:
        return None
    refusal: Failure = scope.get(SOCKET_REFUSAL) or Failure(401, SOCKET_MISSING, "token")
    return refusal


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Token {token}"),) if token else ()


def project_of(path_params: Mapping[str, Any]) -> int:
    """The path's project id, or 0 (any project of the token's) when it has none or a malformed
    one (the handler refuses that one 400 once the token is known to be good)."""
    value = str(path_params.get(PROJECT_PARAM, ""))
    if not _PROJECT_ID.fullmatch(value) or int(value) > INT64_MAX:
        return 0
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
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
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
        self, scope: Scope, receive: Receive, send: Send, dialect: Dialect, project_id: int
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

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket: its token checked as a request's, before the handler runs; the handler
        runs either way (only it can say no in its document's frames), with `CALLER` set when
        the master said yes and the refusal in `scope[SOCKET_REFUSAL]` when not."""
        token = socket_token(scope)
        if not token:
            scope[SOCKET_REFUSAL] = Failure(401, SOCKET_MISSING, "token")
            await self.app(scope, receive, send)
            return
        route, path_params = self._route(scope)
        reset = CREDENTIALS.set(token)
        try:
            caller = await self.verify(scope, token, project_of(path_params))
        except grpc.aio.AioRpcError as exc:
            CREDENTIALS.reset(reset)
            scope[SOCKET_REFUSAL] = rpc_failure(exc, self.dialect(route).rename)
            await self.app(scope, receive, send)
            return
        caller_reset = CALLER.set(caller)
        try:
            await self.app(scope, receive, send)
        finally:
            CALLER.reset(caller_reset)
            CREDENTIALS.reset(reset)

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


class AioUnaryCredentials(_WithCredentials, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class AioStreamCredentials(_WithCredentials, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class AioUploadCredentials(_WithCredentials, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return await continuation(self._details(details), requests)


def aio_credentials() -> list[Any]:
    """The interceptors that add the token to every kind of call on a grpc.aio channel: one
    object per kind, since grpc.aio files each interceptor under the first kind it is (one
    class of all three would go on unary calls only, and a streamed answer carry no token)."""
    return [AioUnaryCredentials(), AioStreamCredentials(), AioUploadCredentials()]


class BlockingCredentials(
    _WithCredentials,
    grpc.UnaryUnaryClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
):
    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)
