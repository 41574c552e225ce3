"""OpenC3 `slave` document: a task's log so far (or one step's), and killing a task.

`{slave}` is taken as given: a task may span slaves, so the task's own executions decide (a
task row's `slave` may be the placeholder `master`, `views.tasks.NO_SLAVE`). The log's `{uuid}`
is a task uuid or a step's log uuid (`gateway.openc3.loguuid`).
The log answer is streamed (`gateway.streaming`): a 64 MiB log costs the gateway a page or two
of memory, not the log several times over.
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
from gateway.openc3 import loguuid, names
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
    for reading in loguuid.readings(str(request.path_params["uuid"])):
        ask = task_pb2.GetTaskRequest(uuid=reading.task)
        try:
            task = (await master.task.GetTask(ask, timeout=master.timeout)).task
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            first = first or exc
            continue
        if not reading.step:
            return task, list(task.executions)
        if any(s.uuid == reading.step for s in task.subtasks):
            return task, [e for e in task.executions if e.subtask_uuid == reading.step]
    if first is None:
        raise FieldError("uuid", "no step of that uuid in the task", status=404)
    raise first


@describe(data={"type": "array", "items": {"type": "object"}})
async def task_log(request: Request[GatewayState]) -> Response:
    """GET /slave/{slave}/tasklog/{uuid}: each execution's log as stored so far, streamed;
    `uuid` is the task's (every execution) or a step's log uuid (that step's executions).

    The task is read first, so an unknown task (or another project's) is a plain 404; a failure
    after the answer has begun ends it with `stat: false` (`gateway.streaming`).
    """
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


@describe(data={})
async def kill_task(request: Request[GatewayState]) -> Response:
    """DELETE /slave/{slave}/killtask/{uuid}: ask the master to kill every running execution."""
    master = request.state["master"]
    reason = f"killed by {forms.submitter(request)}"
    ask = task_pb2.KillTaskRequest(uuid=task_uuid(request), reason=reason)
    task = (await master.task.KillTask(ask, timeout=master.timeout)).task
    return envelope.ok(tasks.task_status(task))


routes: list[BaseRoute] = [
    Route(TASK_LOG, task_log, methods=["GET"]),
    Route("/slave/{slave}/killtask/{uuid}", kill_task, methods=["DELETE"]),
]
