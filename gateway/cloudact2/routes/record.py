"""`/api/v1/job/record*`: cloud-act2's job records (job-record-api.txt), a record being a task
and its `id` the task's uuid.

- `record/page?pageNo&pageSize`: a page of records, newest first; its `list` holds one row per
  execution of the page's records, as cloud-act2 lists each record's host results
  (`JobRecordItem`, with the output), `pageCount`/`totalCount` count records.
- `record?id=`: the record (`JobRecordInfo`).
- `record/result?id=`: its host results, one row per execution (`JobRecordResult`).

A project token sees its project's records only (another project's id is 404, as one that does
not exist); the admin token sees every project's, or one project's with `projectId`. Output is
streamed (`gateway.streaming`): stdout and stderr read apart from the master (ReadLog with
`stderr` false, then true), a page at a time.
"""

from __future__ import annotations

import functools
import logging

import grpc
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from gateway import forms, schemas, streaming
from gateway.cloudact2 import envelope, names, paging, words
from gateway.cloudact2.views import records, results
from gateway.errors import rpc_failure
from gateway.openapi import describe
from gateway.schemas import Schema
from gateway.upstream import GatewayState, MasterClient
from jobfleet.v1 import common_pb2, task_pb2

logger = logging.getLogger(__name__)

PROJECT = "projectId"
RECORD_QUERY: dict[str, Schema] = {
    "id": schemas.token(description="the record's id: a task's uuid"),
    PROJECT: schemas.integer(
        0,
        forms.INT64_MAX,
        description="only this project's records: for the admin token (default: every "
        "project's); a project token sees its own project's only",
    ),
}
STRING = {"type": "string"}
INTEGER = {"type": "integer"}
TEXTS = "recordId hostIp hostId entityId idcName status message startTime endTime stdout stderr"
RESULT_ROW: Schema = schemas.obj(
    {
        **{key: STRING for key in TEXTS.split()},
        "stepId": {**INTEGER, "description": "jobfleet's: the step's numeric id"},
        "attempt": {**INTEGER, "description": "jobfleet's: 1, then 2... when a node ran again"},
    },
    ["recordId", "hostIp", "hostId", "status", "stdout", "stderr"],
)
EXECUTE_STATUS = schemas.choice(dict.fromkeys(words.EXECUTE_STATUS.values()))
RESULT_STATUS = schemas.choice([*dict.fromkeys(words.RESULT_STATUS.values()), words.TIMED_OUT])
INFO_TEXTS = "id start_time end_time callback hosts provider script script_type module_name"
ITS_SERVERS_KEYS = "startTime endTime scriptType pattern user"
RECORD_INFO: Schema = schemas.obj(
    {
        **{key: STRING for key in INFO_TEXTS.split()},
        "execute_status": EXECUTE_STATUS,
        "result_status": RESULT_STATUS,
        "parameters": {**STRING, "description": "JSON text: cloud-act2's ExecParam"},
        "timeout": INTEGER,
        **{
            key: {**STRING, "description": "as cloud-act2's server names it"}
            for key in ITS_SERVERS_KEYS.split()
        },
        "executeStatus": EXECUTE_STATUS,
        "resultStatus": RESULT_STATUS,
    },
    ["id", "execute_status", "result_status", "start_time", "end_time", "hosts", "timeout"],
)
PAGE: Schema = schemas.obj(
    {
        "list": schemas.array(RESULT_ROW),
        **{key: INTEGER for key in ("pageCount", "pageNo", "pageSize", "totalCount")},
    },
    ["list", "pageCount", "pageNo", "pageSize", "totalCount"],
)


def project_of(request: Request[GatewayState]) -> int | None:
    """The `projectId` the request names; None (the token's own, the admin's every one)."""
    value = request.query_params.get(PROJECT, "").strip()
    return forms.project_id(value, PROJECT) if value else None


async def the_task(request: Request[GatewayState]) -> common_pb2.Task:
    """The record the `id` query names; unknown (or another project's): the master's 404."""
    master = request.state["master"]
    uuid = forms.token(request.query_params, "id", required=True)
    ask = task_pb2.GetTaskRequest(uuid=uuid, project_id=project_of(request))
    read = await request.state["task_reads"].get(master.task, ask, master.timeout)
    return read.reply.task


def result_rows(master: MasterClient, task: common_pb2.Task) -> list[streaming.TextRow]:
    """One row per execution, its stdout and stderr read apart, page by page."""
    rows = []
    for execution in results.executions_in_order(task):
        read = functools.partial(master.log_pages, task.project_id, execution.id)
        rows.append(
            streaming.TextRow(
                results.result_fields(task, execution),
                "stdout",
                functools.partial(read, stderr=False),
                also=[("stderr", functools.partial(read, stderr=True))],
            )
        )
    return rows


def _cut_short(exc: grpc.aio.AioRpcError) -> str:
    """What the answer's `message` says when the master fails while output is being sent."""
    logger.warning("a record's output was cut short: the master failed while it was sent")
    return names.message(rpc_failure(exc, names.field_name))


def _streamed(rows: list[streaming.TextRow], frame: streaming.Frame) -> Response:
    body = streaming.envelope(rows, _cut_short, frame)
    return StreamingResponse(body, media_type="application/json")


@describe(query=paging.QUERY | {PROJECT: RECORD_QUERY[PROJECT]}, data=PAGE)
async def record_page(request: Request[GatewayState]) -> Response:
    """GET /api/v1/job/record/page: a page of records, newest first, each record's executions
    as rows of `list` (with their stdout and stderr).

    A page past the last one has an empty `list` (and the same `pageCount`).
    """
    master = request.state["master"]
    page = paging.page_of(request)
    ask = task_pb2.ListTasksRequest(
        project_id=project_of(request), limit=page.size, offset=page.offset
    )
    listed = await master.task.ListTasks(ask, timeout=master.timeout)
    rows = []
    for task in listed.tasks:
        detail = await _detail(master, task)
        rows += result_rows(master, detail) if detail is not None else []
    return _streamed(rows, envelope.page_frame(paging.paging(page, listed.total)))


async def _detail(master: MasterClient, task: common_pb2.Task) -> common_pb2.Task | None:
    """The listed task with its executions; None when it was deleted since it was listed."""
    ask = task_pb2.GetTaskRequest(id=task.id, project_id=task.project_id)
    try:
        reply: task_pb2.GetTaskResponse = await master.task.GetTask(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return reply.task


@describe(query=RECORD_QUERY, required_query=["id"], data=RECORD_INFO)
async def record_info(request: Request[GatewayState]) -> Response:
    """GET /api/v1/job/record: one record (what ran, how far it got, how it ended)."""
    return envelope.ok(records.record_info(await the_task(request)))


@describe(query=RECORD_QUERY, required_query=["id"], data=schemas.array(RESULT_ROW))
async def record_result(request: Request[GatewayState]) -> Response:
    """GET /api/v1/job/record/result: a record's host results, one per execution, with their
    stdout and stderr apart."""
    task = await the_task(request)
    return _streamed(result_rows(request.state["master"], task), envelope.list_frame())


routes: list[BaseRoute] = [
    Route("/api/v1/job/record/page", record_page, methods=["GET"]),
    Route("/api/v1/job/record/result", record_result, methods=["GET"]),
    Route("/api/v1/job/record", record_info, methods=["GET"]),
]
