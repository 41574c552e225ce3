"""OpenC3 `slave` document: a task's log so far, its live log socket, and killing a task.

`{slave}` is taken as given: a task may span slaves, so the task's own executions decide.
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
from jobfleet.v1 import task_pb2

logger = logging.getLogger(__name__)

TASK_LOG = "/slave/{slave}/tasklog/{uuid}"


def task_uuid(request: Request[GatewayState]) -> str:
    """The task uuid; OpenC3 may append `_<plugin uuid>_<plugin type>`, ignored for now."""
    uuid = str(request.path_params["uuid"]).partition("_")[0].strip()
    return forms.token({"uuid": uuid}, "uuid", required=True)


@describe(data={"type": "array", "items": {"type": "object"}})
async def task_log(request: Request[GatewayState]) -> Response:
    """GET /slave/{slave}/tasklog/{uuid}: each execution's log as stored so far, streamed.

    The task is read first, so an unknown task (or another project's) is a plain 404; a failure
    after the answer has begun ends it with `stat: false` (`gateway.streaming`). A client whose
    `Accept` names `text/html` (a browser) gets OpenC3's page instead: HTML that opens the live
    log socket `/slave/{slave}/ws?uuid=<uuid>` and shows its frames (`uuid` may be a step's log
    uuid, `<task><step><cmd|scp>`, or OpenC3's `<task>_<step>_<type>`).
    """
    if logpage.wants_html(request.headers.get("accept", "")):
        return logpage.page(page_uuid(request))
    master = request.state["master"]
    uuid = task_uuid(request)
    ask = task_pb2.GetTaskRequest(uuid=uuid)
    task = (await master.task.GetTask(ask, timeout=master.timeout)).task
    rows = [
        streaming.TextRow(
            tasks.execution_fields(e),
            "log",
            functools.partial(master.log_pages, task.project_id, e.id),
        )
        for e in task.executions
    ]
    body = streaming.envelope(rows, functools.partial(_cut_short, uuid))
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
