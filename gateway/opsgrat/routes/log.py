"""`/api/job/log/`: runs' log rows (job-log-api.txt), each one TaskService call.

Rows are the master's log entries (`views/log.py`): one per execution's output (a node of a
step) and one per operator's note, under one id sequence. Output is the machines' record and is
never changed here: PUT/PATCH/DELETE of an output row is refused 409 naming `id` (or `pk`),
nothing changed; deleting the run (`DELETE /api/job/job/<id>/`) removes its output. Notes are
written with POST and changed or deleted freely. The project is the token's (the admin's token:
every project); another project's rows are 404, and absent from lists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import grpc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from gateway import forms, schemas
from gateway.errors import FieldError, rpc_failure
from gateway.openapi import describe
from gateway.opsgrat import logforms, names, paging
from gateway.opsgrat.views import log as views
from gateway.upstream import LOG_PAGE_BYTES, GatewayState, MasterClient
from jobfleet.v1 import task_pb2

LIST = "/api/job/log/"
DETAIL = "/api/job/log/{id}/"
ORDERABLE = {"id": "id", "ctime": "created_at", "job": "task_id"}
"""`ordering` field -> the master's sort key."""
LIST_TEXT_BYTES = 2 << 20
"""A list page's texts together (the master's answer must stay under the gateway's 4 MiB
message cap): each row shows at most its share, ROW_TEXT_BYTES at most."""
ROW_TEXT_BYTES = 256 << 10
POST_A_NOTE = "POST a note"

ROW: schemas.Schema = schemas.obj(
    {
        "id": schemas.identifier(description="odd: a note; even: a node's output"),
        "job": schemas.identifier(description="the run's id (`/api/job/job/<id>/`)"),
        "ctime": {"type": "integer", "description": "unix seconds it was written"},
        "log": schemas.text(description="a note's text, or the output, lines labelled `[node] `"),
        "note": schemas.flag(description="an operator's note (true) or a node's output"),
        "author": schemas.text(description="a note's writer; empty for output"),
        "node": schemas.text(description="the output's node; empty for a note"),
        "truncated": schemas.flag(description="`log` goes on past this answer (lists)"),
    },
    ["id", "job", "ctime", "log", "note", "author", "node", "truncated"],
)
NOTE_BODY = schemas.obj(
    {
        "job": schemas.identifier(description="the run's id"),
        "log": schemas.text(required=True, description="the note: at most 65536 bytes (UTF-8)"),
        "ctime": {"type": "integer", "description": "ignored: the server's time is kept"},
    },
    ["job", "log"],
)
CHANGE_BODY = schemas.obj(
    {
        "job": schemas.identifier(description="move the note to this run"),
        "log": schemas.text(required=True, description="its new text (at most 65536 bytes)"),
    },
    [],
)
KEY_LIST = r" *0*[1-9][0-9]* *(, *0*[1-9][0-9]* *)*"
KEYS_BODY = schemas.obj(
    {
        "pk": schemas.matching(KEY_LIST, description="ids, comma-separated"),
        "pk[]": {"type": "array", "items": schemas.identifier(), "minItems": 1},
    },
    [],
)


def row_bytes(limit: int) -> int:
    """How much of each row's text a page of `limit` rows shows."""
    return min(ROW_TEXT_BYTES, LIST_TEXT_BYTES // limit)


def master_of(request: Request[GatewayState]) -> MasterClient:
    return request.state["master"]


def as_field(exc: grpc.aio.AioRpcError, renamed: Mapping[str, tuple[str, int]]) -> Exception:
    """The master's refusal about a proto field, as a refusal of this route's field
    (`renamed`: proto field -> (field, status)); any other error as it came."""
    unchanged: Exception = exc
    if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION):
        return unchanged
    failure = rpc_failure(exc, lambda field: field)
    if failure.field not in renamed:
        return unchanged
    field, status = renamed[failure.field]
    return FieldError(field, failure.message, status)


@describe(
    query=paging.list_query(ORDERABLE, job=schemas.identifier(description="one run's rows")),
    data=paging.page_schema(ROW),
)
async def list_logs(request: Request[GatewayState]) -> Response:
    """GET /api/job/log/: log rows, newest id first (`ordering` id | ctime | job).

    `job` lists one run's rows (a run of another project, or none: no rows). Each row's `log`
    holds up to 256 KiB (less on long pages: 2 MiB shared by the page), `truncated` saying it
    goes on; the row's own URL answers it whole."""
    page = paging.page_of(request, ORDERABLE)
    task_id = forms.identifier(request.query_params, "job", required=False)
    master = master_of(request)
    ask = task_pb2.ListRunLogsRequest(
        task_id=task_id,
        order_by=page.order_by,
        limit=page.limit,
        offset=page.offset,
        max_bytes=row_bytes(page.limit),
    )
    reply = await master.task.ListRunLogs(ask, timeout=master.timeout)
    return paging.paged(request, page, reply.total, [views.row(e) for e in reply.entries])


