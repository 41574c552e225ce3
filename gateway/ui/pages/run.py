"""The console's run page: one task's header, its steps, a grid of its executions coloured by
state (server-rendered, one cell each; `run.js` updates their classes), each node's output live
over `/ui/runs/{uuid}/events` (`gateway.ui.pages.runevents`), and the actions a person takes on
it: kill, and a failed step's decision (next, fail, running, ignore).

Actions answer a page's script (`Accept: application/json`) with `{"message": ...}` and the
status, a plain form post with a redirect back to the page (or the refusal as a page)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from gateway.errors import HTTP_STATUS
from gateway.ui.durations import run_duration, started_unix
from gateway.ui.pages.runevents import FINAL, run_events
from gateway.ui.render import page, refused
from gateway.ui.words import EXECUTION_STATUS, SUBTASK_STATUS, TASK_STATUS
from jobfleet.v1 import common_pb2, task_pb2

CONTROLS = {
    "next": task_pb2.SUBTASK_CONTROL_NEXT,
    "fail": task_pb2.SUBTASK_CONTROL_FAIL,
    "running": task_pb2.SUBTASK_CONTROL_RUNNING,
    "ignore": task_pb2.SUBTASK_CONTROL_IGNORE,
}
"""A step waiting for a decision: go on past it, fail the run, run its failed nodes again, or
count them as done."""
OUTPUT_CAP_BYTES = 1 << 20
"""What the page keeps of each node's output (the latest part; run.js drops the oldest)."""


def _when(stamp: Any, present: bool) -> str:
    return stamp.ToDatetime().strftime("%Y-%m-%d %H:%M:%S") if present else ""


async def _get(request: Request) -> task_pb2.GetTaskResponse:
    master = request.state.master
    ask = task_pb2.GetTaskRequest(uuid=request.path_params["uuid"])
    reply: task_pb2.GetTaskResponse = await master.task.GetTask(ask, timeout=master.timeout)
    return reply


async def run_page(request: Request) -> Response:
    try:
        task = (await _get(request)).task
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    grids: dict[str, list[common_pb2.Execution]] = defaultdict(list)
    for e in sorted(task.executions, key=lambda e: e.id):
        grids[e.subtask_uuid].append(e)
    return page(
        request,
        "run.html",
        task=task,
        grids=grids,
        final=task.status in FINAL,
        times={
            "created": _when(task.created_at, task.HasField("created_at")),
            "started": _when(task.started_at, task.HasField("started_at")),
            "finished": _when(task.finished_at, task.HasField("finished_at")),
            "started_unix": started_unix(task),
            "duration": run_duration(task),
        },
        words=TASK_STATUS,
        step_words=SUBTASK_STATUS,
        execution_words=EXECUTION_STATUS,
        controls=list(CONTROLS),
        cap=OUTPUT_CAP_BYTES,
    )


async def run_stream(request: Request) -> Response:
    """The live stream; a refusal (another project's run, none of that uuid) is its status."""
    try:
        reply = await _get(request)
    except grpc.aio.AioRpcError as exc:
        return PlainTextResponse(exc.details() or exc.code().name, HTTP_STATUS.get(exc.code(), 502))
    stopping = request.app.state.stopping
    events = run_events(request.state.master, reply.task, reply.etag, stopping)
    headers = {"X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


def _answer(request: Request, status: int, message: str) -> Response:
    """To the page's script: the words and status; to a plain form: back to the page."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"message": message}, status)
    if status >= 400:
        return page(request, "error.html", status=status, code=str(status), message=message)
    return RedirectResponse(f"/ui/runs/{request.path_params['uuid']}", 303)


def _refusal(request: Request, exc: grpc.aio.AioRpcError) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"message": exc.details() or exc.code().name}, HTTP_STATUS.get(exc.code(), 502)
        )
    return refused(request, exc)


async def kill(request: Request) -> Response:
    master = request.state.master
    ask = task_pb2.KillTaskRequest(
        uuid=request.path_params["uuid"], reason="killed from the console"
    )
    try:
        await master.task.KillTask(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        return _refusal(request, exc)
    return _answer(request, 200, "kill asked: the nodes are being stopped")


async def control(request: Request) -> Response:
    form = await request.form()
    word = str(form.get("control", ""))
    if word not in CONTROLS:
        return _answer(
            request, 400, f"control: unknown {word!r}, expected one of: {', '.join(CONTROLS)}"
        )
    master = request.state.master
    ask = task_pb2.ControlSubtaskRequest(
        task_uuid=request.path_params["uuid"],
        subtask_uuid=request.path_params["step"],
        control=CONTROLS[word],
        actor="console",
    )
    try:
        await master.task.ControlSubtask(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        return _refusal(request, exc)
    return _answer(request, 200, f"{word}: done")


routes: list[BaseRoute] = [
    Route("/runs/{uuid}", run_page, methods=["GET"], name="run"),
    Route("/runs/{uuid}/events", run_stream, methods=["GET"], name="run_events"),
    Route("/runs/{uuid}/kill", kill, methods=["POST"], name="run_kill"),
    Route("/runs/{uuid}/steps/{step}/control", control, methods=["POST"], name="run_control"),
]
