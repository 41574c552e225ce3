"""What a REST document's package hands `gateway/app.py` to mount: a `Document`.

Each document (`gateway/openc3/`, ...) is a sibling package exposing `DOCUMENT`; the app lists
the documents and mounts their routes, runs their routes' failures through their dialect, and
applies the credentials and body cap each route asks for. Nothing here knows any document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from gateway.errors import Dialect


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