@describe(
    body=NOTE_BODY,
    example={"job": 1718, "log": "rerun after fixing main.yml"},
    data=ROW,
    status=201,
)
async def create_log(request: Request[GatewayState]) -> Response:
    """POST /api/job/log/: a note on a run (`ctime` is the server's, whatever the body says)."""
    fields = await forms.read_fields(request)
    logforms.ignored_time(fields)
    ask = task_pb2.AddTaskNoteRequest(
        task_id=forms.identifier(fields, "job"),
        text=logforms.note_text(fields),
        author=forms.submitter(request),
    )
    master = master_of(request)
    try:
        entry = await master.task.AddTaskNote(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        raise as_field(exc, {"task_id": ("job", 400)}) from None
    return JSONResponse(views.row(entry), status_code=201)


@describe(data=ROW)
async def get_log(request: Request[GatewayState]) -> Response:
    """GET /api/job/log/{id}/: one row, its `log` whole (an output's is streamed as read)."""
    entry_id = forms.path_id(request, "id")
    master = master_of(request)
    size = logforms.MAX_NOTE_BYTES if entry_id % 2 else 1  # an output's log is streamed
    ask = task_pb2.ListRunLogsRequest(ids=[entry_id], max_bytes=size)
    found = (await master.task.ListRunLogs(ask, timeout=master.timeout)).entries
    if not found:
        raise FieldError("id", f"log entry {entry_id} not found", status=404)
    entry = found[0]
    if entry.note:
        return JSONResponse(views.row(entry))
    body = views.streamed_output(
        entry, lambda: output_pages(master, entry.execution.id), failure_detail
    )
    return StreamingResponse(body, media_type="application/json")


async def output_pages(master: MasterClient, execution_id: int) -> AsyncIterator[bytes]:
    """An execution's output as stored so far, a page (<= LOG_PAGE_BYTES) at a time, within the
    caller's project (the master narrows the call to the token's)."""
    seq = 0
    while True:
        ask = task_pb2.ReadLogRequest(
            execution_id=execution_id, from_seq=seq, max_bytes=LOG_PAGE_BYTES
        )
        reply = await master.task.ReadLog(ask, timeout=master.timeout)
        yield reply.data
        if reply.complete or reply.next_seq <= seq:
            return
        seq = reply.next_seq


def failure_detail(exc: grpc.aio.AioRpcError) -> str:
    """What a row cut short by the master says."""
    return rpc_failure(exc, names.field_name).message


@describe(body=CHANGE_BODY, example={"log": "rerun after fixing main.yml (twice)"}, data=ROW)
async def put_log(request: Request[GatewayState]) -> Response:
    """PUT /api/job/log/{id}/: a note's `log` and/or `job` (every field is optional, as the
    document says: one left out is kept); an output row is refused 409, nothing changed."""
    return await change_note(request)


@describe(body=CHANGE_BODY, example={"job": 1718}, data=ROW)
async def patch_log(request: Request[GatewayState]) -> Response:
    """PATCH /api/job/log/{id}/: a note's `log` and/or `job`; an output row is refused 409."""
    return await change_note(request)


async def change_note(request: Request[GatewayState]) -> Response:
    entry_id = forms.path_id(request, "id")
    fields = await forms.read_fields(request)
    ask = task_pb2.UpdateTaskNoteRequest(
        id=entry_id,
        text=logforms.changed_text(fields),
        task_id=forms.identifier(fields, "job", required=False),
    )
    master = master_of(request)
    try:
        entry = await master.task.UpdateTaskNote(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
            why = rpc_failure(exc, lambda field: field).message
            raise FieldError("id", f"{why}; {POST_A_NOTE}", status=409) from None
        raise as_field(exc, {"task_id": ("job", 400), "id": ("id", 404)}) from None
    return JSONResponse(views.row(entry))


@describe(status=204)
async def delete_log(request: Request[GatewayState]) -> Response:
    """DELETE /api/job/log/{id}/: a note; an output row is refused 409 (its run's DELETE
    removes it)."""
    entry_id = forms.path_id(request, "id")
    await delete_notes(request, [entry_id], "id")
    return Response(status_code=204)


@describe(body=KEYS_BODY, example={"pk": "3,5", "pk[]": [7]}, status=204)
async def delete_logs(request: Request[GatewayState]) -> Response:
    """DELETE /api/job/log/: notes by `pk` ("1,2,3") and/or `pk[]`, all or none: an unknown
    row is 404, an output row 409, naming `pk`, and nothing is deleted."""
    keys = logforms.row_keys(await logforms.key_values(request))
    await delete_notes(request, keys, "pk")
    return Response(status_code=204)


async def delete_notes(request: Request[GatewayState], ids: list[int], field: str) -> None:
    master = master_of(request)
    ask = task_pb2.DeleteTaskNotesRequest(ids=ids)
    try:
        await master.task.DeleteTaskNotes(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        raise as_field(exc, {"ids": (field, _status(exc))}) from None


def _status(exc: grpc.aio.AioRpcError) -> int:
    return 409 if exc.code() == grpc.StatusCode.FAILED_PRECONDITION else 404


routes: list[BaseRoute] = [
    Route(LIST, list_logs, methods=["GET"]),
    Route(LIST, create_log, methods=["POST"]),
    Route(LIST, delete_logs, methods=["DELETE"]),
    Route(DETAIL, get_log, methods=["GET"]),
    Route(DETAIL, put_log, methods=["PUT"]),
    Route(DETAIL, patch_log, methods=["PATCH"]),
    Route(DETAIL, delete_log, methods=["DELETE"]),
]
