"""OpenC3 `jobs` document: list, count, show, create, update and delete jobs.

A job's `data` is its array of step hashes (`steps.parse_steps`); the master assigns each step a
uuid, which `GET` returns and a client may post back to keep it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters, steps
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2

MAX_NAME = 255

JOB_BODY = schemas.obj(
    {
        "name": schemas.text(MAX_NAME, required=True),
        "permanent": schemas.flag(description="true: permanent; false or absent: transient"),
        "data": steps.STEPS_SCHEMA,
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
COUNT: schemas.Schema = {
    "type": "object",
    "properties": {"permanent": {"type": "integer", "minimum": 0}},
    "required": ["permanent"],
}
REMOVED: schemas.Schema = {"const": 1}


def create_job_request(project_id: int, fields: Fields, actor: str) -> catalog_pb2.CreateJobRequest:
    """name, permanent (present and truthy = permanent), data -> CreateJobRequest."""
    return catalog_pb2.CreateJobRequest(
        project_id=project_id,
        name=forms.text(fields, "name", required=True, max_len=MAX_NAME),
        permanent=forms.flag(fields, "permanent"),
        steps=steps.parse_steps(fields),
        actor=actor,
    )


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
    """GET /jobs/{projectid}/{jobuuid}: the job row and its steps as `data`."""
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


# /count comes before /{jobuuid}, which would take it for a uuid.
routes: list[BaseRoute] = [
    Route("/jobs/{projectid}", list_jobs, methods=["GET"]),
    Route("/jobs/{projectid}", create_job, methods=["POST"]),
    Route("/jobs/{projectid}/count", count_jobs, methods=["GET"]),
    Route("/jobs/{projectid}/{jobuuid}", get_job, methods=["GET"]),
    Route("/jobs/{projectid}/{jobuuid}", update_job, methods=["POST"]),
    Route("/jobs/{projectid}/{jobuuid}", delete_job, methods=["DELETE"]),
]
