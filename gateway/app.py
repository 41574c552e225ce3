"""The Starlette app: every document's routes (at the root and under the document's prefix),
the body cap (not on uploads), the one error mapping, the status header. The one place that
lists the documents served (`DOCUMENTS`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute

from gateway import bkjob, cloudact2, errors, health, masters, openapi, openc3, opsgrat
from gateway.auth import Credentials
from gateway.bodylimit import BodyLimit
from gateway.callers import AskMaster, CallerCache, Verify
from gateway.config import GatewayConfig
from gateway.document import Document, served
from gateway.keptanswers import KeptAnswers
from gateway.openc3.routes.task import get_task
from gateway.schemas import Schema
from gateway.statusheader import StatusHeader
from gateway.ui import console_routes
from gateway.upstream import master_lifespan

DOCUMENTS: tuple[Document, ...] = (
    openc3.DOCUMENT,
    opsgrat.DOCUMENT,
    bkjob.DOCUMENT,
    cloudact2.DOCUMENT,
)

# The gateway's own answers (the health probe, unknown paths) speak the primary document's
# dialect, with their true HTTP status.
HOUSE = openc3.DOCUMENT


def _served(routes_of: Callable[[Document], Sequence[BaseRoute]]) -> list[BaseRoute]:
    return [route for d in DOCUMENTS for route in served(d, routes_of(d))]


ROUTES: list[BaseRoute] = [
    *health.routes,
    *masters.routes,
    *openapi.routes,
    *_served(lambda d: d.routes),
]

# Routes that need no credentials (the health probe, the API's description); the token
# upload also takes the file server's `token` header.
OPEN_ROUTES: list[BaseRoute] = [
    *health.routes,
    *openapi.routes,
    *_served(lambda d: d.open_routes),
]
TOKEN_HEADER_ROUTES: list[BaseRoute] = _served(lambda d: d.token_header_routes)
BASIC_ROUTES: list[BaseRoute] = _served(lambda d: d.basic_routes)

# Streamed uploads: each file is capped by `max_upload_bytes`, the body as a whole is not.
UNCAPPED_ROUTES: list[BaseRoute] = _served(lambda d: d.uncapped_routes)

# Path template as served (with a prefix or not) -> its document and its template at the root,
# by which the document names its fields.
_DOCUMENT_OF: dict[str, tuple[Document, str]] = {
    prefix + str(getattr(route, "path", "")): (document, str(getattr(route, "path", "")))
    for document in DOCUMENTS
    for prefix in {"", document.prefix}
    for route in document.routes
}


def dialect_of(route: str) -> errors.Dialect:
    """The dialect spoken on `route` (a path template; "" when none matched): its document's,
    else the house one with true statuses. A document's field names may vary a little by
    route (`openc3.names`)."""
    found = _DOCUMENT_OF.get(route)
    if found is None:
        house = HOUSE.dialect(route)
        return errors.Dialect(house.rename, errors.keeping_status(house.render))
    document, at_root = found
    return document.dialect(at_root)


def dialect_for(request: Request) -> errors.Dialect:
    """The envelope and field names a failure is answered in, by the route that matched."""
    route = request.scope.get("route")
    return dialect_of(getattr(route, "path", ""))


def openapi_document(session_cookie: str = "sid") -> Schema:
    """The OpenAPI document of the routes served (`GET /openapi.json`)."""
    return openapi.document(ROUTES, DOCUMENTS, session_cookie=session_cookie)


def create_app(config: GatewayConfig, verify: Verify | None = None) -> Starlette:
    """`verify`: who a token is (default: ask the master, `gateway.callers.AskMaster`).

    `app.state.kept_answers`: what the HTTP protocol may answer itself (`gateway.keptanswers`),
    from the master's yes kept by the default `verify`; None with another `verify`.
    `app.state.stopping`: set when the server begins to stop; streams that would stay open
    (the console's run stream) end on it, so they do not hold the drain."""
    callers = CallerCache()
    kept_answers = None
    if verify is None:
        verify = AskMaster(callers)
        kept_answers = KeptAnswers(
            get_task, ROUTES, TOKEN_HEADER_ROUTES, BASIC_ROUTES, callers, config.session_cookie
        )
    # The console (`/ui`) is not among ROUTES: the token middleware passes it by, and the
    # console asks for its own cookie (`gateway.ui.session`).
    app = Starlette(
        routes=[*ROUTES, *console_routes()],
        middleware=[
            Middleware(StatusHeader),
            Middleware(
                Credentials,
                routes=ROUTES,
                open_routes=OPEN_ROUTES,
                token_header_routes=TOKEN_HEADER_ROUTES,
                basic_routes=BASIC_ROUTES,
                dialect=dialect_of,
                verify=verify,
                session_cookie=config.session_cookie,
            ),
            Middleware(BodyLimit, max_bytes=config.max_body_bytes, exempt=UNCAPPED_ROUTES),
        ],
        exception_handlers=errors.exception_handlers(dialect_for),
        lifespan=master_lifespan(config),
    )
    app.state.openapi = openapi_document(config.session_cookie)
    app.state.kept_answers = kept_answers
    app.state.verify = verify
    app.state.stopping = asyncio.Event()
    return app
