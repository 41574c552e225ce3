"""OpenC3 `task` document: submit an ad-hoc command, an ad-hoc copy or a job, redo a task, list,
count and show tasks (its `analysis` routes: analysis.py).

Each handler reads and checks the request (so bad input never reaches the master), makes one
call on the master and builds the answer with `views.tasks`.
"""

from __future__ import annotations

import time

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas, watch
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import steps, words
from gateway.openc3.views import tasks
from gateway.upstream import GatewayState
from gateway.words import values_of
from jobfleet.v1 import common_pb2, task_pb2

NODE_TYPES = ("builtin",)
INT32_MAX = 2**31 - 1


VARIABLES = schemas.string_map(description="variable name -> value, overriding the job's")
COMMAND_BODY = {
    **schemas.obj(
        {
            "name": schemas.text(255, required=True),
            "node_type": schemas.choice(NODE_TYPES),
            "node_cont": schemas.name_list(description="the nodes to run on"),
            "user": schemas.text(),
            **steps.SCRIPT_FIELDS,
            "scripts_argv": schemas.argv(),
            "timeout": steps.TIMEOUT_SCHEMA,
            "variable": VARIABLES,
        },
        ["name", "node_cont", "scripts_cont"],
    ),
    **steps.SCRIPT_RULE,
}
COPY_BODY = {
    **schemas.obj(
        {"name": schemas.text(255, required=True), **steps.SCP_FIELDS, "variable": VARIABLES},
        ["name", "sp", "dp"],
    ),
    **steps.SCP_SOURCE_RULE,
}
JOB_BODY = schemas.obj({"jobuuid": schemas.token(), "variable": VARIABLES}, ["jobuuid"])
JOB_BY_NAME_BODY = schemas.obj(
    {
        "jobname": schemas.text(255, required=True),
        "variable": VARIABLES,
        "uuid": schemas.token(description="the task's uuid: the same uuid twice is one task"),
    },
    ["jobname"],
)
TASK_QUERY = {
    "name": schemas.text(description="contains"),
    "user": schemas.text(description="the submitter"),
    "status": schemas.choice(words.TASK_STATUS_WORDS),
    "time_start": schemas.time_bound(),
    "time_end": schemas.time_bound(description="inclusive: that whole day"),
    "taskuuid": schemas.text(),
    "limit": schemas.integer(1, 1000),
    "offset": schemas.integer(0, INT32_MAX),
}
SUBMITTED = {"type": "object", "properties": {"status": {"type": "string"}}}
QUICK_SUBMITTED = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string"},
        "status": {"type": "string"},
        "slave": {"type": "string", "description": "for the log socket's URL"},
        "loguuid": {"type": "string", "description": "task uuid + step uuid + cmd|scp"},
    },
}
COUNTED = ("success", "fail", "running", "waiting", "init")
"""The words `/count` always answers (0 when none): those the dashboard reads, and the rest."""
COUNTS = {
    "type": "object",
    "properties": {w: {"type": "integer", "minimum": 0} for w in COUNTED},
    "required": list(COUNTED),
}


def submit_command_request(
    project_id: int, fields: Fields, submitter: str
) -> task_pb2.SubmitCommandRequest:
    """plugin_cmd fields -> SubmitCommandRequest; each bad field raises naming it."""
    forms.choice(fields, "node_type", NODE_TYPES, "builtin")
    return task_pb2.SubmitCommandRequest(
        project_id=project_id,
        name=forms.text(fields, "name", required=True, max_len=255),
        submitter=submitter,
        user=forms.text(fields, "user"),
        nodes=forms.name_list(fields, "node_cont"),
        **steps.script_fields(fields),
        args=forms.argv(fields, "scripts_argv"),
        timeout_seconds=steps.timeout(fields),
        variables=forms.string_map(fields, "variable"),
        call_type="api",
    )


def submit_copy_request(
    project_id: int, fields: Fields, submitter: str
) -> task_pb2.SubmitCopyRequest:
    """plugin_scp fields -> SubmitCopyRequest: the keys and checks of a job's scp step."""
    return task_pb2.SubmitCopyRequest(
        project_id=project_id,
        name=forms.text(fields, "name", required=True, max_len=255),
        submitter=submitter,
        scp=steps.scp_step(fields),
        variables=forms.string_map(fields, "variable"),
        call_type="api",
    )


