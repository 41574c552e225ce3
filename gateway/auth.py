"""Credentials, as pure ASGI middleware: every route but the open ones needs a valid token,
checked before the handler reads anything.

A request's token is `Authorization: Token <t>`, else bk-job's `X-Bkapi-Authorization` header
(a JSON object whose `bk_app_secret` is the token; one that is no such object is refused 401
naming the header), else OpenC3's `appkey` header (with `appname`, which keeps naming the
submitter), else -- on the token upload route only -- the file server's `token` header, else
the browser session cookie (`GatewayConfig.session_cookie`: OpenC3's pages send nothing but
their cookie). Without one the answer is 401 at once. With one, the master is
asked first (`gateway.callers`: TokenService.Authenticate, naming the path's `projectid` where the
route has one): an unknown token is 401 and another project's token 403, in the route's envelope
(OpenC3's: HTTP 200, the status in a header, a 401 with OpenC3's `code: 10000`), before one byte
of the body is read, so a refused client can neither make the gateway parse a body nor learn from
its own input checks. Every call the handler then makes carries the token as gRPC metadata
(`CREDENTIALS`, read by the channels' interceptors) and the master checks each one again: it is
the one place that decides. No token is ever logged or echoed.

On the routes of a document whose clients authenticate with `Authorization: Basic` (cloud-act2's,
`Document.basic_routes`), that header's password is taken as the token too.

A request that matches no route (or a route but not its method) passes on without credentials:
the router answers it 404 or 405, and no handler runs. A request that acts (not GET or HEAD)
with the cookie alone is refused when the browser says it comes from another site
(`Sec-Fetch-Site: cross-site`): a page elsewhere must not act with a user's session.

A WebSocket (a browser sets no header on one) may also bring its token as the `token` query
parameter, besides the headers and the session cookie (`socket_token`). It is checked the same
way (the cookie alone from another site's page is refused), but the handler runs even when
refused: only the handler's document knows how to say no on an open socket, so it reads the
refusal with `socket_refusal` and must stop there (its calls would carry no token).
"""

from __future__ import annotations

import base64
import contextvars
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import grpc
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import forms
from gateway.callers import CALLER, AskMaster, Verify
from gateway.errors import Dialect, Failure, FieldError, rpc_failure

CREDENTIALS: contextvars.ContextVar[str] = contextvars.ContextVar("credentials", default="")
SCHEME = "token "
BASIC = "basic "
SAFE_METHODS = frozenset({"GET", "HEAD"})
# What gRPC metadata can carry: no token holds anything else (a cookie might).
PRINTABLE = re.compile(r"[\x20-\x7e]+")
TOKEN_PARAM = "token"
BKAPI_HEADER = "X-Bkapi-Authorization"
BKAPI_SECRET = "bk_app_secret"
BKAPI_SHAPE = '{"bk_app_code": "<app>", "bk_app_secret": "<token>"}'
SOCKET_MISSING = (
    "credentials required: the session cookie, a `token` query parameter, "
    "`Authorization: Token <t>`, or `appname` + `appkey`"
)
SOCKET_REFUSAL = "jobfleet.socket_refusal"
"""The scope key under which a WebSocket's refusal reaches its handler."""
SOCKET_QUERY_TOKEN = "jobfleet.socket_query_token"
"""Set in a WebSocket's scope when its URL carried a `token` parameter (taken out of the query
string): a socket that takes no token in its URL (the terminal's) refuses it by this."""


def missing(cookie: str) -> str:
    return (
        "credentials required: `Authorization: Token <t>`, `X-Bkapi-Authorization`, or "
        f"`appname` + `appkey`, or the `{cookie}` cookie"
    )


@dataclass(frozen=True)
class Presented:
    """The request's token, and the header or cookie it came in (what a refusal names)."""

    token: str
    source: str
    cookie: bool = False
    malformed: str = ""
    """Why the header cannot hold a token at all (refused 401 naming `source`); "" = fine."""


