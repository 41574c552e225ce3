"""`/api/job/job/`: runs (job-task-api.txt). A run is a task: listed, launched, shown, deleted;
its record is history (PUT and PATCH change nothing, history.py).

The project is the token's own (an admin token: every project, or the one `project` names).
Each handler checks the request first (nothing bad reaches the master), makes its calls and
answers rows built by `views.job` with the names `related` looks up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway import forms, schemas, watch
from gateway.callers import CALLER
from gateway.errors import FieldError, rpc_failure
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.opsgrat import history, launch, logforms, names, paging, words
from gateway.opsgrat.related import related
from gateway.opsgrat.views import job as views
from gateway.upstream import GatewayState, MasterClient
from gateway.words import values_of
from jobfleet.v1 import catalog_pb2, common_pb2, crontab_pb2, task_pb2

ORDERABLE = {
    "id": "id",
    "ctime": "created_at",
    "start_time": "started_at",
    "finish_time": "finished_at",
    "state": "status",
    "template": "job_id",
    "template_name": "name",
    "playbook": "name",
    "inventory": "nodegroup_id",
    "credential": "account_id",
    "schedule": "crontab_id",
    "forks": "forks",
    "user": "submitter",
    "cuser": "submitter",
}
"""OpsGrat's `ordering` fields -> the master's sort keys (ListTasksRequest.order_by)."""
PROJECT = schemas.integer(0, forms.INT64_MAX, description="the project (an admin token's)")
ROW_ID = schemas.identifier()
FILTERS = {
    "template": schemas.identifier(description="runs of this template (job id)"),
    "inventory": schemas.identifier(description="runs on this host list (node group id)"),
    "credential": schemas.identifier(description="runs as this credential (account id)"),
    "state": schemas.choice(words.STATE_WORDS),
    "kind": schemas.choice(words.KIND_WORDS),
    "schedule": schemas.identifier(description="runs this schedule (crontab id) started"),
    "project": PROJECT,
}
FLAG = {"enum": [0, 1]}
LAUNCH = schemas.obj(
    {
        "project": PROJECT,
        "template": ROW_ID,
        "schedule": schemas.identifier(description="run this schedule's template now"),
        "module": schemas.choice(words.MODULES),
        "arguments": schemas.text(),
        "inventory": ROW_ID,
        "inventory_str": schemas.text(description="names or IPs, comma or newline separated"),
        "credential": ROW_ID,
        "job_type": schemas.choice(words.JOB_TYPE_WORDS),
        "kind": schemas.choice(words.KIND_WORDS),
        "forks": schemas.integer(0, launch.INT32_MAX, description="0: no bound"),
        "verbosity": schemas.integer(0, 4),
        "limit": schemas.text(launch.MAX_LIMIT, description="names or globs, comma separated"),
        **{name: schemas.text(launch.MAX_TEXT) for name in launch.TEXTS},
        **{name: FLAG for name in launch.FLAGS},
        "variables": {
            "type": ["object", "string"],
            "description": "a JSON object, or its text, or a YAML mapping",
        },
        "cuser": {"description": "ignored: the token says who"},
        "node": {"type": "null", "description": "a workflow's node: none here"},
    }
)
EDIT = schemas.obj({name: {} for name in history.CHECKED})
PKS = schemas.obj(
    {
        "pk": schemas.text(description="ids, comma separated"),
        "pk[]": schemas.array(schemas.identifier(), min_items=1),
    }
)


def submitter() -> str:
    """Who launches: the token (`token<id>@token`, `admin@token`), never a body field."""
    who = CALLER.get()
    return "admin@token" if who is None or who.admin else f"token{who.token_id}@token"


def master_of(request: Request[GatewayState]) -> MasterClient:
    return request.state["master"]


async def rows(master: MasterClient, tasks: Sequence[common_pb2.Task]) -> list[dict[str, Any]]:
    names_of = await related(master, tasks)
    return [views.row(t, names_of) for t in tasks]


def list_request(query: Fields, page: paging.Page) -> task_pb2.ListTasksRequest:
    """The list's filters and page -> ListTasksRequest; a bad one is refused naming it."""
    state = forms.text(query, "state")
    kind = forms.text(query, "kind")
    project = forms.integer(query, "project", default=-1, low=0, high=forms.INT64_MAX)
    ask = task_pb2.ListTasksRequest(
        statuses=values_of(words.STATE, state, "state") if state else [],
        job_types=words.JOB_TYPES[forms.choice(query, "kind", words.KIND_WORDS)] if kind else (),
        job_id=forms.identifier(query, "template", required=False),
        nodegroup_id=forms.identifier(query, "inventory", required=False),
        account_id=forms.identifier(query, "credential", required=False),
        crontab_id=forms.identifier(query, "schedule", required=False),
        order_by=page.order_by,
        limit=page.limit,
        offset=page.offset,
    )
    if project >= 0:
        ask.project_id = project
    return ask


