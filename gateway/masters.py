"""GET /masters: the live masters of the cluster, each with its name, start, heartbeat age,
attached slaves and unfinished tasks (the admin token only; a project token is refused 403 by
the master). A single master lists itself."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope
from gateway.openapi import describe
from gateway.upstream import GatewayState
from jobfleet.v1 import cluster_pb2

MASTER_ROW = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "its --advertise HOST:PORT"},
        "pid": {"type": "integer"},
        "started": {"type": "string", "description": "UTC, YYYY-MM-DD HH:MM:SS"},
        "heartbeat_age": {"type": "number", "description": "seconds, the database's clock"},
        "slaves": {"type": "integer"},
        "tasks": {"type": "integer", "description": "unfinished tasks it drives"},
    },
}


def master_row(info: cluster_pb2.MasterInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "pid": info.pid,
        "started": info.started_at.ToDatetime().strftime("%Y-%m-%d %H:%M:%S"),
        "heartbeat_age": round(info.heartbeat_age, 3),
        "slaves": info.slaves,
        "tasks": info.tasks,
    }


@describe(data={"type": "array", "items": MASTER_ROW})
async def list_masters(request: Request[GatewayState]) -> Response:
    """The live masters, by name; `cluster` says whether they run as several (--advertise),
    `answered_by` which one answered."""
    master = request.state["master"]
    reply = await master.masters.ListMasters(
        cluster_pb2.ListMastersRequest(), timeout=master.timeout
    )
    return envelope.ok(
        [master_row(m) for m in reply.masters],
        total=len(reply.masters),
        cluster=reply.cluster,
        answered_by=reply.answered_by,
    )


routes: list[BaseRoute] = [Route("/masters", list_masters, methods=["GET"])]
