"""The console's jobs pages: the list (every project the token may see), one job (its steps,
their scripts, its variables), its run form, and a dry run that shows what would run where.

A job lives in a project (the master finds it by project and uuid), so its page is
`/ui/jobs/{project}/{uuid}`.
"""

from __future__ import annotations

from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.errors import HTTP_STATUS
from gateway.ui import runform
from gateway.ui.projects import visible_projects
from gateway.ui.render import page, refused
from gateway.ui.who import actor
from gateway.ui.words import SCRIPT_TYPE, SELECTOR_TYPE, TASK_STATUS
from gateway.upstream import MasterClient
from jobfleet.v1 import catalog_pb2, common_pb2, task_pb2

ANSWERED_ON_FORM = (
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
)
"""Refusals about what the form holds: shown on the form, which keeps what was typed."""
FORM_REFUSED = 422
RECENT_RUNS = 100
"""The list's "last run" is found among each project's latest runs of jobs (one call a
project, not one a job); a job whose last run is older shows none."""
JOB_RUNS_SHOWN = 5


async def jobs_page(request: Request) -> Response:
    master = request.state.master
    listed: list[tuple[catalog_pb2.Project, list[catalog_pb2.Job]]] = []
    last: dict[int, common_pb2.Task] = {}
    try:
        for project in await visible_projects(master):
            ask = catalog_pb2.ListJobsRequest(project_id=project.id)
            reply = await master.catalog.ListJobs(ask, timeout=master.timeout)
            listed.append((project, list(reply.jobs)))
            last |= await _last_runs(master, project.id)
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    count = sum(len(jobs) for _, jobs in listed)
    return page(
        request,
        "jobs.html",
        listed=listed,
        count=count,
        last=last,
        kind_of=step_kind,
        words=TASK_STATUS,
    )


async def _last_runs(master: MasterClient, project_id: int) -> dict[int, common_pb2.Task]:
    """Each job's newest run among the project's RECENT_RUNS latest runs of jobs, by job id."""
    ask = task_pb2.ListTasksRequest(project_id=project_id, job_types=["job"], limit=RECENT_RUNS)
    found: dict[int, common_pb2.Task] = {}
    for task in (await master.task.ListTasks(ask, timeout=master.timeout)).tasks:
        found.setdefault(task.job_id, task)  # newest first
    return found


def step_kind(step: Any) -> str:
    """cmd, scp or approval."""
    return str(step.WhichOneof("kind") or "")


async def _job_and_variables(
    request: Request,
) -> tuple[int, catalog_pb2.Job, list[runform.FormVariable]]:
    master = request.state.master
    project_id = int(request.path_params["project"])
    uuid = str(request.path_params["uuid"])
    job = (
        await master.catalog.GetJob(
            catalog_pb2.GetJobRequest(project_id=project_id, uuid=uuid), timeout=master.timeout
        )
    ).job
    every = await master.catalog.ListVariables(
        catalog_pb2.ListVariablesRequest(project_id=project_id, job_uuid=uuid),
        timeout=master.timeout,
    )
    empty = await master.catalog.ListVariables(
        catalog_pb2.ListVariablesRequest(project_id=project_id, job_uuid=uuid, empty_only=True),
        timeout=master.timeout,
    )
    return project_id, job, runform.form_variables(list(every.variables), list(empty.variables))


def _job_page(
    request: Request,
    job: catalog_pb2.Job,
    variables: list[runform.FormVariable],
    form: runform.RunForm,
    status: int = 200,
    problem: str = "",
    preview: task_pb2.DryRunResponse | None = None,
    runs: list[common_pb2.Task] | None = None,
) -> Response:
    return page(
        request,
        "job.html",
        status=status,
        job=job,
        variables=variables,
        form=form,
        problem=problem,
        preview=preview,
        kind_of=step_kind,
        selector_type=SELECTOR_TYPE,
        script_type=SCRIPT_TYPE,
        prefix=runform.VARIABLE_PREFIX,
        runs=runs or [],
        words=TASK_STATUS,
    )


async def job_page(request: Request) -> Response:
    master = request.state.master
    try:
        project_id, job, variables = await _job_and_variables(request)
        ask = task_pb2.ListTasksRequest(project_id=project_id, job_id=job.id, limit=JOB_RUNS_SHOWN)
        runs = (await master.task.ListTasks(ask, timeout=master.timeout)).tasks
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    return _job_page(request, job, variables, runform.blank(variables), runs=list(runs))


async def _read_form(
    request: Request,
) -> tuple[int, catalog_pb2.Job, list[runform.FormVariable], runform.RunForm]:
    project_id, job, variables = await _job_and_variables(request)
    sent = await request.form()
    texts = {k: v for k, v in sent.multi_items() if isinstance(v, str)}
    return project_id, job, variables, runform.read(variables, texts)


async def run_job(request: Request) -> Response:
    """POST: the task starts (SubmitJob) and the browser goes to its run page; a form that
    cannot be used, or that the master refuses, comes back with the reason and starts nothing."""
    master = request.state.master
    try:
        project_id, job, variables, form = await _read_form(request)
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    if form.errors:
        problem = "; ".join(form.errors.values())
        return _job_page(request, job, variables, form, FORM_REFUSED, problem)
    ask = runform.submit_request(project_id, job.uuid, form, actor())
    try:
        task = (await master.task.SubmitJob(ask, timeout=master.timeout)).task
    except grpc.aio.AioRpcError as exc:
        return _master_refused(request, exc, job, variables, form)
    return RedirectResponse(f"/ui/runs/{task.uuid}", 303)


async def dry_run(request: Request) -> Response:
    """POST: what the run would do (DryRun): each step with its variables filled in and the
    nodes it would run on. Nothing runs."""
    master = request.state.master
    try:
        project_id, job, variables, form = await _read_form(request)
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    if form.errors:
        problem = "; ".join(form.errors.values())
        return _job_page(request, job, variables, form, FORM_REFUSED, problem)
    ask = task_pb2.DryRunRequest(job=runform.submit_request(project_id, job.uuid, form, ""))
    try:
        preview = await master.task.DryRun(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        return _master_refused(request, exc, job, variables, form)
    return _job_page(request, job, variables, form, preview=preview)


def _master_refused(
    request: Request,
    exc: grpc.aio.AioRpcError,
    job: catalog_pb2.Job,
    variables: list[runform.FormVariable],
    form: runform.RunForm,
) -> Response:
    if exc.code() not in ANSWERED_ON_FORM:
        return refused(request, exc)
    status = HTTP_STATUS.get(exc.code(), 502)
    return _job_page(request, job, variables, form, status, exc.details() or exc.code().name)


routes: list[BaseRoute] = [
    Route("/jobs", jobs_page, methods=["GET"], name="jobs"),
    Route("/jobs/{project:int}/{uuid:str}", job_page, methods=["GET"], name="job"),
    Route("/jobs/{project:int}/{uuid:str}/run", run_job, methods=["POST"]),
    Route("/jobs/{project:int}/{uuid:str}/preview", dry_run, methods=["POST"]),
]
