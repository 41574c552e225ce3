"""The console's slaves page: the slaves the master knows, attached or not, with their load (the
commands running on each) and when each was last heard from. A project token is answered by the
master about the slaves serving its project (ListSlaves), as any other client is."""

from __future__ import annotations

import datetime as dt
import time

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.ui.render import page, refused
from jobfleet.v1 import catalog_pb2


def ago(seen: dt.datetime, now: float) -> str:
    """How long ago, in the largest whole unit (s, min, h, d)."""
    seconds = max(0, int(now - seen.timestamp()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


async def slaves_page(request: Request) -> Response:
    master = request.state.master
    try:
        reply = await master.catalog.ListSlaves(
            catalog_pb2.ListSlavesRequest(), timeout=master.timeout
        )
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    slaves = sorted(reply.slaves, key=lambda s: (not s.attached, s.name))
    return page(request, "slaves.html", slaves=slaves, now=time.time(), ago=ago, utc=dt.UTC)


routes: list[BaseRoute] = [Route("/slaves", slaves_page, methods=["GET"], name="slaves")]
