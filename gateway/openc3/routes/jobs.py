"""OpenC3 `jobs` document: list, count, show, create, update and delete jobs.

A job's `data` is its array of step hashes (`steps.parse_steps`); the master assigns each step a
uuid, which `GET` returns and an update may post back to keep it (a create, which is also how
the pages copy a job, gives every step a new one). A detail as `GET` answers it can be posted
back unchanged (OpenC3's edit page and c3mc-job-load do): its other keys are ignored.
"""

from __future__ import annotations

from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.callers import CALLER
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters, refusals, steps
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2, common_pb2

MAX_NAME = 255

SCALAR: schemas.Schema = {"type": ["string", "number", "boolean", "null"]}
JOB_BODY = schemas.obj(
    {
        "name": schemas.text(MAX_NAME, required=True),
        "permanent": schemas.flag(
            description="true (also 1 or `permanent`, as OpenC3's clients send it): permanent; "
            "absent, false, 0 or `transient`: transient"
        ),
        "data": steps.STEPS_SCHEMA,
        "uuids": schemas.text(
            steps.MAX_UUIDS,
            description="`cmd_<uuid>,scp_<uuid>` as a detail answers it: a step without "
            "`plugin_type` takes the type at its position",
        ),
        "mon_ids": dict(SCALAR, description="OpenC3's monitoring: accepted, not kept"),
        "mon_status": dict(SCALAR, description="OpenC3's monitoring: accepted, not kept"),
    },
    ["name", "data"],
)
JOB_EXAMPLE = {
    "name": "deploy",
    "permanent": True,
    "data": [
        {
            "plugin_type": "scp",
            "name": "ship the release",
            "src_type": "fileserver",
            "sp": "app.tar.gz",
            "dst_type": "group",
            "dst": "web",
            "dp": "/opt/app/app.tar.gz",
            "chmod": "644",
        },
        {
            "plugin_type": "cmd",
            "name": "restart",
            "node_type": "group",
            "node_cont": "web",
            "user": "deploy",
            "scripts_type": "shell",
            "scripts_cont": "cd /opt/app && tar xzf app.tar.gz && ./restart ${version}",
            "timeout": 300,
            "pause": "check the first node before the others",
        },
    ],
}
ROWS: schemas.Schema = {"type": "array", "items": {"type": "object"}}
JOB: schemas.Schema = {"type": "object", "required": ["uuid", "data"]}
NO_JOB: schemas.Schema = {"type": "object", "maxProperties": 0}
JOB_OR_NONE: schemas.Schema = {"anyOf": [JOB, NO_JOB]}
COUNT: schemas.Schema = {
    "type": "object",
    "properties": {"permanent": {"type": "integer", "minimum": 0}},
    "required": ["permanent"],
}
REMOVED: schemas.Schema = {"const": 1}
UNMODELLED = ("mon_ids", "mon_status")
"""OpenC3's monitoring keys: accepted when plain values, not kept."""


def create_job_request(project_id: int, fields: Fields, actor: str) -> catalog_pb2.CreateJobRequest:
    """name, permanent, data (+ uuids) -> CreateJobRequest; the monitoring keys OpenC3's pages
    send (`mon_ids`, `mon_status`) are checked to be plain values and dropped."""
    for key in UNMODELLED:
        scalar(fields, key)
    return catalog_pb2.CreateJobRequest(
        project_id=project_id,
        name=forms.text(fields, "name", required=True, max_len=MAX_NAME),
        permanent=permanent(fields),
        steps=steps.parse_steps(fields),
        actor=actor,
    )


def scalar(fields: Fields, key: str) -> None:
    """A key accepted and dropped: a string, a number, a boolean or null."""
    if not isinstance(fields.get(key), str | int | float | bool | None):
        raise FieldError(key, "must be a string, a number or a boolean")


def permanent(fields: Fields) -> bool:
    """OpenC3 pages send `"permanent"`, c3mc-job-load `1`; a detail says `"transient"`."""
    if str(fields.get("permanent", "")).strip().lower() == "transient":
        return False
    return forms.flag(fields, "permanent")


