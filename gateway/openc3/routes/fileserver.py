"""OpenC3 `fileserver` document: a project's stored files (list, upload, delete).

Uploads are multipart bodies of one or many files, streamed to the master as they are read
(`gateway.uploads`); they are not under the 1 MiB body cap (`upload_routes`, the document's
uncapped routes) but under the per-file `max_upload_bytes`. An upload with a token that names a
job (`isjob`, routes/token.py) then runs that job with `version` = the uploaded file's name, as
OpenC3 does; the answer's `uuid` is that task's.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas, uploads
from gateway.auth import CREDENTIALS
from gateway.callers import CALLER
from gateway.openapi import describe
from gateway.openc3 import filters
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import auth_pb2, catalog_pb2, task_pb2

# Every part with a filename is a file, stored under that name; other parts are skipped.
UPLOAD = schemas.obj(
    {
        "file": {
            "anyOf": [
                {"type": "string", "contentMediaType": "application/octet-stream"},
                schemas.array({"type": "string", "contentMediaType": "application/octet-stream"}),
            ],
            "description": "one or more file parts; each part's filename (a plain name, no "
            "path, no `..`) names the stored file",
        }
    },
    ["file"],
)
TOO_LARGE = {413: "a file over the master's upload cap"}


def token_actor() -> str:
    """Who uploads with the `token` header: `token<id>@token` (`admin@token` for the admin's).

    This route, and only this one, takes the `token` header as credentials (`gateway.auth`); the
    master has checked it against the path's project before any of the body was read
    (`gateway.callers.CALLER`). OpenC3 records `<first 8 letters>@token`; no part of a secret is
    recorded here.
    """
    who = CALLER.get()
    if who is None:  # gateway.auth sets it on every route that needs credentials
        raise RuntimeError("no caller: the credentials middleware did not run")
    return "admin@token" if who.admin else f"token{who.token_id}@token"


async def receive(request: Request[GatewayState], project_id: int, actor: str) -> Response:
    """The body's files, stored; `data` is their rows, in the order sent."""
    master, config = request.state["master"], request.state["config"]
    stored = await uploads.store_files(request, master, project_id, actor, config.max_upload_bytes)
    return envelope.ok([views.file_row(f) for f in stored])


@describe(query=filters.query(), data={"type": "array", "items": {"type": "object"}})
async def list_files(request: Request[GatewayState]) -> Response:
    """GET /fileserver/{projectid}: file rows; the usual list filters (`name` contains, ...)."""
    ask = catalog_pb2.ListFilesRequest(
        project_id=forms.path_id(request, "projectid"),
        filter=filters.list_filter(request.query_params),
    )
    master = request.state["master"]
    reply = await master.catalog.ListFiles(ask, timeout=master.timeout)
    return envelope.ok([views.file_row(f) for f in reply.files], total=reply.total)


@describe(upload=UPLOAD, answers=TOO_LARGE, data={"type": "array"})
async def upload_files(request: Request[GatewayState]) -> Response:
    """POST /fileserver/{projectid}: one or many files, each named by its part's filename."""
    project_id = forms.path_id(request, "projectid")
    return await receive(request, project_id, forms.submitter(request))


@describe(upload=UPLOAD, file_token=True, answers=TOO_LARGE, data={"type": "array"})
async def upload_files_by_token(request: Request[GatewayState]) -> Response:
    """POST /fileserver/{projectid}/upload: the same upload, authorised by a project token;
    a token naming a job then runs it (`uuid`: the task)."""
    project_id = forms.path_id(request, "projectid")
    master, config = request.state["master"], request.state["config"]
    actor = token_actor()
    stored = await uploads.store_files(request, master, project_id, actor, config.max_upload_bytes)
    rows = [views.file_row(f) for f in stored]
    task_uuid = await run_token_job(request, project_id, stored, actor)
    return envelope.ok(rows, uuid=task_uuid) if task_uuid else envelope.ok(rows)


async def run_token_job(
    request: Request[GatewayState],
    project_id: int,
    stored: list[catalog_pb2.StoredFile],
    actor: str,
) -> str:
    """The task an upload with a job token starts, "" when the token names none: its job, with
    the variable `version` = the (last) uploaded file's name. The files stay stored if the job
    cannot run; the refusal says why."""
    who = CALLER.get()
    if who is None or who.admin or not stored:
        return ""
    master = request.state["master"]
    ask = auth_pb2.ListTokensRequest(project_id=project_id, token=CREDENTIALS.get())
    found = (await master.auth.ListTokens(ask, timeout=master.timeout)).tokens
    if not found or not found[0].run_job:
        return ""
    job = task_pb2.SubmitJobRequest(
        project_id=project_id,
        job_name=found[0].job_name,
        variables={"version": stored[-1].name},
        submitter=actor,
        call_type="api",
    )
    return str((await master.task.SubmitJob(job, timeout=master.timeout)).task.uuid)


@describe(data={})
async def delete_file(request: Request[GatewayState]) -> Response:
    """DELETE /fileserver/{projectid}/{fileserverid}: `data` is 1."""
    ask = catalog_pb2.DeleteFileRequest(
        project_id=forms.path_id(request, "projectid"), id=forms.path_id(request, "fileserverid")
    )
    master = request.state["master"]
    await master.catalog.DeleteFile(ask, timeout=master.timeout)
    return envelope.ok(1)


token_routes: list[BaseRoute] = [
    Route("/fileserver/{projectid}/upload", upload_files_by_token, methods=["POST"]),
]
upload_routes: list[BaseRoute] = [
    Route("/fileserver/{projectid}", upload_files, methods=["POST"]),
    *token_routes,
]

routes: list[BaseRoute] = [
    Route("/fileserver/{projectid}", list_files, methods=["GET"]),
    *upload_routes,
    Route("/fileserver/{projectid}/{fileserverid}", delete_file, methods=["DELETE"]),
]
