"""Signing in to the console: the token, checked by the master, kept in a cookie the page's
scripts cannot read (HttpOnly), sent only over a secure context (Secure: HTTPS, or the loopback
address a browser treats as secure), only to `/ui` and never with another site's requests
(SameSite=Strict).

`ConsoleSession` guards every console route but the sign-in page and the static files: no
cookie, or one the master no longer accepts, goes to the sign-in page (pages) or is refused 401
(streams and actions). An action (any method but GET and HEAD) must come from the console's own
origin: `Sec-Fetch-Site` and `Origin`, when the browser sends them, must say so.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import grpc
from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import CREDENTIALS, PRINTABLE, SAFE_METHODS
from gateway.callers import CALLER, Verify
from gateway.ui.render import page

COOKIE = "jobfleet_console"
PATH = "/ui"
HOME = "/ui/runs"
SIGN_IN = "/ui/signin"
MAX_AGE = 12 * 3600
"""A session lasts a working day at most; the token itself may live longer."""
OPEN_PREFIXES = ("/ui/signin", "/ui/static/")
REFUSED = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)


def same_origin(headers: Headers) -> bool:
    """False when the browser says the request comes from another site or origin. The
    `Origin`'s host and port are compared with `Host`, not its scheme: behind a TLS proxy the
    browser's origin is https while the gateway is asked over plain HTTP."""
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == headers.get("host", "")


def plain_http_elsewhere(request: Request) -> bool:
    """True when the page was asked for over plain HTTP by a name that is not loopback: a
    browser drops a Secure cookie there, so signing in could not last (the gateway speaks plain
    HTTP; serve the console behind an HTTPS proxy)."""
    forwarded = request.headers.get("x-forwarded-proto", request.url.scheme)
    host = (request.url.hostname or "").lower()
    return forwarded == "http" and host not in ("127.0.0.1", "localhost", "::1")


def next_path(value: str | None) -> str:
    """Where to go after signing in: a console path only (never another site)."""
    if not value:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(PATH + "/") or "\\" in value:
        return HOME
    return value


def token_of(scope: Scope) -> str:
    raw = Headers(scope=scope).get("cookie", "")
    token = cookie_parser(raw).get(COOKIE, "") if raw else ""
    return token if PRINTABLE.fullmatch(token) else ""


class ConsoleSession:
    """Pure ASGI middleware over the console's routes (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] not in SAFE_METHODS and not same_origin(headers):
            await PlainTextResponse("refused: not from this console", 403)(scope, receive, send)
            return
        token = token_of(scope)
        if not token:
            await self._away(scope, "")(scope, receive, send)
            return
        reset = CREDENTIALS.set(token)
        try:
            verify: Verify = scope["app"].state.verify
            try:
                caller = await verify(scope, token, None)
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in REFUSED:
                    text = f"the master is not answering: {exc.details()}"
                    await PlainTextResponse(text, 503)(scope, receive, send)
                    return
                await self._away(scope, "expired")(scope, receive, send)
                return
            caller_reset = CALLER.set(caller)
            try:
                await self.app(scope, receive, send)
            finally:
                CALLER.reset(caller_reset)
        finally:
            CREDENTIALS.reset(reset)

    @staticmethod
    def _away(scope: Scope, why: str) -> Response:
        """To the sign-in page (a page), or 401 (a stream or an action); a refused cookie is
        cleared."""
        if scope["method"] in SAFE_METHODS and "text/html" in Headers(scope=scope).get(
            "accept", ""
        ):
            wanted = scope["path"] + (
                "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
            )
            where = f"{SIGN_IN}?next={quote(wanted, safe='')}" + (f"&why={why}" if why else "")
            response: Response = RedirectResponse(where, 303)
        else:
            response = PlainTextResponse("sign in first: the session is missing or expired", 401)
        if why:
            forget(response)
        return response


def remember(response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE, token, max_age=MAX_AGE, path=PATH, secure=True, httponly=True, samesite="strict"
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")


WHY = {"expired": "Your session has expired or its token was revoked: sign in again."}


async def sign_in_page(request: Request) -> Response:
    return page(
        request,
        "signin.html",
        next=next_path(request.query_params.get("next")),
        notice=WHY.get(request.query_params.get("why", ""), ""),
        error="",
        insecure=plain_http_elsewhere(request),
    )


async def sign_in(request: Request) -> Response:
    """POST: the token is checked with the master (TokenService.Authenticate) before it is
    kept; a refused one is answered on the page, naming the field, and nothing is kept."""
    if not same_origin(request.headers):
        return PlainTextResponse("refused: not from this console", 403)
    form = await request.form()
    token = str(form.get("token", "")).strip()
    where = next_path(str(form.get("next", "")))
    error = ""
    if not token:
        error = "token: required"
    elif not PRINTABLE.fullmatch(token):
        error = "token: not a token (printable ASCII only)"
    else:
        reset = CREDENTIALS.set(token)
        try:
            await request.app.state.verify(request.scope, token, None)
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in REFUSED:
                error = f"the master is not answering: {exc.details()}"
            else:
                error = "token: refused by the master"
        finally:
            CREDENTIALS.reset(reset)
    if error:
        status = 503 if error.startswith("the master") else 401
        return page(
            request,
            "signin.html",
            status=status,
            next=where,
            notice="",
            error=error,
            insecure=plain_http_elsewhere(request),
        )
    response = RedirectResponse(where, 303)
    remember(response, token)
    return response


async def sign_out(request: Request) -> Response:
    response = RedirectResponse(SIGN_IN, 303)
    forget(response)
    return response