def update_job_request(
    project_id: int, uuid: str, fields: Fields, actor: str
) -> catalog_pb2.UpdateJobRequest:
    """The same fields as a create, for the job `uuid`."""
    created = create_job_request(project_id, fields, actor)
    return catalog_pb2.UpdateJobRequest(
        project_id=project_id,
        uuid=uuid,
        name=created.name,
        permanent=created.permanent,
        steps=created.steps,
        actor=actor,
    )


def job_uuid(request: Request[GatewayState]) -> str:
    return forms.path_token(request, "jobuuid")


BY_NAME = "byname"
"""`GET /jobs/{projectid}/byname?name=`: OpenC3's way to read a job by its name (c3mc-job-dump
and the flow scripts); a job's uuid is never this word."""


def get_job_request(request: Request[GatewayState]) -> catalog_pb2.GetJobRequest:
    project_id = forms.path_id(request, "projectid")
    uuid = job_uuid(request)
    if uuid != BY_NAME:
        return catalog_pb2.GetJobRequest(project_id=project_id, uuid=uuid)
    name = forms.text(request.query_params, "name", required=True, max_len=MAX_NAME)
    return catalog_pb2.GetJobRequest(project_id=project_id, name=name)


@describe(query=filters.query(), data=ROWS)
async def list_jobs(request: Request[GatewayState]) -> Response:
    """GET /jobs/{projectid}: job rows, filtered by the query."""
    ask = catalog_pb2.ListJobsRequest(
        project_id=forms.path_id(request, "projectid"),
        filter=filters.list_filter(request.query_params),
    )
    master = request.state["master"]
    reply = await master.catalog.ListJobs(ask, timeout=master.timeout)
    return envelope.ok([views.job_row(j) for j in reply.jobs], total=reply.total)


@describe(query=filters.query(), data=COUNT)
async def count_jobs(request: Request[GatewayState]) -> Response:
    """GET /jobs/{projectid}/count: `{permanent}`, how many permanent jobs the same filters
    list (what OpenC3's dashboard reads)."""
    ask = catalog_pb2.ListJobsRequest(
        project_id=forms.path_id(request, "projectid"),
        filter=filters.count_filter(request.query_params),
        permanent_only=True,
    )
    master = request.state["master"]
    reply = await master.catalog.ListJobs(ask, timeout=master.timeout)
    return envelope.ok({"permanent": reply.total})


@describe(data=JOB)
async def get_job(request: Request[GatewayState]) -> Response:
    """GET /jobs/{projectid}/{jobuuid}: the job row, `uuids` and its steps as `data`."""
    ask = catalog_pb2.GetJobRequest(
        project_id=forms.path_id(request, "projectid"), uuid=job_uuid(request)
    )
    master = request.state["master"]
    job = (await master.catalog.GetJob(ask, timeout=master.timeout)).job
    return envelope.ok(views.job_detail(job))


