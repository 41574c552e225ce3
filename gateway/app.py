"""The Starlette app: every document's routes, the body cap, the one error mapping."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute

from gateway import errors
from gateway.bodylimit import BodyLimit
from gateway.config import GatewayConfig
from gateway.master import master_lifespan
from gateway.routes import health, openc3_slave, openc3_task
from gateway.views.openc3 import OPENC3

ROUTES: list[BaseRoute] = [*health.routes, *openc3_task.routes, *openc3_slave.routes]


def dialect_for(request: Request) -> errors.Dialect:
    """The envelope a failure is answered in.

    Every document served so far is OpenC3's; one with another envelope will be chosen here
    from `request.scope["route"]`.
    """
    return OPENC3


def create_app(config: GatewayConfig) -> Starlette:
    return Starlette(
        routes=ROUTES,
        middleware=[Middleware(BodyLimit, max_bytes=config.max_body_bytes)],
        exception_handlers=errors.exception_handlers(dialect_for),
        lifespan=master_lifespan(config),
    )
