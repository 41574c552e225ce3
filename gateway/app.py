"""The Starlette app: every document's routes, the body cap (not on uploads), the one error
mapping. The one place that lists the documents served (`DOCUMENTS`)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute

from gateway import errors, health, openapi, openc3
from gateway.auth import Credentials
from gateway.bodylimit import BodyLimit
from gateway.callers import Verify
from gateway.config import GatewayConfig
from gateway.document import Document
from gateway.upstream import master_lifespan

DOCUMENTS: tuple[Document, ...] = (openc3.DOCUMENT,)

# The gateway's own answers (the health probe, unknown paths) speak the primary document's
# dialect.
HOUSE = openc3.DOCUMENT

ROUTES: list[BaseRoute] = [
    *health.routes,
    *openapi.routes,
    *(route for document in DOCUMENTS for route in document.routes),
]

# Routes that need no credentials (the health probe, the API's description); the token
# upload also takes the file server's `token` header.
OPEN_ROUTES: list[BaseRoute] = [
    *health.routes,
    *openapi.routes,
    *(route for document in DOCUMENTS for route in document.open_routes),
]
TOKEN_HEADER_ROUTES: list[BaseRoute] = [
    route for document in DOCUMENTS for route in document.token_header_routes
]

# Streamed uploads: each file is capped by `max_upload_bytes`, the body as a whole is not.
UNCAPPED_ROUTES: list[BaseRoute] = [
    route for document in DOCUMENTS for route in document.uncapped_routes
]

_DOCUMENT_OF: dict[str, Document] = {
    str(getattr(route, "path", "")): document
    for document in DOCUMENTS
    for route in document.routes
}


def dialect_of(route: str) -> errors.Dialect:
    """The dialect spoken on `route` (a path template; "" when none matched): its document's,
    else the house one. A document's field names may vary a little by route (`openc3.names`)."""
    return _DOCUMENT_OF.get(route, HOUSE).dialect(route)


def dialect_for(request: Request) -> errors.Dialect:
    """The envelope and field names a failure is answered in, by the route that matched."""
    route = request.scope.get("route")
    return dialect_of(getattr(route, "path", ""))


def create_app(config: GatewayConfig, verify: Verify | None = None) -> Starlette:
    """`verify`: who a token is (default: ask the master, `gateway.callers.AskMaster`)."""
    return Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(
                Credentials,
                routes=ROUTES,
                open_routes=OPEN_ROUTES,
                token_header_routes=TOKEN_HEADER_ROUTES,
                dialect=dialect_of,
                verify=verify,
            ),
            Middleware(BodyLimit, max_bytes=config.max_body_bytes, exempt=UNCAPPED_ROUTES),
        ],
        exception_handlers=errors.exception_handlers(dialect_for),
        lifespan=master_lifespan(config),
    )