@describe(
    query=paging.list_query(ORDERABLE, **FILTERS),
    data=paging.page_schema(views.ROW),
)
async def list_runs(request: Request[GatewayState]) -> Response:
    """GET /api/job/job/: runs, newest first (`ordering`), a page at a time."""
    page = paging.page_of(request, ORDERABLE)
    ask = list_request(request.query_params, page)
    master = master_of(request)
    reply = await master.task.ListTasks(ask, timeout=master.timeout)
    return paging.paged(request, page, reply.total, await rows(master, reply.tasks))


@contextlib.contextmanager
def as_bad_input(rename: Callable[[str], str] = names.field_name) -> Iterator[None]:
    """The master's NOT_FOUND or PERMISSION_DENIED about a field of the body -> 400 naming it:
    DRF answers an unknown or foreign related id as bad input of that field."""
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        failure = rpc_failure(exc, rename)
        if failure.field and failure.status in (403, 404):
            raise FieldError(failure.field, failure.message) from exc
        raise


def _named(key: str) -> Callable[[str], str]:
    """Field names of a lookup by id, whose `id` is the body's `key`."""
    return lambda field: key if field == "id" else names.field_name(field)


async def job_uuid(master: MasterClient, ask: launch.Launch) -> str:
    """The uuid of the job `template` (and `schedule`, which must agree) names."""
    uuid = ""
    if ask.template:
        with as_bad_input(_named("template")):
            got = launch.in_project(catalog_pb2.GetJobRequest(id=ask.template), ask)
            uuid = (await master.catalog.GetJob(got, timeout=master.timeout)).job.uuid
    if ask.schedule:
        with as_bad_input(_named("schedule")):
            cron = crontab_pb2.GetCrontabRequest(id=ask.schedule, fire_limit=1)
            cron = launch.in_project(cron, ask)
            found = (await master.crontab.GetCrontab(cron, timeout=master.timeout)).crontab
        if uuid and found.job_uuid != uuid:
            why = f"schedule {ask.schedule} runs another template than {ask.template}"
            raise FieldError("schedule", why)
        uuid = found.job_uuid
    return uuid


async def launched(master: MasterClient, ask: launch.Launch) -> common_pb2.Task:
    """The run `ask` launches, as the master answers it."""
    who, timeout = submitter(), master.timeout
    task: common_pb2.Task
    if ask.module == words.COPY_MODULE:
        with as_bad_input():
            copy = launch.copy_request(ask, who)
            task = (await master.task.SubmitCopy(copy, timeout=timeout)).task
    elif ask.module:
        with as_bad_input():
            command = launch.command_request(ask, who)
            task = (await master.task.SubmitCommand(command, timeout=timeout)).task
    else:
        uuid = await job_uuid(master, ask)
        with as_bad_input():
            job = launch.job_request(ask, uuid, who)
            task = (await master.task.SubmitJob(job, timeout=timeout)).task
    return task


