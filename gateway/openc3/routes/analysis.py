"""OpenC3 `task` document, its `analysis` routes: the dashboard's reports on the tasks started
in the last 30 days, counted by the master's database (ReportService), days and hours in the
master's time zone.

Scope: `statistics`, and `date` with `all`, ask for every project; the master answers a project
token with its own project only (and the admin token with every project), so another project's
counts never reach a project's token.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.openapi import describe
from gateway.openc3.views import analysis
from gateway.upstream import GatewayState
from jobfleet.v1 import report_pb2

MAX_LAST = 1000
COUNT = "count"

ROWS = {"type": "array", "items": {"type": "object"}}
PAIRS = {"type": "array", "items": {"type": "array"}}
RUNTIME_KEYS = ("0-1", "1-3", "3-5", "5-10", "10-30", "30+")
SHARES = {
    "type": "object",
    "properties": {k: {"type": ["string", "integer"]} for k in RUNTIME_KEYS},
    "required": list(RUNTIME_KEYS),
}


def project_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


@describe(
    query={COUNT: schemas.integer(0, MAX_LAST, description="how many; 0 or absent: 10")},
    data=ROWS,
)
async def last(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/analysis/last: the project's newest tasks (started or not)."""
    count = forms.integer(request.query_params, COUNT, default=0, low=0, high=MAX_LAST)
    ask = report_pb2.RecentTasksRequest(project_id=project_id(request), count=count)
    master = request.state["master"]
    reply = await master.report.RecentTasks(ask, timeout=master.timeout)
    now = time.time()
    return envelope.ok([analysis.recent_row(t, now) for t in reply.tasks])


@describe(
    query={"all": schemas.flag(description="every project (the admin token; else ignored)")},
    data=PAIRS,
)
async def date(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/analysis/date: `[date, all, success]` for each of the 30 days up
    to today, oldest first."""
    scope = project_id(request)
    every = forms.flag(request.query_params, "all")
    ask = (
        report_pb2.DailyCountsRequest(page_project_id=scope)
        if every
        else report_pb2.DailyCountsRequest(project_id=scope)
    )
    master = request.state["master"]
    return envelope.ok(analysis.days(await master.report.DailyCounts(ask, timeout=master.timeout)))


@describe(data=PAIRS)
async def hour(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/analysis/hour: `[HH, count]` per hour of the day that has tasks."""
    ask = report_pb2.HourlyCountsRequest(project_id=project_id(request))
    master = request.state["master"]
    return envelope.ok(
        analysis.hours(await master.report.HourlyCounts(ask, timeout=master.timeout))
    )


@describe(data=SHARES)
async def runtime(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/analysis/runtime: each run-time band's share of the tasks (%)."""
    ask = report_pb2.RuntimeBandsRequest(project_id=project_id(request))
    master = request.state["master"]
    reply = await master.report.RuntimeBands(ask, timeout=master.timeout)
    return envelope.ok(analysis.runtime_shares(reply))


@describe(data=ROWS)
async def statistics(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/analysis/statistics: tasks per project, most first (a project's
    token: its own project only)."""
    page = project_id(request)  # the credentials step already matched it to the token
    master = request.state["master"]
    # every project the caller may see; the page's project must exist
    ask = report_pb2.ProjectCountsRequest(page_project_id=page)
    reply = await master.report.ProjectCounts(ask, timeout=master.timeout)
    return envelope.ok(analysis.project_counts(reply))


# Four segments: never taken by /task/{projectid}/{uuid}; listed before the task routes anyway.
routes: list[BaseRoute] = [
    Route("/task/{projectid}/analysis/last", last, methods=["GET"]),
    Route("/task/{projectid}/analysis/date", date, methods=["GET"]),
    Route("/task/{projectid}/analysis/hour", hour, methods=["GET"]),
    Route("/task/{projectid}/analysis/runtime", runtime, methods=["GET"]),
    Route("/task/{projectid}/analysis/statistics", statistics, methods=["GET"]),
]
