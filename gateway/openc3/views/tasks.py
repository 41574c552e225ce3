"""The OpenC3 job module's view of tasks: rows with its keys, words and time format."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from gateway.openc3 import words
from gateway.openc3.views.steps import plugin_type, step_fields
from gateway.words import word
from jobfleet.v1 import common_pb2, task_pb2


def format_time(message: Any, field: str) -> str:
    """The message's timestamp `field` as `YYYY-MM-DD HH:MM:SS` UTC, "" when unset."""
    if not message.HasField(field):
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(getattr(message, field).seconds))


def runtime(message: Any, now: float) -> int:
    """Whole seconds from start to finish, or to now while unfinished; 0 before it starts.

    `message` is a Task or a Subtask (both have `started_at` and `finished_at`).
    """
    if not message.HasField("started_at"):
        return 0
    end = int(message.finished_at.seconds) if message.HasField("finished_at") else int(now)
    return max(0, end - int(message.started_at.seconds))


NO_SLAVE = "master"
"""A task's `slave` while none of its executions has one (none routed yet, or none could be):
OpenC3's pages build the kill URL and the log socket from it, so it is never empty. Routes
taking a `{slave}` segment ignore it."""


def task_status(task: common_pb2.Task) -> dict[str, str]:
    """What a submit, redo, kill or control answers: the task's uuid and status word."""
    return {"uuid": task.uuid, "status": word(words.TASK_STATUS, task.status)}


def slave_of(task: common_pb2.Task) -> str:
    """The slaves its executions run on, joined by `,`; `NO_SLAVE` when there are none."""
    slaves = dict.fromkeys([*task.slaves, *(e.slave for e in task.executions if e.slave)])
    return ",".join(slaves) or NO_SLAVE


def log_uuid(task_uuid: str, subtask: common_pb2.Subtask) -> str:
    """OpenC3's `loguuid` of one step: task uuid + step uuid + step type (`cmd`, `scp`)."""
    return f"{task_uuid}{subtask.uuid}{plugin_type(subtask.step)}"


def quick_task_status(task: common_pb2.Task) -> dict[str, str]:
    """What a plugin_cmd / plugin_scp submit answers: the status, with `slave` and the
    `loguuid` of its one step, which the quick page opens the log socket with."""
    steps = task.subtasks
    return {
        **task_status(task),
        "slave": slave_of(task),
        "loguuid": log_uuid(task.uuid, steps[0]) if steps else task.uuid,
    }


def status_counts(
    counts: Iterable[task_pb2.TaskStatusCount], always: Iterable[str]
) -> dict[str, int]:
    """Task counts by OpenC3's word (statuses sharing a word add up); `always` words are there,
    0 when no task has them."""
    found = dict.fromkeys(always, 0)
    for count in counts:
        shown = word(words.TASK_STATUS, count.status)
        found[shown] = found.get(shown, 0) + count.count
    return found


def task_row(task: common_pb2.Task, now: float) -> dict[str, Any]:
    """A task as OpenC3 lists it."""
    return {
        "id": task.id,
        "uuid": task.uuid,
        "name": task.name,
        "user": task.submitter,
        "slave": slave_of(task),
        "status": word(words.TASK_STATUS, task.status),
        "starttime": format_time(task, "started_at"),
        "finishtime": format_time(task, "finished_at"),
        "calltype": task.call_type,
        "jobtype": words.JOB_TYPE.get(task.job_type, task.job_type),
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
        "status": word(words.EXECUTION_STATUS, execution.status),
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
        "logdropped": execution.log_dropped_bytes,  # > 0: the log was cut at the master's cap
    }


def subtask_row(subtask: common_pb2.Subtask, now: float) -> dict[str, Any]:
    """One step of a task as it runs; `extended` is the step (variables substituted)."""
    return {
        "id": subtask.id,
        "subtask_type": plugin_type(subtask.step),
        "uuid": subtask.uuid,
        "nodecount": subtask.node_count,
        "starttime": format_time(subtask, "started_at"),
        "finishtime": format_time(subtask, "finished_at"),
        "runtime": runtime(subtask, now),
        "status": word(words.SUBTASK_STATUS, subtask.status),
        "pause": subtask.pause,
        "extended": step_fields(subtask.step),
    }


def task_detail(task: common_pb2.Task, now: float) -> dict[str, Any]:
    """A task row plus one `nodes` entry per execution and one `subtasks` entry per step."""
    return {
        **task_row(task, now),
        "nodes": [node_row(e) for e in task.executions],
        "subtasks": [subtask_row(s, now) for s in task.subtasks],
    }
