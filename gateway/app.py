"""The Starlette app: every document's routes, the body cap (not on uploads), the one error
mapping."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute

from gateway import errors, openapi
from gateway.auth import Credentials
from gateway.bodylimit import BodyLimit
from gateway.callers import Verify
from gateway.config import GatewayConfig
from gateway.openc3 import names as openc3_names
from gateway.routes import (
    health,
    openc3_crontab,
    openc3_fileserver,
    openc3_jobs,
    openc3_nodegroup,
    openc3_nodes,
    openc3_scripts,
    openc3_slave,
    openc3_subtask,
    openc3_task,
    openc3_third,
    openc3_token,
    openc3_userlist,
    openc3_variable,
)
from gateway.upstream import master_lifespan

ROUTES: list[BaseRoute] = [
    *health.routes,
    *openapi.routes,
    *openc3_task.routes,
    *openc3_slave.routes,
    *openc3_jobs.routes,
    *openc3_scripts.routes,
    *openc3_nodes.routes,
    *openc3_nodegroup.routes,
    *openc3_userlist.routes,
    *openc3_variable.routes,
    *openc3_subtask.routes,
    *openc3_third.routes,
    *openc3_crontab.routes,
    *openc3_fileserver.routes,
    *openc3_token.routes,
]

# Routes that need no credentials (the health probe, the API's description); the token
# upload also takes the file server's `token` header.
OPEN_ROUTES: list[BaseRoute] = [*health.routes, *openapi.routes]
TOKEN_HEADER_ROUTES: list[BaseRoute] = [*openc3_fileserver.token_routes]

# Streamed uploads: each file is capped by `max_upload_bytes`, the body as a whole is not.
UNCAPPED_ROUTES: list[BaseRoute] = [*openc3_fileserver.upload_routes]


def dialect_for(request: Request) -> errors.Dialect:
    """The envelope and field names a failure is answered in, by the route that matched.

    Every document served so far is OpenC3's; its field names vary a little by route
    (`openc3.names`). A document with another envelope will be chosen here too.
    """
    route = request.scope.get("route")
    return openc3_names.dialect(getattr(route, "path", ""))


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
                dialect=openc3_names.dialect,
                verify=verify,
            ),
            Middleware(BodyLimit, max_bytes=config.max_body_bytes, exempt=UNCAPPED_ROUTES),
        ],
        exception_handlers=errors.exception_handlers(dialect_for),
        lifespan=master_lifespan(config),
    )
