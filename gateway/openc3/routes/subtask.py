"""OpenC3 `subtask` document: the steps of a job task, and controlling a waiting one.

`POST` may send any control (next, fail, running, ignore); `PUT` is the narrower permission and
may send `next` (confirm a pause, go past a failed step) or `running` (run the failed nodes
again), as OpenC3's PUT takes them (anything else: 403 naming `control`). A control that
changes nothing (e.g. `fail` on a subtask not in decision) is the master's FAILED_PRECONDITION:
409, stat false.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import words
from gateway.openc3.views import tasks
from gateway.upstream import GatewayState
from gateway.words import value_of
from jobfleet.v1 import common_pb2, task_pb2

CONTROLS = tuple(words.SUBTASK_CONTROL.values())
PUT_CONTROLS = ("next", "running")
SUBTASK_TYPES = ("cmd", "scp", "approval")

CONTROL_FIELDS = {
    "taskuuid": schemas.token(),
    "subtaskuuid": schemas.token(),
    "subtasktype": schemas.choice(SUBTASK_TYPES, description="optional; the uuid decides"),
}
CONTROL_BODY = schemas.obj(
    {"control": schemas.choice(CONTROLS), **CONTROL_FIELDS},
    ["control", "taskuuid", "subtaskuuid"],
)
PUT_BODY = schemas.obj(
    {"control": schemas.choice(PUT_CONTROLS), **CONTROL_FIELDS},
    ["control", "taskuuid", "subtaskuuid"],
)


def control_request(
    project_id: int, fields: Fields, actor: str, allowed: Collection[str] = CONTROLS
) -> task_pb2.ControlSubtaskRequest:
    """taskuuid, subtaskuuid, control; `subtasktype`, when sent, must be cmd, scp or approval (the
    subtask uuid alone says which step it is)."""
    control = forms.choice(fields, "control", CONTROLS)
    if control not in allowed:
        only = ", ".join(allowed)
        raise FieldError("control", f"{control!r} is not allowed here, only: {only}", status=403)
    if forms.text(fields, "subtasktype"):
        forms.choice(fields, "subtasktype", SUBTASK_TYPES)
    return task_pb2.ControlSubtaskRequest(
        project_id=project_id,
        task_uuid=forms.token(fields, "taskuuid", required=True),
        subtask_uuid=forms.token(fields, "subtaskuuid", required=True),
        control=value_of(words.SUBTASK_CONTROL, control, "control"),
        actor=actor,
    )


async def fetch_task(request: Request[GatewayState]) -> common_pb2.Task:
    """The task of the path, with its subtasks (a page polls it with the task: the answer
    GET /task/{projectid}/{uuid} keeps serves it too, gateway/taskreads.py)."""
    ask = task_pb2.GetTaskRequest(
        project_id=forms.path_id(request, "projectid"),
        uuid=forms.path_token(request, "taskuuid"),
    )
    master, reads = request.state["master"], request.state["task_reads"]
    task: common_pb2.Task = (await reads.get(master.task, ask, master.timeout)).reply.task
    return task


@describe(data={"type": "array", "items": {"type": "object"}})
async def list_subtasks(request: Request[GatewayState]) -> Response:
    """GET /subtask/{projectid}/{taskuuid}: one row per step, in order."""
    task = await fetch_task(request)
    now = time.time()
    return envelope.ok([tasks.subtask_row(s, now) for s in task.subtasks])


@describe(data={"type": "object"})
async def get_subtask(request: Request[GatewayState]) -> Response:
    """GET /subtask/{projectid}/{taskuuid}/{subtaskuuid}: one row; 404 when not in the task."""
    uuid = forms.path_token(request, "subtaskuuid")
    task = await fetch_task(request)
    for subtask in task.subtasks:
        if subtask.uuid == uuid:
            return envelope.ok(tasks.subtask_row(subtask, time.time()))
    raise FieldError("subtaskuuid", f"no subtask {uuid!r} in task {task.uuid!r}", status=404)


async def control(request: Request[GatewayState], allowed: Collection[str]) -> Response:
    ask = control_request(
        forms.path_id(request, "projectid"),
        await forms.read_fields(request),
        forms.submitter(request),
        allowed,
    )
    master = request.state["master"]
    task = (await master.task.ControlSubtask(ask, timeout=master.timeout)).task
    return envelope.ok(tasks.task_status(task))


@describe(
    body=CONTROL_BODY,
    example={"control": "next", "taskuuid": "T20261126a1", "subtaskuuid": "S1a2b3c4"},
    data={},
    answers={409: "the control changes nothing in this state"},
)
async def control_any(request: Request[GatewayState]) -> Response:
    """POST /subtask/{projectid}: next, fail, running or ignore; `data` is the task's status."""
    return await control(request, CONTROLS)


@describe(
    body=PUT_BODY,
    example={"control": "running", "taskuuid": "T20261126a1", "subtaskuuid": "S1a2b3c4"},
    data={},
    answers={
        403: "a control other than next or running",
        409: "the control changes nothing in this state",
    },
)
async def control_put(request: Request[GatewayState]) -> Response:
    """PUT /subtask/{projectid}: `next` (confirm, go on) or `running` (retry failed nodes)."""
    return await control(request, PUT_CONTROLS)


routes: list[BaseRoute] = [
    Route("/subtask/{projectid}", control_any, methods=["POST"]),
    Route("/subtask/{projectid}", control_put, methods=["PUT"]),
    Route("/subtask/{projectid}/{taskuuid}", list_subtasks, methods=["GET"]),
    Route("/subtask/{projectid}/{taskuuid}/{subtaskuuid}", get_subtask, methods=["GET"]),
]