@describe(body=JOB_BODY, example=JOB_EXAMPLE, data=JOB)
async def create_job(request: Request[GatewayState]) -> Response:
    """POST /jobs/{projectid}: a new job; its uuid is also answered next to `data`."""
    ask = create_job_request(
        forms.path_id(request, "projectid"),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    job = (await master.catalog.CreateJob(ask, timeout=master.timeout)).job
    return envelope.ok(views.job_detail(job), uuid=job.uuid)


@describe(body=JOB_BODY, example=JOB_EXAMPLE, data=JOB)
async def update_job(request: Request[GatewayState]) -> Response:
    """POST /jobs/{projectid}/{jobuuid}: replace the job's name, kind and steps."""
    ask = update_job_request(
        forms.path_id(request, "projectid"),
        job_uuid(request),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    job = (await master.catalog.UpdateJob(ask, timeout=master.timeout)).job
    return envelope.ok(views.job_detail(job), uuid=job.uuid)


@describe(data=REMOVED)
async def delete_job(request: Request[GatewayState]) -> Response:
    """DELETE /jobs/{projectid}/{jobuuid}: `data` is 1, the rows removed, as OpenC3 answers."""
    ask = catalog_pb2.DeleteJobRequest(
        project_id=forms.path_id(request, "projectid"), uuid=job_uuid(request)
    )
    master = request.state["master"]
    await master.catalog.DeleteJob(ask, timeout=master.timeout)
    return envelope.ok(1)


# --- by name: OpenC3's flow pages (`quickentry/flowline`, `kubernetesmanage`) and its
# `c3mc-job-dump` script know a flow's job by its name, `_ci_<flow id>_`.

NAME_QUERY = {"name": schemas.text(MAX_NAME, required=True, description="the job's name")}
OTHER_PROJECT = schemas.integer(
    0, forms.INT64_MAX, description="default: the path's project; another takes the admin token"
)
COPY_BODY = schemas.obj(
    {
        "fromname": schemas.text(MAX_NAME, required=True, description="the job to copy"),
        "toname": schemas.text(MAX_NAME, required=True, description="the copy's name"),
        "fromprojectid": OTHER_PROJECT,
        "toprojectid": OTHER_PROJECT,
    },
    ["fromname", "toname"],
)
COPY_EXAMPLE = {"fromname": "j1", "toname": "j1 copy"}
BY_NAME = "/jobs/{projectid}/copy/byname"


def job_name(request: Request[GatewayState]) -> str:
    return forms.text(request.query_params, "name", required=True, max_len=MAX_NAME)


async def job_named(
    request: Request[GatewayState], project_id: int, name: str
) -> catalog_pb2.Job | None:
    """The project's job of that name, or None (another project's is none alike)."""
    master = request.state["master"]
    ask = catalog_pb2.GetJobRequest(project_id=project_id, name=name)
    try:
        job: catalog_pb2.Job = (await master.catalog.GetJob(ask, timeout=master.timeout)).job
    except grpc.aio.AioRpcError as exc:
        if refusals.names_missing(exc, "name"):
            return None
        raise
    return job


@describe(query=NAME_QUERY, required_query=["name"], data=JOB_OR_NONE)
async def get_job_by_name(request: Request[GatewayState]) -> Response:
    """GET /jobs/{projectid}/byname: the job of that name as GET /jobs/{projectid}/{jobuuid}
    answers it; `data` is `{}` when the project has none (as OpenC3 answers: its flow pages
    read a flow without a job as one without steps)."""
    job = await job_named(request, forms.path_id(request, "projectid"), job_name(request))
    return envelope.ok({} if job is None else views.job_detail(job))


@describe(data={"enum": [0, 1]})
async def delete_job_by_name(request: Request[GatewayState]) -> Response:
    """DELETE /jobs/{projectid}/{name}/byname: `data` is 1, or 0 when the project has no job of
    that name (the flow pages delete a flow's job whether it has one or not)."""
    project_id = forms.path_id(request, "projectid")
    name = forms.text(request.path_params, "name", required=True, max_len=MAX_NAME)
    job = await job_named(request, project_id, name)
    if job is None:
        return envelope.ok(0)
    master = request.state["master"]
    ask = catalog_pb2.DeleteJobRequest(project_id=project_id, uuid=job.uuid)
    try:
        await master.catalog.DeleteJob(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:  # deleted meanwhile
        if refusals.names_missing(exc, "uuid"):
            return envelope.ok(0)
        raise
    return envelope.ok(1)


def project_named(fields: Fields, name: str, path_project: int) -> int:
    """`fromprojectid` / `toprojectid`: the path's project when absent. Another project is the
    admin's alone: a project's token reads and writes its own project only (the master checks
    each call again; this names the field, and keeps project 0 from reading as "any")."""
    asked = forms.integer(fields, name, default=path_project, low=0, high=forms.INT64_MAX)
    caller = CALLER.get()
    if asked != path_project and (caller is None or not caller.admin):
        raise FieldError(name, f"this token is for project {path_project}, not {asked}", 403)
    return asked


def fresh_steps(job: catalog_pb2.Job) -> list[Any]:
    """The job's steps without their uuids: the copy's steps get their own."""
    copies = []
    for step in job.steps:
        copy = common_pb2.Step()
        copy.CopyFrom(step)
        copy.uuid = ""
        copies.append(copy)
    return copies


@describe(body=COPY_BODY, example=COPY_EXAMPLE, data=JOB_OR_NONE)
async def copy_job_by_name(request: Request[GatewayState]) -> Response:
    """POST /jobs/{projectid}/copy/byname: a copy of the job `fromname` (of `fromprojectid`)
    named `toname` (in `toprojectid`): its steps, variables and monitor settings. The copy's
    uuid is also answered next to `data`. With no job `fromname` there, `data` is `{}` and
    nothing is made (as OpenC3 answers: its flow pages copy a flow's job, if any, then go on).

    Reading the source takes a token of its project, writing the copy one of the target's (the
    admin's token for a copy between projects; OpenC3 checked only the path's project). A copy
    whose variables cannot be saved is deleted again: nothing is left half made."""
    path_project = forms.path_id(request, "projectid")
    fields = await forms.read_fields(request)
    source = forms.text(fields, "fromname", required=True, max_len=MAX_NAME)
    target = forms.text(fields, "toname", required=True, max_len=MAX_NAME)
    from_project = project_named(fields, "fromprojectid", path_project)
    to_project = project_named(fields, "toprojectid", path_project)
    master = request.state["master"]
    from_keys = {"name": "fromname", "project_id": "fromprojectid"}
    with refusals.renamed(BY_NAME, **from_keys):
        job = await job_named(request, from_project, source)
        if job is None:
            return envelope.ok({}, info=f"no job {source!r} in project {from_project}: no copy")
        listed = catalog_pb2.ListVariablesRequest(project_id=from_project, job_uuid=job.uuid)
        variables = (await master.catalog.ListVariables(listed, timeout=master.timeout)).variables
    create = catalog_pb2.CreateJobRequest(
        project_id=to_project,
        name=target,
        permanent=job.permanent,
        steps=fresh_steps(job),
        actor=forms.submitter(request),
    )
    with refusals.renamed(BY_NAME, name="toname", project_id="toprojectid"):
        copy = (await master.catalog.CreateJob(create, timeout=master.timeout)).job
    try:
        copy = await finish_copy(request, job, copy, list(variables))
    except Exception:
        ask_delete = catalog_pb2.DeleteJobRequest(project_id=to_project, uuid=copy.uuid)
        await master.catalog.DeleteJob(ask_delete, timeout=master.timeout)
        raise
    return envelope.ok(views.job_detail(copy), uuid=copy.uuid)


async def finish_copy(
    request: Request[GatewayState],
    job: catalog_pb2.Job,
    copy: catalog_pb2.Job,
    variables: list[catalog_pb2.Variable],
) -> catalog_pb2.Job:
    """The source's variables and monitor settings, given to the copy."""
    master = request.state["master"]
    project_id = copy.project_id
    if variables:
        items = [
            catalog_pb2.Variable(name=v.name, value=v.value, describe=v.describe) for v in variables
        ]
        save = catalog_pb2.SaveVariablesRequest(
            project_id=project_id, job_uuid=copy.uuid, variables=items
        )
        await master.catalog.SaveVariables(save, timeout=master.timeout)
    if job.mon_ids or job.mon_status:
        monitor = catalog_pb2.SetJobMonitorRequest(
            project_id=project_id,
            uuid=copy.uuid,
            mon_ids=job.mon_ids,
            mon_status=job.mon_status,
            actor=forms.submitter(request),
        )
        copy = (await master.catalog.SetJobMonitor(monitor, timeout=master.timeout)).job
    return copy


# /count and /byname come before /{jobuuid}, which would take them for uuids.
routes: list[BaseRoute] = [
    Route("/jobs/{projectid}", list_jobs, methods=["GET"]),
    Route("/jobs/{projectid}", create_job, methods=["POST"]),
    Route("/jobs/{projectid}/count", count_jobs, methods=["GET"]),
    Route("/jobs/{projectid}/byname", get_job_by_name, methods=["GET"]),
    Route("/jobs/{projectid}/{jobuuid}", get_job, methods=["GET"]),
    Route("/jobs/{projectid}/{jobuuid}", update_job, methods=["POST"]),
    Route("/jobs/{projectid}/{jobuuid}", delete_job, methods=["DELETE"]),
    Route("/jobs/{projectid}/{name}/byname", delete_job_by_name, methods=["DELETE"]),
    Route(BY_NAME, copy_job_by_name, methods=["POST"]),
]
