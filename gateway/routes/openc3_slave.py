"""OpenC3 `slave` document: a task's log so far, and killing a task.

`{slave}` is taken as given: a task may span slaves, so the task's own executions decide.
"""

from __future__ import annotations

from jobfleet.v1 import task_pb2
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms
from gateway.master import GatewayState
from gateway.openapi import describe
from gateway.views import openc3


def task_uuid(request: Request[GatewayState]) -> str:
    """The task uuid; OpenC3 may append `_<plugin uuid>_<plugin type>`, ignored for now."""
    uuid = str(request.path_params["uuid"]).partition("_")[0].strip()
    return forms.token({"uuid": uuid}, "uuid", required=True)


@describe(data={"type": "array", "items": {"type": "object"}})
async def task_log(request: Request[GatewayState]) -> Response:
    """GET /slave/{slave}/tasklog/{uuid}: each execution's log as stored so far."""
    master = request.state["master"]
    ask = task_pb2.GetTaskRequest(uuid=task_uuid(request))
    task = (await master.task.GetTask(ask, timeout=master.timeout)).task
    logs = [await master.read_log(task.project_id, e.id) for e in task.executions]
    return envelope.ok([openc3.log_row(e, log) for e, log in zip(task.executions, logs)])


@describe(data={})
async def kill_task(request: Request[GatewayState]) -> Response:
    """DELETE /slave/{slave}/killtask/{uuid}: ask the master to kill every running execution."""
    master = request.state["master"]
    reason = f"killed by {forms.submitter(request)}"
    ask = task_pb2.KillTaskRequest(uuid=task_uuid(request), reason=reason)
    task = (await master.task.KillTask(ask, timeout=master.timeout)).task
    return envelope.ok(openc3.task_status(task))


routes: list[BaseRoute] = [
    Route("/slave/{slave}/tasklog/{uuid}", task_log, methods=["GET"]),
    Route("/slave/{slave}/killtask/{uuid}", kill_task, methods=["DELETE"]),
]
