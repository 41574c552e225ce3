"""Request body cap, as pure ASGI middleware.

Starlette's own cap answers 413 in plain text; this one raises `FieldError(status=413)` from the
handler's first read past the cap, so the 413 goes through the one error mapping and carries the
document's envelope. A declared Content-Length over the cap fails before anything is read.

Routes in `exempt` (the file uploads, which stream their bodies and cap each file themselves)
are matched the way the router will match them, and pass uncapped.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import FieldError


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, exempt: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        bodiless = "content-length" not in headers and "transfer-encoding" not in headers
        if bodiless or self._exempt(scope):  # HTTP/1.1: no length, not chunked: no body
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.app(scope, self._refuse, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _exempt(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] == Match.FULL for route in self.exempt)

    def _too_large(self) -> FieldError:
        return FieldError("body", f"larger than {self.max_bytes} bytes", status=413)

    async def _refuse(self) -> Message:
        raise self._too_large()

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise self._too_large()
            return message

        return counted
