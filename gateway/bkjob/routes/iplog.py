"""`batch_get_job_instance_ip_log`: the logs of one step of one job instance on the hosts asked
for (batch-get-job-instance-ip-log.txt), at bk-job's API gateway path and at its ESB path, each
with and without the trailing slash.

A job instance is a task (`job_instance_id` = its numeric id, GetTask by id, within the project
`bk_scope_id` names), a step instance one of its subtasks (`step_instance_id` = the subtask's
numeric id, as OpenC3's subtask rows show it). A command step answers `log_type` 1 with
`script_task_logs`, a copy step `log_type` 2 with `file_task_logs`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import forms
from gateway.bkjob import asked as asking
from gateway.bkjob import envelope, shapes, words
from gateway.bkjob.asked import Asked, Host
from gateway.bkjob.views import files, hosts, scripts
from gateway.openapi import describe
from gateway.upstream import GatewayState, MasterClient
from jobfleet.v1 import common_pb2, task_pb2

APIGW_PATH = "/api/v3/batch_get_job_instance_ip_log/"
ESB_PATH = "/api/c/compapi/v2/jobv3/batch_get_job_instance_ip_log/"
READS_AT_ONCE = 8
"""Log reads one answer has in flight on the master at a time."""

Found = dict[Host, list[common_pb2.Execution]]


@describe(body=shapes.BODY, example=shapes.EXAMPLE, data=shapes.DATA)
async def batch_get_job_instance_ip_log(request: Request[GatewayState]) -> Response:
    """POST: the logs of one step of a job instance on each host of `ip_list`.

    A command step's `script_task_logs` hold each host's output; a copy step's `file_task_logs`
    the upload on its source host (mode 0) and the download on each destination (mode 1).
    Served at bk-job's API gateway path and at its ESB path, with or without the trailing `/`.
    """
    ask = asking.asked(await forms.read_fields(request))
    master = request.state["master"]
    get = task_pb2.GetTaskRequest(project_id=ask.project_id, id=ask.job_instance_id)
    task = (await request.state["task_reads"].get(master.task, get, master.timeout)).reply.task
    step = hosts.step_of(task, ask.step_instance_id)
    executions = hosts.executions_of(task, step)
    found = hosts.on_hosts(ask.hosts, step, executions)
    data: dict[str, Any] = {
        "job_instance_id": task.id,
        "task_instance_id": task.id,
        "step_instance_id": step.id,
    }
    if step.step.HasField("scp"):
        copy = files.copy_of(step, executions)
        logs = [files.file_task_log(copy, host, found[host]) for host in ask.hosts]
        return envelope.ok({"log_type": words.FILE_LOG, **data, "file_task_logs": logs})
    texts = await read_logs(master, ask, found)
    logs = [scripts.script_log(host, texts[host]) for host in ask.hosts]
    return envelope.ok({"log_type": words.SCRIPT_LOG, **data, "script_task_logs": logs})


async def read_logs(master: MasterClient, ask: Asked, found: Found) -> dict[Host, list[str]]:
    """Each host's executions' output, read a few at a time, each within its share of the
    answer's budget (`scripts.read_cap`)."""
    cap = scripts.read_cap(sum(len(runs) for runs in found.values()))
    room = asyncio.Semaphore(READS_AT_ONCE)

    async def read(execution: common_pb2.Execution) -> str:
        ask_log = task_pb2.ReadLogRequest(
            project_id=ask.project_id, execution_id=execution.id, max_bytes=cap
        )
        async with room:
            reply = await master.task.ReadLog(ask_log, timeout=master.timeout)
        return scripts.shown(reply.data, execution.log_bytes, cap)

    read_all = [asyncio.gather(*(read(e) for e in found[host])) for host in ask.hosts]
    return {host: list(texts) for host, texts in zip(ask.hosts, await asyncio.gather(*read_all))}


def _routes(path: str, name: str) -> list[BaseRoute]:
    """The path as bk-job writes it (in /openapi.json), and without its trailing slash (served
    alike, not listed again: a client's POST must not meet a redirect)."""
    endpoint = batch_get_job_instance_ip_log
    return [
        Route(path, endpoint, methods=["POST"], name=name),
        Route(path.rstrip("/"), endpoint, methods=["POST"], name=name, include_in_schema=False),
    ]


routes: list[BaseRoute] = [
    *_routes(APIGW_PATH, "batch_get_job_instance_ip_log"),
    *_routes(ESB_PATH, "esb_batch_get_job_instance_ip_log"),
]
