"""A task as cloud-act2's JobRecordInfo: what ran (script, module, hosts, parameters), how far it
got and how it ended, in cloud-act2's words and time format.

cloud-act2's record is one script or one file sent to hosts. A task of one step (plugin_cmd,
plugin_scp, a job of one step) maps field for field; a task of several steps is module `job`, its
`script` and `script_type` empty, its `timeout` the sum of its steps' (the longest its steps may
run one after another), and its `parameters` list every step in cloud-act2's ExecParam shape.
"""

from __future__ import annotations

import json
import time
from typing import Any

from gateway.cloudact2 import words
from gateway.words import word
from jobfleet.v1 import common_pb2

DEFAULT_TIMEOUT = 60
"""A step's timeout when it names none (the master's default)."""


def format_time(message: Any, field: str) -> str:
    """The timestamp `field` of `message` in cloud-act2's format, RFC 3339 to the second (as Go
    writes its MySQL times), in UTC: `2024-05-01T10:20:30Z`; "" when unset."""
    if not message.HasField(field):
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(getattr(message, field).seconds))


def result_status(task: common_pb2.Task) -> str:
    """How the task ended ("" while not done); a failure in which a node timed out: `timeout`."""
    ended = word(words.RESULT_STATUS, task.status)
    timed_out = any(e.status == common_pb2.EXECUTION_STATUS_TIMEOUT for e in task.executions)
    if task.status == common_pb2.TASK_STATUS_FAIL and timed_out:
        return words.TIMED_OUT
    return ended


def hosts(task: common_pb2.Task) -> list[str]:
    """Every node the task runs on, each once, in the order its steps name them."""
    named = [node for sub in task.subtasks for node in sub.nodes]
    return list(dict.fromkeys([*named, *(e.node for e in task.executions)]))


def step_parameters(step: common_pb2.Step) -> dict[str, Any]:
    """One step as cloud-act2's ExecParam: `pattern`, `script`, `scriptType`, `params`,
    `runas`, `timeout` (the password cloud-act2 keeps is no part of a jobfleet step)."""
    if step.WhichOneof("kind") == "scp":
        scp = step.scp
        params = {
            "target": scp.dst_path,
            "dst": scp.dst.content,
            "dstType": _selector(scp.dst.type),
            "src": scp.src.content,
            "srcType": _selector(scp.src.type),
            "chown": scp.chown,
            "chmod": scp.chmod,
        }
        return _exec_param("scp", scp.src_path, "", params, scp.user, scp.timeout_seconds)
    cmd = step.cmd
    script_type = word(words.SCRIPT_TYPE, cmd.script_type) if cmd.script_type else ""
    params = {"args": cmd.args}
    return _exec_param("cmd", cmd.script, script_type, params, cmd.user, cmd.timeout_seconds)


def _exec_param(
    kind: str, script: str, script_type: str, params: dict[str, Any], user: str, timeout: int
) -> dict[str, Any]:
    return {
        "pattern": words.MODULE[kind],
        "script": script,
        "scriptType": script_type,
        "params": params,
        "runas": user,
        "timeout": timeout or DEFAULT_TIMEOUT,
    }


def _selector(kind: common_pb2.NodeSelectorType) -> str:
    name = str(common_pb2.NodeSelectorType.Name(kind))
    return name.removeprefix("NODE_SELECTOR_TYPE_").lower()


def what_ran(task: common_pb2.Task) -> dict[str, Any]:
    """`module_name`, `script`, `script_type`, `timeout` and `parameters` of the task."""
    ordered = sorted(task.subtasks, key=lambda sub: sub.position)
    variables = dict(sorted(task.variables.items()))
    if len(ordered) == 1:
        one = step_parameters(ordered[0].step)
        parameters: dict[str, Any] = {**one, "env": variables}
        return _ran(one["pattern"], one["script"], one["scriptType"], one["timeout"], parameters)
    steps = [{"name": sub.step.name, **step_parameters(sub.step)} for sub in ordered]
    parameters = {"pattern": words.SEVERAL_STEPS, "steps": steps, "env": variables}
    total = sum(int(step["timeout"]) for step in steps)
    return _ran(words.SEVERAL_STEPS, "", "", total, parameters)


def _ran(
    module: str, script: str, script_type: str, timeout: int, parameters: dict[str, Any]
) -> dict[str, Any]:
    text = json.dumps(parameters, ensure_ascii=False, separators=(",", ":"))
    return {
        "module_name": module,
        "script": script,
        "script_type": script_type,
        "timeout": timeout,
        "parameters": text,
    }


def record_info(task: common_pb2.Task) -> dict[str, Any]:
    """JobRecordInfo, with the keys cloud-act2's own server and Go client use besides the
    document's (`executeStatus`, `resultStatus`, `startTime`, ...: its clients poll
    `executeStatus` until `done`).

    `start_time` is when the task started (before that, when it was made: cloud-act2 stamps
    a record when it is written); `end_time` when it ended, and until then its start time, as
    cloud-act2 writes a record that is not done (a Go client cannot read "" as a time).
    """
    start = format_time(task, "started_at") or format_time(task, "created_at")
    done = word(words.EXECUTE_STATUS, task.status) == words.DONE
    end = (format_time(task, "finished_at") if done else "") or start
    ran = what_ran(task)
    info = {
        "id": task.uuid,
        "start_time": start,
        "end_time": end,
        "execute_status": word(words.EXECUTE_STATUS, task.status),
        "result_status": result_status(task),
        "callback": task.options.callback_url,
        "hosts": json.dumps(hosts(task), ensure_ascii=False),
        "provider": words.PROVIDER,
        **ran,
    }
    return {**info, **_as_its_server_writes(info, task)}


def _as_its_server_writes(info: dict[str, Any], task: common_pb2.Task) -> dict[str, Any]:
    """The same values under cloud-act2's server's own keys (`model.JobRecord`'s JSON)."""
    return {
        "startTime": info["start_time"],
        "endTime": info["end_time"],
        "executeStatus": info["execute_status"],
        "resultStatus": info["result_status"],
        "scriptType": info["script_type"],
        "pattern": info["module_name"],
        "user": task.submitter,
    }