def presented(
    headers: Headers, token_header: bool, cookie: str = "sid", basic: bool = False
) -> Presented | None:
    """The first of: `Authorization: Token` (or `Basic`, its password, when `basic`),
    `X-Bkapi-Authorization`, `appkey`, the `token` header (when `token_header`), the `cookie`
    cookie."""
    auth = headers.get("authorization", "")
    if auth[: len(SCHEME)].lower() == SCHEME and auth[len(SCHEME) :].strip():
        return Presented(auth[len(SCHEME) :].strip(), "Authorization")
    password = basic_password(auth) if basic else ""
    if password:
        return Presented(password, "Authorization")
    bkapi = headers.get(BKAPI_HEADER, "").strip()
    if bkapi:
        return bkapi_secret(bkapi)
    for name, taken in (("appkey", True), ("token", token_header)):
        value = headers.get(name, "").strip()
        if taken and value:
            return Presented(value, name)
    value = cookie_parser(headers.get("cookie", "")).get(cookie, "").strip()
    return Presented(value, cookie, cookie=True) if value else None


def bkapi_secret(value: str) -> Presented:
    """bk-job's API gateway credentials, `{"bk_app_code": ..., "bk_app_secret": ...}`: the
    secret is the token (`bk_app_code` names the calling app; the token alone says who it is)."""
    try:
        given = json.loads(value)
    except ValueError:
        given = None
    secret = given.get(BKAPI_SECRET) if isinstance(given, dict) else None
    if isinstance(secret, str) and secret.strip():
        return Presented(secret.strip(), BKAPI_HEADER)
    why = f"must be a JSON object {BKAPI_SHAPE} with a non-empty {BKAPI_SECRET}"
    return Presented("", BKAPI_HEADER, malformed=why)


def basic_password(auth: str) -> str:
    """The password of `Authorization: Basic <base64 of user:password>`; "" for anything else."""
    if auth[: len(BASIC)].lower() != BASIC:
        return ""
    try:
        decoded = base64.b64decode(auth[len(BASIC) :].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2].strip()


def socket_token(scope: Scope, cookie: str) -> Presented | None:
    """A WebSocket's token: a browser can set no header on one, so besides the headers and the
    session cookie it may come as the `token` query parameter. The query parameter is taken out
    of the scope, so the server's connection log lines (they quote the path and query) never
    show it."""
    given = presented(Headers(scope=scope), False, cookie)
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(name == TOKEN_PARAM for name, _ in query):
        scope[SOCKET_QUERY_TOKEN] = True
        value = next(value for name, value in query if name == TOKEN_PARAM).strip()
        if value and (given is None or given.cookie):
            given = Presented(value, TOKEN_PARAM)
        kept = [(name, value) for name, value in query if name != TOKEN_PARAM]
        scope["query_string"] = urlencode(kept).encode("latin-1")
    return given


def socket_refusal(scope: Scope) -> Failure | None:
    """Why a WebSocket's caller is refused (None: the master said yes); see `Credentials`."""
    if CALLER.get() is not None:
        return None
    refusal: Failure = scope.get(SOCKET_REFUSAL) or Failure(401, SOCKET_MISSING, "token")
    return refusal


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Token {token}"),) if token else ()


def project_of(path_params: Mapping[str, Any]) -> int | None:
    """The path's project id (0 is the shared project), or None when it has none or a malformed
    one (the handler refuses that one 400 once the token is known to be good)."""
    try:
        return forms.project_id(str(path_params[forms.PROJECT_PARAM]))
    except (KeyError, FieldError):
        return None


PLACEMENTS = 4096
"""Paths whose placement among the routes is kept (all forgotten when full)."""


@dataclass(frozen=True)
class Placement:
    """A path's route (its template and path parameters; None: no route), and whether it is
    an open route, one taking the file server's `token` header, one taking `Basic`."""

    route: tuple[str, Mapping[str, Any]] | None
    open: bool
    token_header: bool
    basic: bool


