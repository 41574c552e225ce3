"""What a REST document's package hands `gateway/app.py` to mount: a `Document`.

Each document (`gateway/openc3/`, ...) is a sibling package exposing `DOCUMENT`; the app lists
the documents and mounts their routes (under the document's `prefix` too), runs their routes'
failures through their dialect, and applies the credentials and body cap each route asks for.
Nothing here knows any document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute, Route, WebSocketRoute

from gateway.errors import Dialect
from gateway.schemas import Schema


@dataclass(frozen=True)
class Answers:
    """How a document's answers read, for `/openapi.json`: its success body around a route's
    `data` schema, its refusal body, and what statuses a refusal may stand for."""

    success: Callable[[Schema], Schema]
    failure: Schema
    refused: str
    unauthenticated: Schema | None = None
    """A refusal for want of credentials, when its body differs from `failure`."""


@dataclass(frozen=True)
class Document:
    """One REST document's routes, and how its failures read."""

    routes: Sequence[BaseRoute]
    """Every route it serves, in matching order (fixed paths before `{uuid}`-like ones)."""
    dialect: Callable[[str], Dialect]
    """Its dialect on a route (the path template; "" when none matched): field names, envelope."""
    open_routes: Sequence[BaseRoute] = ()
    """Routes served without credentials."""
    token_header_routes: Sequence[BaseRoute] = ()
    """Routes that also take OpenC3's file server `token` header as the credentials."""
    uncapped_routes: Sequence[BaseRoute] = ()
    """Streamed uploads: outside the body cap, each file capped by `max_upload_bytes` instead."""
    prefix: str = ""
    """Every route is served under this path prefix as well as at the root (OpenC3's pages call
    `/api/job/...`, which its nginx strips); "" = at the root only."""
    refusals_in_200: bool = False
    """Its dialect answers refusals HTTP 200, the true status in `X-Jobfleet-Status` (what the
    OpenAPI document says of its routes)."""
    answers: Answers | None = None
    """Its envelopes as `/openapi.json` describes them; None = OpenC3's (the house's)."""
    basic_routes: Sequence[BaseRoute] = ()
    """Routes that also take `Authorization: Basic` credentials, the password as the token
    (cloud-act2's clients send their user and password so)."""


class Alias(Route):
    """A route served again under a prefix: the same endpoint and methods, left out of the
    OpenAPI paths (the document names the prefix as another server of the original's path)."""

    def __init__(self, original: Route, prefix: str) -> None:
        super().__init__(
            prefix + original.path,
            original.endpoint,
            methods=sorted(original.methods or ()),
            name=original.name,
            include_in_schema=False,
        )
        self.original = original
        self.prefix = prefix


class WebSocketAlias(WebSocketRoute):
    """A WebSocket route served again under a prefix."""

    def __init__(self, original: WebSocketRoute, prefix: str) -> None:
        super().__init__(prefix + original.path, original.endpoint, name=original.name)
        self.original = original
        self.prefix = prefix


def aliased(route: BaseRoute, prefix: str) -> BaseRoute:
    """`route` under `prefix`; a kind of route with no path of its own is refused."""
    if isinstance(route, Route):
        return Alias(route, prefix)
    if isinstance(route, WebSocketRoute):
        return WebSocketAlias(route, prefix)
    raise TypeError(f"cannot serve {route!r} under {prefix!r}: a Route or WebSocketRoute only")


def served(document: Document, routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """`routes` of `document` as served: at the root, then under its prefix if it has one."""
    if not document.prefix:
        return list(routes)
    return [*routes, *(aliased(route, document.prefix) for route in routes)]