def submit_job_request(
    project_id: int, fields: Fields, submitter: str
) -> task_pb2.SubmitJobRequest:
    """/task/{projectid}/job: the job by `jobuuid`, with `variable` overriding its variables."""
    return task_pb2.SubmitJobRequest(
        project_id=project_id,
        job_uuid=forms.token(fields, "jobuuid", required=True),
        variables=forms.string_map(fields, "variable"),
        submitter=submitter,
        call_type="api",
    )


def submit_job_by_name_request(
    project_id: int, fields: Fields, submitter: str
) -> task_pb2.SubmitJobRequest:
    """/task/{projectid}/job/byname: the job by `jobname`; `uuid`, when given, is the task's
    uuid, and submitting it again answers the same task."""
    return task_pb2.SubmitJobRequest(
        project_id=project_id,
        job_name=forms.text(fields, "jobname", required=True, max_len=255),
        variables=forms.string_map(fields, "variable"),
        task_uuid=forms.token(fields, "uuid"),
        submitter=submitter,
        call_type="api",
    )


def list_tasks_request(project_id: int, query: Fields) -> task_pb2.ListTasksRequest | None:
    """Task list filters -> ListTasksRequest; `status` is an OpenC3 status word, which may name
    several statuses (`waiting`: paused or awaiting a decision; `fail`: failed or killed). None
    when the word names no status jobfleet has (`refuse`): no task can match."""
    status = forms.text(query, "status")
    statuses = (
        values_of(words.TASK_STATUS, status, "status", words.TASK_STATUS_WORDS) if status else []
    )
    ask = task_pb2.ListTasksRequest(
        project_id=project_id,
        name_contains=forms.text(query, "name"),
        submitter=forms.text(query, "user"),
        statuses=statuses,
        started_after_unix=forms.time_bound(query, "time_start"),
        started_before_unix=forms.time_bound(query, "time_end", end=True),
        uuid=forms.text(query, "taskuuid"),
        limit=forms.integer(query, "limit", default=0, low=1, high=1000),
        offset=forms.integer(query, "offset", default=0, low=0, high=INT32_MAX),
    )
    return None if status and not statuses else ask


def project_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


def submitted(task: common_pb2.Task) -> Response:
    """A new (or redone) task: its uuid next to `data` too, as OpenC3 answers."""
    return envelope.ok(tasks.task_status(task), uuid=task.uuid)


def quick_submitted(task: common_pb2.Task) -> Response:
    """A new quick task: `data` also says where its one step's log is (`slave`, `loguuid`)."""
    return envelope.ok(tasks.quick_task_status(task), uuid=task.uuid)


@describe(
    body=COMMAND_BODY,
    example={
        "name": "disk usage",
        "node_type": "builtin",
        "node_cont": "web1,web2",
        "scripts_type": "shell",
        "scripts_cont": "df -h ${mount}",
        "timeout": 60,
        "variable": {"mount": "/"},
    },
    data=QUICK_SUBMITTED,
)
async def submit_command(request: Request[GatewayState]) -> Response:
    """POST /task/{projectid}/plugin_cmd: run a script on a list of nodes."""
    ask = submit_command_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    return quick_submitted((await master.task.SubmitCommand(ask, timeout=master.timeout)).task)


@describe(
    body=COPY_BODY,
    example={
        "name": "ship config",
        "src_type": "fileserver",
        "sp": "app.conf",
        "dst_type": "builtin",
        "dst": "web1,web2",
        "dp": "/etc/app/app.conf",
        "chown": "root:root",
        "chmod": "644",
    },
    data=QUICK_SUBMITTED,
)
async def submit_copy(request: Request[GatewayState]) -> Response:
    """POST /task/{projectid}/plugin_scp: copy files between nodes, or from the file server."""
    ask = submit_copy_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    return quick_submitted((await master.task.SubmitCopy(ask, timeout=master.timeout)).task)


@describe(
    body=JOB_BODY,
    example={"jobuuid": "J1a2b3c4d5e6", "variable": {"version": "1.2.3"}},
    data=SUBMITTED,
)
async def submit_job(request: Request[GatewayState]) -> Response:
    """POST /task/{projectid}/job: run a job of the catalogue."""
    ask = submit_job_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    return submitted((await master.task.SubmitJob(ask, timeout=master.timeout)).task)


