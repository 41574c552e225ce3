"""OpenC3 `jobs` document: list, count, show, create, update and delete jobs.

A job's `data` is its array of step hashes (`steps.parse_steps`); the master assigns each step a
uuid, which `GET` returns and an update may post back to keep it (a create, which is also how
the pages copy a job, gives every step a new one). A detail as `GET` answers it can be posted
back unchanged (OpenC3's edit page and c3mc-job-load do): its other keys are ignored.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters, steps
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2

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
COUNT: schemas.Schema = {"type": "integer", "minimum": 0}
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
    """GET /jobs/{projectid}/count: how many jobs the same filters list."""
    ask = catalog_pb2.ListJobsRequest(
        project_id=forms.path_id(request, "projectid"),
        filter=filters.count_filter(request.query_params),
    )
    master = request.state["master"]
    return envelope.ok((await master.catalog.ListJobs(ask, timeout=master.timeout)).total)


@describe(query={"name": schemas.text(MAX_NAME, description="with `byname` as the uuid")}, data=JOB)
async def get_job(request: Request[GatewayState]) -> Response:
    """GET /jobs/{projectid}/{jobuuid}: the job row, `uuids` and its steps as `data`.

    `/jobs/{projectid}/byname?name=<name>` reads the job of that name."""
    ask = get_job_request(request)
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


# /count comes before /{jobuuid}, which would take it for a uuid.
routes: list[BaseRoute] = [
    Route("/jobs/{projectid}", list_jobs, methods=["GET"]),
    Route("/jobs/{projectid}", create_job, methods=["POST"]),
    Route("/jobs/{projectid}/count", count_jobs, methods=["GET"]),
    Route("/jobs/{projectid}/{jobuuid}", get_job, methods=["GET"]),
    Route("/jobs/{projectid}/{jobuuid}", update_job, methods=["POST"]),
    Route("/jobs/{projectid}/{jobuuid}", delete_job, methods=["DELETE"]),
]
