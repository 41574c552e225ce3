"""The console's runs page: the task list with its filters in the query string (bookmarkable),
paging, today's counts, and a live part the page asks for again every 2 s while its tab is
visible (static/runs.js fires htmx's swap of a server-rendered fragment: four ListTasks (the
page, three counts) per poll, with the caller's own token, which a project token may call;
WatchTaskChanges is the admin's only)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.ui.pages.runfilters import PAGE_SIZE, STATUS_WORDS, BadFilter, RunFilters, read_filters
from gateway.ui.render import page, refused
from gateway.ui.words import TASK_STATUS
from jobfleet.v1 import common_pb2, task_pb2

POLL_SECONDS = 2
TODAY = {
    "success": common_pb2.TASK_STATUS_SUCCESS,
    "failed": common_pb2.TASK_STATUS_FAIL,
    "running": common_pb2.TASK_STATUS_RUNNING,
}


def midnight_utc() -> int:
    now = datetime.now(UTC)
    return int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())


async def _live(request: Request, filters: RunFilters) -> dict[str, Any]:
    """What the live part shows: a page of tasks, their total, today's counts (runs started
    since midnight UTC, by status: ListTasks' totals, which span every project for the admin,
    where CountTasks asks for one)."""
    master = request.state.master
    counts = []
    for value in TODAY.values():
        count = task_pb2.ListTasksRequest(status=value, started_after_unix=midnight_utc(), limit=1)
        if filters.request.HasField("project_id"):
            count.project_id = filters.request.project_id
        counts.append(master.task.ListTasks(count, timeout=master.timeout))
    listed, *counted = await asyncio.gather(
        master.task.ListTasks(filters.request, timeout=master.timeout), *counts
    )
    pages = max(1, -(-listed.total // PAGE_SIZE))
    return {
        "tasks": listed.tasks,
        "total": listed.total,
        "today": {word: c.total for word, c in zip(TODAY, counted, strict=True)},
        "pages": pages,
        "filters": filters,
        "words": TASK_STATUS,
        "poll": POLL_SECONDS,
    }


async def runs_page(request: Request) -> Response:
    try:
        filters = read_filters(request.query_params)
    except BadFilter as bad:
        return page(
            request,
            "runs.html",
            status=400,
            error=str(bad),
            shown={k: v for k, v in request.query_params.items()},
            statuses=list(STATUS_WORDS),
            live=None,
        )
    try:
        live = await _live(request, filters)
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    return page(
        request,
        "runs.html",
        error="",
        shown=filters.shown,
        statuses=list(STATUS_WORDS),
        live=live,
    )


async def runs_live(request: Request) -> Response:
    """The live part alone (what the page's polling swaps in)."""
    try:
        filters = read_filters(request.query_params)
    except BadFilter as bad:
        return page(request, "error.html", status=400, code="INVALID_ARGUMENT", message=str(bad))
    try:
        live = await _live(request, filters)
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    return page(request, "runs_live.html", live=live)


routes: list[BaseRoute] = [
    Route("/runs", runs_page, methods=["GET"], name="runs"),
    Route("/runs/live", runs_live, methods=["GET"], name="runs_live"),
]