@describe(
    body=JOB_BY_NAME_BODY,
    example={"jobname": "deploy", "variable": {"version": "1.2.3"}, "uuid": "T20261126a1"},
    data=SUBMITTED,
)
async def submit_job_by_name(request: Request[GatewayState]) -> Response:
    """POST /task/{projectid}/job/byname: run a job by name, idempotent on `uuid`."""
    ask = submit_job_by_name_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    return submitted((await master.task.SubmitJob(ask, timeout=master.timeout)).task)


@describe(
    body=schemas.obj({"taskuuid": schemas.token()}, ["taskuuid"]),
    example={"taskuuid": "T20261126a1"},
    data=SUBMITTED,
)
async def redo_task(request: Request[GatewayState]) -> Response:
    """POST /task/{projectid}/redo: run task `taskuuid` again, as a new task."""
    fields = await forms.read_fields(request)
    ask = task_pb2.RedoTaskRequest(
        project_id=project_id(request),
        uuid=forms.token(fields, "taskuuid", required=True),
        submitter=forms.submitter(request),
    )
    master = request.state["master"]
    return submitted((await master.task.RedoTask(ask, timeout=master.timeout)).task)


@describe(data=COUNTS)
async def count_tasks(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/count: tasks started this month (UTC) by status word, as the
    dashboard reads them (a killed task counts as `fail`, a paused one as `waiting`)."""
    ask = task_pb2.CountTasksRequest(project_id=project_id(request))
    master = request.state["master"]
    reply = await master.task.CountTasks(ask, timeout=master.timeout)
    return envelope.ok(tasks.status_counts(reply.statuses, COUNTED))


@describe(query=TASK_QUERY, data={"type": "array", "items": {"type": "object"}})
async def list_tasks(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}: task rows, newest first, filtered by the query."""
    ask = list_tasks_request(project_id(request), request.query_params)
    if ask is None:
        return envelope.ok([], total=0)
    master = request.state["master"]
    reply = await master.task.ListTasks(ask, timeout=master.timeout)
    now = time.time()
    return envelope.ok([tasks.task_row(t, now) for t in reply.tasks], total=reply.total)


@describe(query=watch.QUERY, data={"type": "object", "required": ["status"]})
async def get_task(request: Request[GatewayState]) -> Response:
    """GET /task/{projectid}/{uuid}: one task with its per-node rows; unknown -> `norun`.

    A long poll: `?wait=30&etag=E` (E: the `etag` of an earlier answer, also its ETag header)
    answers at once when the task is no longer as E, else as soon as it changes, else after
    `wait` seconds with the task unchanged (the same etag)."""
    ask = task_pb2.GetTaskRequest(
        project_id=project_id(request), uuid=forms.path_token(request, "uuid")
    )
    ask = watch.asked(request.query_params, ask)
    master, reads = request.state["master"], request.state["task_reads"]
    try:
        read = await reads.get(master.task, ask, master.timeout + ask.wait_seconds)
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return envelope.ok({"status": "norun"})  # what OpenC3 clients poll for
    reply, now = read.reply, time.time()

    def render() -> bytes:
        detail = tasks.task_detail(reply.task, now) | {"etag": reply.etag}
        return bytes(envelope.ok(detail).body)

    body = read.rendered("openc3", int(now), render)
    return watch.tagged(Response(body, media_type="application/json"), reply.etag)


# The fixed paths come before /task/{projectid}/{uuid}, which would take `count` for a uuid.
routes: list[BaseRoute] = [
    Route("/task/{projectid}", list_tasks, methods=["GET"]),
    Route("/task/{projectid}/count", count_tasks, methods=["GET"]),
    Route("/task/{projectid}/plugin_cmd", submit_command, methods=["POST"]),
    Route("/task/{projectid}/plugin_scp", submit_copy, methods=["POST"]),
    Route("/task/{projectid}/job", submit_job, methods=["POST"]),
    Route("/task/{projectid}/job/byname", submit_job_by_name, methods=["POST"]),
    Route("/task/{projectid}/redo", redo_task, methods=["POST"]),
    Route("/task/{projectid}/{uuid}", get_task, methods=["GET"]),
]
