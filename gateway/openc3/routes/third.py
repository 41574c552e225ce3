"""OpenC3 `third` document: what third-party systems (flows, approvals) call.

The project is a body field here (`project_id`), and a job is named by `params.jobname` with
its variables in `params.variable`. `uuid` is the caller's own task uuid: `invoke` is idempotent
on it, `query` and `stop` find the task by it in any project.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3.views import catalog as catalog_views
from gateway.openc3.views import steps as step_views
from gateway.openc3.views import tasks
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2, task_pb2

PROJECT = schemas.identifier(description="the project")
UUID = schemas.token(description="the task's uuid")
PARAMS = schemas.obj(
    {
        "jobname": schemas.text(255, required=True),
        "variable": schemas.string_map(description="variable name -> value"),
    },
    ["jobname"],
)
DRY_RUN_BODY = schemas.obj(
    {"project_id": PROJECT, "uuid": UUID, "params": PARAMS}, ["project_id", "params"]
)
INVOKE_BODY = schemas.obj(
    {"project_id": PROJECT, "uuid": UUID, "params": PARAMS}, ["project_id", "uuid", "params"]
)
INVOKE_EXAMPLE = {
    "project_id": 1,
    "uuid": "T20261126a1",
    "params": {"jobname": "deploy", "variable": {"version": "1.2.3"}},
}


def job_request(
    fields: Fields, submitter: str, *, uuid_required: bool
) -> task_pb2.SubmitJobRequest:
    """project_id, uuid, params: {jobname, variable} -> the job to run (or dry-run)."""
    project_id = forms.identifier(fields, "project_id")
    task_uuid = forms.token(fields, "uuid", required=uuid_required)
    params = forms.mapping(fields, "params", required=True)
    with forms.within("params"):
        job_name = forms.text(params, "jobname", required=True, max_len=255)
        variables = forms.string_map(params, "variable")
    return task_pb2.SubmitJobRequest(
        project_id=project_id,
        job_name=job_name,
        variables=variables,
        task_uuid=task_uuid,
        submitter=submitter,
        call_type="api",
    )


@describe(
    body=schemas.obj({"project_id": PROJECT}, ["project_id"]),
    example={"project_id": 1},
    data={"type": "array"},
)
async def job_names(request: Request[GatewayState]) -> Response:
    """POST /third/option/jobname: the names of the project's jobs."""
    fields = await forms.read_fields(request)
    ask = catalog_pb2.ListJobsRequest(project_id=forms.identifier(fields, "project_id"))
    master = request.state["master"]
    reply = await master.catalog.ListJobs(ask, timeout=master.timeout)
    return envelope.ok([job.name for job in reply.jobs])


@describe(
    body=schemas.obj(
        {"project_id": PROJECT, "jobname": schemas.text(255, required=True)},
        ["project_id", "jobname"],
    ),
    example={"project_id": 1, "jobname": "deploy"},
    data={"type": "array"},
)
async def job_variables(request: Request[GatewayState]) -> Response:
    """POST /third/option/variable: the variables without a value a caller must supply."""
    fields = await forms.read_fields(request)
    ask = catalog_pb2.ListVariablesRequest(
        project_id=forms.identifier(fields, "project_id"),
        job_name=forms.text(fields, "jobname", required=True, max_len=255),
        empty_only=True,
    )
    master = request.state["master"]
    reply = await master.catalog.ListVariables(ask, timeout=master.timeout)
    return envelope.ok([catalog_views.variable_prompt(v) for v in reply.variables])


@describe(body=DRY_RUN_BODY, example=INVOKE_EXAMPLE, data={})
async def dry_run(request: Request[GatewayState]) -> Response:
    """POST /third/interface/dry-run: the steps that would run, on which nodes, with which
    variables; nothing runs."""
    job = job_request(
        await forms.read_fields(request), forms.submitter(request), uuid_required=False
    )
    master = request.state["master"]
    reply = await master.task.DryRun(task_pb2.DryRunRequest(job=job), timeout=master.timeout)
    steps = [step_views.planned_step(p) for p in reply.steps]
    return envelope.ok({"steps": steps, "variable": dict(sorted(reply.variables.items()))})


@describe(body=INVOKE_BODY, example=INVOKE_EXAMPLE, data={})
async def invoke(request: Request[GatewayState]) -> Response:
    """POST /third/interface/invoke: run the job as task `uuid` (again: the same task)."""
    ask = job_request(
        await forms.read_fields(request), forms.submitter(request), uuid_required=True
    )
    master = request.state["master"]
    task = (await master.task.SubmitJob(ask, timeout=master.timeout)).task
    return envelope.ok(tasks.task_status(task), uuid=task.uuid)


@describe(body=schemas.obj({"uuid": UUID}, ["uuid"]), example={"uuid": "T20261126a1"}, data={})
async def query(request: Request[GatewayState]) -> Response:
    """POST /third/interface/query: the task `uuid` in detail (nodes and subtasks)."""
    fields = await forms.read_fields(request)
    ask = task_pb2.GetTaskRequest(uuid=forms.token(fields, "uuid", required=True))
    master = request.state["master"]
    task = (await master.task.GetTask(ask, timeout=master.timeout)).task
    return envelope.ok(tasks.task_detail(task, time.time()))


@describe(body=schemas.obj({"uuid": UUID}, ["uuid"]), example={"uuid": "T20261126a1"}, data={})
async def stop(request: Request[GatewayState]) -> Response:
    """POST /third/interface/stop: kill task `uuid`; `data` is its status after the kill."""
    fields = await forms.read_fields(request)
    ask = task_pb2.KillTaskRequest(
        uuid=forms.token(fields, "uuid", required=True),
        reason=f"stopped by {forms.submitter(request)}",
    )
    master = request.state["master"]
    task = (await master.task.KillTask(ask, timeout=master.timeout)).task
    return envelope.ok(tasks.task_status(task))


routes: list[BaseRoute] = [
    Route("/third/option/jobname", job_names, methods=["POST"]),
    Route("/third/option/variable", job_variables, methods=["POST"]),
    Route("/third/interface/dry-run", dry_run, methods=["POST"]),
    Route("/third/interface/invoke", invoke, methods=["POST"]),
    Route("/third/interface/query", query, methods=["POST"]),
    Route("/third/interface/stop", stop, methods=["POST"]),
]