class Credentials:
    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        open_routes: Sequence[BaseRoute],
        token_header_routes: Sequence[BaseRoute],
        dialect: Callable[[str], Dialect],
        verify: Verify | None = None,
        session_cookie: str = "sid",
        basic_routes: Sequence[BaseRoute] = (),
    ) -> None:
        self.app = app
        self.routes = routes
        self.open = open_routes
        self.token_header = token_header_routes
        self.basic = basic_routes
        self.dialect = dialect
        self.verify = verify or AskMaster()
        self.session_cookie = session_cookie
        self._placed: dict[tuple[str, str, str], Placement] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        placed = self._placement(scope) if scope["type"] == "http" else None
        if placed is None or placed.route is None or placed.open:
            await self.app(scope, receive, send)
            return
        path, path_params = placed.route
        dialect = self.dialect(path)
        headers = Headers(scope=scope)
        given = presented(headers, placed.token_header, self.session_cookie, basic=placed.basic)
        refusal = self._refusal(scope, headers, given)
        if given is None or refusal is not None:
            failure = refusal or Failure(401, missing(self.session_cookie), "token")
            await dialect.render(failure)(scope, receive, send)
            return
        reset = CREDENTIALS.set(given.token)
        try:
            await self._as_caller(scope, receive, send, dialect, given, project_of(path_params))
        finally:
            CREDENTIALS.reset(reset)

    @staticmethod
    def _refusal(scope: Scope, headers: Headers, given: Presented | None) -> Failure | None:
        """A token no token can be (it could not even be sent to the master); the session
        cookie alone, on a request that acts or a socket (it reads on a page's behalf), from
        another site's page."""
        if given and given.malformed:
            return Failure(401, given.malformed, given.source)
        if given and not PRINTABLE.fullmatch(given.token):
            return Failure(401, "unknown token", given.source)
        cross_site = headers.get("sec-fetch-site", "").lower() == "cross-site"
        acts = scope["type"] == "websocket" or scope["method"] not in SAFE_METHODS
        if given and given.cookie and cross_site and acts:
            why = "a request from another site may not act with the session cookie"
            return Failure(403, why, given.source)
        return None

    async def _as_caller(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        dialect: Dialect,
        given: Presented,
        project_id: int | None,
    ) -> None:
        """The handler, once the master has said yes; else its refusal (or 503)."""
        try:
            caller = await self.verify(scope, given.token, project_id)
        except grpc.aio.AioRpcError as exc:
            failure = rpc_failure(exc, dialect.rename)
            if failure.status == 401 and not failure.field:  # name what held the token
                failure = Failure(401, failure.message, given.source)
            await dialect.render(failure)(scope, receive, send)
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
        given = socket_token(scope, self.session_cookie)
        refusal = self._refusal(scope, Headers(scope=scope), given)
        if given is None or refusal is not None:
            scope[SOCKET_REFUSAL] = refusal or Failure(401, SOCKET_MISSING, "token")
            await self.app(scope, receive, send)
            return
        path, path_params = self._route(scope) or ("", {})
        reset = CREDENTIALS.set(given.token)
        try:
            caller = await self.verify(scope, given.token, project_of(path_params))
        except grpc.aio.AioRpcError as exc:
            CREDENTIALS.reset(reset)
            scope[SOCKET_REFUSAL] = rpc_failure(exc, self.dialect(path).rename)
            await self.app(scope, receive, send)
            return
        caller_reset = CALLER.set(caller)
        try:
            await self.app(scope, receive, send)
        finally:
            CALLER.reset(caller_reset)
            CREDENTIALS.reset(reset)

    def _placement(self, scope: Scope) -> Placement:
        """Where the request's path falls among the routes, found once per path: matching it
        against every route costs more than a page's poll of a task answered from memory."""
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        placed = self._placed.get(key)
        if placed is None:
            placed = Placement(
                self._route(scope),
                self._matches(scope, self.open),
                self._matches(scope, self.token_header),
                self._matches(scope, self.basic),
            )
            if len(self._placed) >= PLACEMENTS:
                self._placed.clear()
            self._placed[key] = placed
        return placed

    @staticmethod
    def _matches(scope: Scope, routes: Sequence[BaseRoute]) -> bool:
        return any(route.matches(scope)[0] == Match.FULL for route in routes)

    def _route(self, scope: Scope) -> tuple[str, Mapping[str, Any]] | None:
        """The route the router will pick: its path template (its dialect's key) and its path
        parameters; None when none matches fully (the router answers 404 or 405)."""
        for route in self.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "path", "")), child.get("path_params", {})
        return None


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
