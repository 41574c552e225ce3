"""OpenC3 `slave` document: a task's log so far (or one step's), its live log socket, and
killing a task.

`{slave}` is taken as given: a task may span slaves, so the task's own executions decide (a
task row's `slave` may be the placeholder `master`, `views.tasks.NO_SLAVE`). The log's `{uuid}`
is a task uuid or a step's log uuid (`gateway.openc3.loguuid`).
The log answer is streamed (`gateway.streaming`): a 64 MiB log costs the gateway a page or two
of memory, not the log several times over. A browser asking for HTML gets OpenC3's page instead,
which opens the live socket (`logsocket`).
"""

from __future__ import annotations

import functools
import logging

import grpc
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, streaming
from gateway.errors import FieldError, rpc_failure
from gateway.openapi import describe
from gateway.openc3 import logpage, loguuid, names
from gateway.openc3.routes import logsocket
from gateway.openc3.views import tasks
from gateway.upstream import GatewayState
from jobfleet.v1 import common_pb2, task_pb2

logger = logging.getLogger(__name__)

TASK_LOG = "/slave/{slave}/tasklog/{uuid}"


def task_uuid(request: Request[GatewayState]) -> str:
    """The task uuid; OpenC3 may append `_<plugin uuid>_<plugin type>`, ignored here."""
    uuid = str(request.path_params["uuid"]).partition("_")[0].strip()
    return forms.token({"uuid": uuid}, "uuid", required=True)


async def logged_task(
    request: Request[GatewayState],
) -> tuple[common_pb2.Task, list[common_pb2.Execution]]:
    """The task the log uuid names and the executions whose logs it asks for (all of them, or
    one step's): the first reading that names a task, and a step of it when it names one.
    None naming any: the first reading's NOT_FOUND, as for an unknown task."""
    master = request.state["master"]
    first: grpc.aio.AioRpcError | None = None
    for reading in _readings(str(request.path_params["uuid"])):
        ask = task_pb2.GetTaskRequest(uuid=reading.task_uuid)
        try:
            task = (await master.task.GetTask(ask, timeout=master.timeout)).task
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            first = first or exc
            continue
        if not reading.step_uuid:
            return task, list(task.executions)
        if any(s.uuid == reading.step_uuid for s in task.subtasks):
            return task, [e for e in task.executions if e.subtask_uuid == reading.step_uuid]
    if first is None:
        raise FieldError("uuid", "no step of that uuid in the task", status=404)
    raise first


def _readings(uuid: str) -> list[loguuid.LogTarget]:
    """The log uuid's readings; a malformed one is refused 400 naming `uuid`, before any call."""
    try:
        return loguuid.candidates(uuid.strip())
    except loguuid.BadLogUuid as exc:
        raise FieldError(
            "uuid", f"{exc}: a task uuid (1-64 letters and digits) or task + step uuid + cmd|scp"
        ) from None


@describe(data={"type": "array", "items": {"type": "object"}})
async def task_log(request: Request[GatewayState]) -> Response:
    """GET /slave/{slave}/tasklog/{uuid}: each execution's log as stored so far, streamed;
    `uuid` is the task's (every execution) or a step's log uuid (that step's executions).

    The task is read first, so an unknown task (or another project's) is a plain 404; a failure
    after the answer has begun ends it with `stat: false` (`gateway.streaming`). A client whose
    `Accept` names `text/html` (a browser) gets OpenC3's page instead: HTML that opens the live
    log socket `/slave/{slave}/ws?uuid=<uuid>` and shows its frames (`uuid` may be a step's log
    uuid, `<task><step><cmd|scp>`, or OpenC3's `<task>_<step>_<type>`).
    """
    if logpage.wants_html(request.headers.get("accept", "")):
        return logpage.page(page_uuid(request))
    master = request.state["master"]
    task, logged = await logged_task(request)
    rows = [
        streaming.TextRow(
            tasks.execution_fields(e),
            "log",
            functools.partial(master.log_pages, task.project_id, e.id),
        )
        for e in logged
    ]
    body = streaming.envelope(rows, functools.partial(_cut_short, task.uuid))
    return StreamingResponse(body, media_type="application/json")


def _cut_short(uuid: str, exc: grpc.aio.AioRpcError) -> str:
    """What the answer's `info` says when the master fails while the log is being sent."""
    logger.warning("tasklog %s: cut short, the master failed while it was sent", uuid)
    return names.failure_info(rpc_failure(exc, names.dialect(TASK_LOG).rename))


def page_uuid(request: Request[GatewayState]) -> str:
    """The log uuid the page follows: the path's, OpenC3's `_` separators dropped."""
    uuid = str(request.path_params["uuid"]).replace("_", "")
    if not loguuid.LOG_UUID.fullmatch(uuid):
        raise FieldError("uuid", f"must be letters and digits, got {uuid[:140]!r}")
    return uuid


@describe(data={})
async def kill_task(request: Request[GatewayState]) -> Response:
    """DELETE /slave/{slave}/killtask/{uuid}: ask the master to kill every running execution."""
    master = request.state["master"]
    reason = f"killed by {forms.submitter(request)}"
    ask = task_pb2.KillTaskRequest(uuid=task_uuid(request), reason=reason)
    task = (await master.task.KillTask(ask, timeout=master.timeout)).task
    return envelope.ok(tasks.task_status(task))


routes: list[BaseRoute] = [
    *logsocket.routes,
    Route(TASK_LOG, task_log, methods=["GET"]),
    Route("/slave/{slave}/killtask/{uuid}", kill_task, methods=["DELETE"]),
]
