"""The console's crontabs page: each crontab of every project the token may see, with its next
fire times in its own zone, its recent fires (and misfires) linked to their runs, and a button
that starts or stops it (SetCrontabStatus)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import grpc
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.ui.projects import visible_projects
from gateway.ui.render import page, refused
from gateway.ui.upcoming import next_fires, shown, zone_of
from gateway.ui.who import actor
from gateway.ui.words import CRONTAB_STATUS, FIRE_OUTCOME
from jobfleet.v1 import crontab_pb2

FIRES_SHOWN = 5
SWITCHES = {
    "available": crontab_pb2.CRONTAB_STATUS_AVAILABLE,
    "unavailable": crontab_pb2.CRONTAB_STATUS_UNAVAILABLE,
}


@dataclass(frozen=True)
class Fire:
    """One recent fire as the page shows it: times in the crontab's zone."""

    at: str
    through: str
    outcome: str
    task_uuid: str
    reason: str


@dataclass(frozen=True)
class CrontabRow:
    crontab: crontab_pb2.Crontab
    status: str
    upcoming: list[str]
    fires: list[Fire]


def row_of(crontab: crontab_pb2.Crontab) -> CrontabRow:
    tz = zone_of(crontab.time_zone)
    first = None
    if crontab.HasField("next_fire_time"):
        first = crontab.next_fire_time.ToDatetime(dt.UTC)
    upcoming = [shown(t) for t in next_fires(crontab.cron, crontab.time_zone, first)]
    fires = [
        Fire(
            shown(f.fire_time.ToDatetime(dt.UTC).astimezone(tz)),
            shown(f.through.ToDatetime(dt.UTC).astimezone(tz))
            if f.HasField("through") and f.through != f.fire_time
            else "",
            FIRE_OUTCOME.get(f.outcome, "unknown"),
            f.task_uuid,
            f.reason,
        )
        for f in crontab.recent_fires
    ]
    return CrontabRow(crontab, CRONTAB_STATUS.get(crontab.status, "unknown"), upcoming, fires)


async def crontabs_page(request: Request) -> Response:
    master = request.state.master
    rows: list[CrontabRow] = []
    try:
        for project in await visible_projects(master):
            ask = crontab_pb2.ListCrontabsRequest(project_id=project.id, fire_limit=FIRES_SHOWN)
            reply = await master.crontab.ListCrontabs(ask, timeout=master.timeout)
            rows += [row_of(c) for c in reply.crontabs]
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    return page(request, "crontabs.html", rows=rows)


async def set_status(request: Request) -> Response:
    """POST `status` = available | unavailable; back to the list."""
    master = request.state.master
    wanted = str((await request.form()).get("status", ""))
    if wanted not in SWITCHES:
        text = f"status: must be one of {', '.join(SWITCHES)}"
        return page(request, "error.html", status=400, code="INVALID_ARGUMENT", message=text)
    ask = crontab_pb2.SetCrontabStatusRequest(
        project_id=int(request.path_params["project"]),
        id=int(request.path_params["id"]),
        status=SWITCHES[wanted],
        actor=actor(),
    )
    try:
        await master.crontab.SetCrontabStatus(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    return RedirectResponse("/ui/crontabs", 303)


routes: list[BaseRoute] = [
    Route("/crontabs", crontabs_page, methods=["GET"], name="crontabs"),
    Route("/crontabs/{project:int}/{id:int}/status", set_status, methods=["POST"]),
]
