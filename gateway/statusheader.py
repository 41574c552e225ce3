"""The true HTTP status of every answer, in the `X-Jobfleet-Status` header, as pure ASGI middleware.

OpenC3's pages read only 2xx answers (any other status reaches an error callback that shows the
number alone), so the OpenC3 routes answer their refusals HTTP 200 with `stat: false`, as OpenC3
itself does (`gateway.openc3.names`). A REST client that wants the status a refusal stands for
reads this header: a refusal sets it (400, 401, 403, ... under its 200), and this middleware puts
it on every other answer (its own status: 200 on a success, 404 on an unknown path, ...).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATUS_HEADER = "X-Jobfleet-Status"


def status_headers(status: int) -> dict[str, str]:
    """The header for an answer standing for `status`."""
    return {STATUS_HEADER: str(status)}


class StatusHeader:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if STATUS_HEADER not in headers:
                    headers[STATUS_HEADER] = str(message["status"])
            await send(message)

        await self.app(scope, receive, send_with_status)