@describe(
    body=LAUNCH,
    example={
        "project": 1,
        "template": 28,
        "inventory": 15,
        "credential": 30,
        "job_type": "run",
        "forks": 5,
        "limit": "web*",
        "verbosity": 0,
        "variables": "tomcat_version: 8.5.42",
        "diff_mode": 0,
        "become_enabled": 0,
        "force_handlers": 0,
    },
    data=views.ROW,
    status=201,
)
async def create_run(request: Request[GatewayState]) -> Response:
    """POST /api/job/job/: launch a run of a template, or an ad-hoc module; 201 with its row."""
    ask = launch.launch(await forms.read_fields(request))
    master = master_of(request)
    task = await launched(master, ask)
    return JSONResponse((await rows(master, [task]))[0], status_code=201)


async def one(request: Request[GatewayState], query: Fields) -> tuple[dict[str, Any], str]:
    """The row of the run the path names (another project's is 404, as one that is not), and
    its etag; `query`'s wait and etag make it a long poll (gateway.watch)."""
    ask = watch.asked(query, task_pb2.GetTaskRequest(id=forms.path_id(request, "id")))
    master, reads = master_of(request), request.state["task_reads"]
    reply = (await reads.get(master.task, ask, master.timeout + ask.wait_seconds)).reply
    return (await rows(master, [reply.task]))[0], reply.etag


@describe(query=watch.QUERY, data=views.ROW)
async def get_run(request: Request[GatewayState]) -> Response:
    """GET /api/job/job/{id}/: one run. A long poll with `?wait=30&etag=E` (E: the `ETag`
    header of an earlier answer): answered once the run is no longer as E, or after `wait`."""
    row, etag = await one(request, request.query_params)
    return watch.tagged(JSONResponse(row), etag)


@describe(body=EDIT, example={"forks": 0, "limit": ""}, data=views.ROW)
async def edit_run(request: Request[GatewayState]) -> Response:
    """PUT, PATCH /api/job/job/{id}/: the run's own values are taken back and change nothing;
    another value of what ran is refused (a run is history: launch a new one)."""
    current, _ = await one(request, {})
    history.check_unchanged(current, await forms.read_fields(request))
    return JSONResponse(current)


async def deleted(request: Request[GatewayState], ids: list[int]) -> Response:
    master = master_of(request)
    await master.task.DeleteTasks(task_pb2.DeleteTasksRequest(ids=ids), timeout=master.timeout)
    return Response(status_code=204)


@describe(status=204)
async def delete_run(request: Request[GatewayState]) -> Response:
    """DELETE /api/job/job/{id}/: the run and its log; one still running is 409 (kill it)."""
    return await deleted(request, [forms.path_id(request, "id")])


@describe(body=PKS, example={"pk": "1715,1716"}, status=204)
async def delete_runs(request: Request[GatewayState]) -> Response:
    """DELETE /api/job/job/: the runs `pk` ("1,2,3") or `pk[]` name, all or none."""
    return await deleted(request, await primary_keys(request))


async def primary_keys(request: Request[GatewayState]) -> list[int]:
    """The ids of a bulk delete's body: `pk` (a comma list) and `pk[]` (an array), as the log
    rows' bulk delete reads them (`logforms`)."""
    return logforms.row_keys(await logforms.key_values(request))


routes: list[BaseRoute] = [
    Route("/api/job/job/", list_runs, methods=["GET"]),
    Route("/api/job/job/", create_run, methods=["POST"]),
    Route("/api/job/job/", delete_runs, methods=["DELETE"]),
    Route("/api/job/job/{id}/", get_run, methods=["GET"]),
    Route("/api/job/job/{id}/", edit_run, methods=["PUT"], name="replace_run"),
    Route("/api/job/job/{id}/", edit_run, methods=["PATCH"], name="update_run"),
    Route("/api/job/job/{id}/", delete_run, methods=["DELETE"]),
]
