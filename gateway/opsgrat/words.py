"""OpsGrat's words for what a run row shows, one table per enum or code, as its document's
example writes them (`state_name: "失败"`, `verbosity_name: "Normal"`, ...).

`state`: a task waiting for `next` or for a decision is `waiting`; a killed one, and one whose
step failed or timed out on some node, is `failed` (its `reason` says which). `kind`: a run of a
template (a job) is `job`, an ad-hoc command or copy (OpenC3's plugin_cmd, plugin_scp, or a
`module` launched here) is `adhoc`.
"""

from __future__ import annotations

from collections.abc import Mapping

from jobfleet.v1 import common_pb2

STATE: Mapping[common_pb2.TaskStatus, str] = {
    common_pb2.TASK_STATUS_INIT: "new",
    common_pb2.TASK_STATUS_RUNNING: "running",
    common_pb2.TASK_STATUS_WAITING: "waiting",
    common_pb2.TASK_STATUS_DECISION: "waiting",
    common_pb2.TASK_STATUS_SUCCESS: "successful",
    common_pb2.TASK_STATUS_FAIL: "failed",
    common_pb2.TASK_STATUS_KILLED: "failed",
    common_pb2.TASK_STATUS_REFUSE: "failed",
}
STATE_WORDS = ("new", "waiting", "running", "successful", "failed")
"""The document's words, in its order (what a `state` filter takes)."""
STATE_NAME: Mapping[str, str] = {
    "new": "新建",
    "waiting": "等待中",
    "running": "运行中",
    "successful": "成功",
    "failed": "失败",
}

KIND: Mapping[str, str] = {"job": "job", "plugin_cmd": "adhoc", "plugin_scp": "adhoc"}
"""Task.job_type -> OpsGrat's `kind`."""
KIND_WORDS = ("job", "adhoc")
KIND_NAME: Mapping[str, str] = {"job": "自动化作业", "adhoc": "批量命令"}
JOB_TYPES: Mapping[str, tuple[str, ...]] = {"job": ("job",), "adhoc": ("plugin_cmd", "plugin_scp")}
"""A `kind` filter -> the Task.job_types it lists."""

JOB_TYPE_WORDS = ("run", "check")
"""`job_type`: a run, or a check (a dry run: RunOptions.check)."""

VERBOSITY_NAME: Mapping[int, str] = {
    0: "Normal",
    1: "Verbose",
    2: "More Verbose",
    3: "Debug",
    4: "Connection Debug",
}
YES_NO: Mapping[int, str] = {0: "否", 1: "是"}
"""`become_enabled_name`, `diff_mode_name`, `force_handlers_name`."""

COMMAND_MODULES = ("shell", "command", "raw", "script")
"""Ad-hoc modules that run `arguments` as a shell script (SubmitCommand)."""
COPY_MODULE = "copy"
"""The ad-hoc module that copies a file (SubmitCopy) from `src=` to `dest=`."""
MODULES = (*COMMAND_MODULES, COPY_MODULE)
