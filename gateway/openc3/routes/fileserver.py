"""OpenC3 `fileserver` document: a project's stored files (list, upload, delete).

Uploads are multipart bodies of one or many files, streamed to the master as they are read
(`gateway.uploads`); they are not under the 1 MiB body cap (`upload_routes`, the document's
uncapped routes) but under the per-file `max_upload_bytes`. An upload with a token that names a
job (`isjob`, routes/token.py) then runs that job with `version` = the uploaded file's name, as
OpenC3 does; the answer's `uuid` is that task's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import grpc
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
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


# --- what OpenC3's pages and curl lines call: uploads under /uploadv2 (OpenC3 puts nginx's
# upload module there), a download key, and the download it opens.

CHECK_MD5 = re.compile(r"^[0-9A-Fa-f]{32}$")
STRICT_QUERY = {
    "checkmd5": schemas.matching(
        CHECK_MD5.pattern.strip("^$"), description="the file's MD5: another is refused, unstored"
    )
}
NAME_QUERY = {"name": schemas.text(255, required=True, description="the stored file's name")}
KEY_DATA = schemas.text(description="`<projectid>/<key>`: the page opens `/download/` + this")
ATTACHMENT_SAFE = re.compile(r"[^A-Za-z0-9._ -]")
OCTET_STREAM = "application/octet-stream"


@describe(upload=UPLOAD, answers=TOO_LARGE, data={"type": "array"})
async def upload_files_v2(request: Request[GatewayState]) -> Response:
    """POST /uploadv2/fileserver/{projectid}: the file page's upload (part `file`), as POST
    /fileserver/{projectid}."""
    project_id = forms.path_id(request, "projectid")
    return await receive(request, project_id, forms.submitter(request))


@describe(
    query=STRICT_QUERY,
    upload=UPLOAD,
    file_token=True,
    answers=TOO_LARGE,
    data={"type": "array"},
)
async def upload_files_by_token_v2(request: Request[GatewayState]) -> Response:
    """POST /uploadv2/fileserver/{projectid}/upload: the token page's curl line, as POST
    /fileserver/{projectid}/upload; `checkmd5` makes it strict."""
    project_id = forms.path_id(request, "projectid")
    md5 = forms.matching(request.query_params, "checkmd5", CHECK_MD5, "32 hex digits")
    master, config = request.state["master"], request.state["config"]
    actor, cap = token_actor(), config.max_upload_bytes
    stored = await uploads.store_files(request, master, project_id, actor, cap, md5)
    return envelope.ok([views.file_row(f) for f in stored])


@describe(query=NAME_QUERY, required_query=["name"], data=KEY_DATA)
async def link_file(request: Request[GatewayState]) -> Response:
    """GET /fileserver/{projectid}/download: a download key for the file `name`, good for ten
    minutes, for this project only; `expires` (next to `data`) says until when (UTC)."""
    project_id = forms.path_id(request, "projectid")
    name = forms.text(request.query_params, "name", required=True, max_len=255, strip=False)
    master = request.state["master"]
    ask = catalog_pb2.LinkFileRequest(project_id=project_id, name=name)
    reply = await master.catalog.LinkFile(ask, timeout=master.timeout)
    expires = reply.expires.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
    return envelope.ok(f"{project_id}/{reply.key}", expires=expires)


@describe(data={"type": "string"}, enveloped=False, media_type=OCTET_STREAM)
async def download_file(request: Request[GatewayState]) -> Response:
    """GET /download/{projectid}/{key}: the file's bytes, as an attachment under its name.

    Takes credentials for the project like every route (a browser's session cookie goes with
    the page's `window.open`), and a key of that project from GET
    /fileserver/{projectid}/download: an unknown, forged, expired or other project's key, or
    one whose file was deleted or uploaded again, is 404 alike."""
    project_id = forms.path_id(request, "projectid")
    key = forms.text(request.path_params, "key", required=True, max_len=128)
    master, config = request.state["master"], request.state["config"]
    deadline = master.timeout + config.max_upload_bytes / uploads.MIN_RATE
    ask = catalog_pb2.DownloadFileRequest(project_id=project_id, key=key)
    call = master.catalog.DownloadFile(ask, timeout=deadline)
    first = await call.read()  # a refusal arrives here, before any byte is answered
    if first is grpc.aio.EOF or not first.HasField("file"):
        call.cancel()
        raise RuntimeError("the master's download began without its file")
    return StreamingResponse(
        file_bytes(call),
        media_type=OCTET_STREAM,
        headers=attachment_headers(first.file),
    )


async def file_bytes(call: Any) -> AsyncIterator[bytes]:
    """The download's data messages; the call is cancelled if the client goes first."""
    try:
        while (message := await call.read()) is not grpc.aio.EOF:
            yield message.data
    finally:
        call.cancel()


def attachment_headers(stored: catalog_pb2.StoredFile) -> dict[str, str]:
    """Saved under its own name (RFC 6266: an ASCII fallback and the UTF-8 name), never shown
    inline, never cached: the URL holds a key."""
    fallback = ATTACHMENT_SAFE.sub("_", stored.name) or "download"
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(stored.name, safe='')}"
    )
    return {
        "content-disposition": disposition,
        "content-length": str(stored.size),
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
    }


v2_token_routes: list[BaseRoute] = [
    Route("/uploadv2/fileserver/{projectid}/upload", upload_files_by_token_v2, methods=["POST"]),
]
v2_upload_routes: list[BaseRoute] = [
    Route("/uploadv2/fileserver/{projectid}", upload_files_v2, methods=["POST"]),
    *v2_token_routes,
]
v2_routes: list[BaseRoute] = [
    *v2_upload_routes,
    Route("/fileserver/{projectid}/download", link_file, methods=["GET"]),
    Route("/download/{projectid}/{key}", download_file, methods=["GET"]),
]
