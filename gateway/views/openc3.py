"""The OpenC3 job module's view of tasks: rows with its keys, words and time format."""

from __future__ import annotations

import json
import time
from typing import Any

from jobfleet.v1 import common_pb2
from starlette.responses import Response

from gateway import envelope, words
from gateway.errors import Dialect, Failure

# Proto field -> the OpenC3 name a client sent it as.
FIELD_NAMES = {
    "project_id": "projectid",
    "submitter": "appname",
    "nodes": "node_cont",
    "script_type": "scripts_type",
    "script": "scripts_cont",
    "args": "scripts_argv",
    "timeout_seconds": "timeout",
    "variables": "variable",
    "name_contains": "name",
    "started_after_unix": "time_start",
    "started_before_unix": "time_end",
}


def render_failure(failure: Failure) -> Response:
    """OpenC3 words format failures "check format fail: <field>: <why>"."""
    if failure.field and failure.status == 400:
        info = f"check format fail: {failure.field}: {failure.message}"
    elif failure.field:
        info = f"{failure.field}: {failure.message}"
    else:
        info = failure.message
    return envelope.fail(info, failure.status)


OPENC3 = Dialect(FIELD_NAMES, render_failure)


def format_time(message: Any, field: str) -> str:
    """The message's timestamp `field` as `YYYY-MM-DD HH:MM:SS` UTC, "" when unset."""
    if not message.HasField(field):
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(getattr(message, field).seconds))


def runtime(task: common_pb2.Task, now: float) -> int:
    """Whole seconds from start to finish, or to now while unfinished; 0 before it starts."""
    if not task.HasField("started_at"):
        return 0
    end = int(task.finished_at.seconds) if task.HasField("finished_at") else int(now)
    return max(0, end - int(task.started_at.seconds))


def task_row(task: common_pb2.Task, now: float) -> dict[str, Any]:
    """A task as OpenC3 lists it; `slave` joins the slaves its executions ran on."""
    slaves = dict.fromkeys([*task.slaves, *(e.slave for e in task.executions if e.slave)])
    return {
        "id": task.id,
        "uuid": task.uuid,
        "name": task.name,
        "user": task.submitter,
        "slave": ",".join(slaves),
        "status": words.word(words.OPENC3_TASK_STATUS, task.status),
        "starttime": format_time(task, "started_at"),
        "finishtime": format_time(task, "finished_at"),
        "calltype": task.call_type,
        "jobtype": task.job_type,
        "jobuuid": task.job_uuid,
        "runtime": runtime(task, now),
        "mutex": task.mutex,
        "reason": task.reason,
        "variable": json.dumps(dict(sorted(task.variables.items())), ensure_ascii=False),
    }


def execution_fields(execution: common_pb2.Execution) -> dict[str, Any]:
    """What every per-node OpenC3 row says about an execution."""
    return {
        "node": execution.node,
        "slave": execution.slave,
        "status": words.word(words.OPENC3_EXECUTION_STATUS, execution.status),
        "exitcode": execution.exit_code,
        "reason": execution.reason,
    }


def node_row(execution: common_pb2.Execution) -> dict[str, Any]:
    """One execution in a task's detail."""
    return {
        **execution_fields(execution),
        "starttime": format_time(execution, "started_at"),
        "finishtime": format_time(execution, "finished_at"),
        "logbytes": execution.log_bytes,
    }


def task_detail(task: common_pb2.Task, now: float) -> dict[str, Any]:
    """A task row plus one `nodes` entry per execution."""
    return {**task_row(task, now), "nodes": [node_row(e) for e in task.executions]}


def log_row(execution: common_pb2.Execution, log: bytes) -> dict[str, Any]:
    """One execution's log as tasklog shows it (bad UTF-8 replaced, never an error)."""
    return {**execution_fields(execution), "log": log.decode("utf-8", errors="replace")}
