"""OpenC3's words for the proto's enums, one table per enum: value -> word.

The proto has one status vocabulary; OpenC3's document shows it in these words. `gateway.words`
reads a table (`word`) and parses a client's word back (`value_of`).
"""

from __future__ import annotations

from collections.abc import Mapping

from jobfleet.v1 import common_pb2, crontab_pb2, task_pb2

# A task in the words OpenC3's pages know (`"" init running waiting success fail refuse`): a task
# paused or waiting for a decision is `waiting`, a killed one `fail` (its reason says who killed
# it). Several values share a word, so a filter by word asks for all of them (`values_of`).
TASK_STATUS: Mapping[common_pb2.TaskStatus, str] = {
    common_pb2.TASK_STATUS_INIT: "init",
    common_pb2.TASK_STATUS_RUNNING: "running",
    common_pb2.TASK_STATUS_SUCCESS: "success",
    common_pb2.TASK_STATUS_FAIL: "fail",
    common_pb2.TASK_STATUS_KILLED: "fail",
    common_pb2.TASK_STATUS_DECISION: "waiting",
    common_pb2.TASK_STATUS_WAITING: "waiting",
    common_pb2.TASK_STATUS_REFUSE: "refuse",
}
# The words a task list may be filtered by (a refused approval stopped a `refuse` task).
TASK_STATUS_WORDS = ("init", "running", "waiting", "success", "fail", "refuse")

# A step in the words of OpenC3's task page (`"" running success fail decision ignore refuse`):
# a step not reached yet has no status, a killed one is `fail` (the page has no other word for a
# step that ended without succeeding). A paused step is `success` with its `pause` set.
SUBTASK_STATUS: Mapping[common_pb2.SubtaskStatus, str] = {
    common_pb2.SUBTASK_STATUS_INIT: "",
    common_pb2.SUBTASK_STATUS_RUNNING: "running",
    common_pb2.SUBTASK_STATUS_SUCCESS: "success",
    common_pb2.SUBTASK_STATUS_FAIL: "fail",
    common_pb2.SUBTASK_STATUS_DECISION: "decision",
    common_pb2.SUBTASK_STATUS_IGNORE: "ignore",
    common_pb2.SUBTASK_STATUS_KILLED: "fail",
    common_pb2.SUBTASK_STATUS_REFUSE: "refuse",
    common_pb2.SUBTASK_STATUS_SKIPPED: "",  # OpenC3 leaves a skipped step's status empty
}

# Task.job_type -> OpenC3's `jobtype`: `jobs` opens the job's steps, `plugin_<type>` the quick
# view, whose step log uuid ends with the part after `_`.
JOB_TYPE: Mapping[str, str] = {
    "job": "jobs",
    "plugin_cmd": "plugin_cmd",
    "plugin_scp": "plugin_scp",
    "plugin_approval": "plugin_approval",
}

SUBTASK_CONTROL: Mapping[task_pb2.SubtaskControl, str] = {
    task_pb2.SUBTASK_CONTROL_NEXT: "next",
    task_pb2.SUBTASK_CONTROL_FAIL: "fail",
    task_pb2.SUBTASK_CONTROL_RUNNING: "running",
    task_pb2.SUBTASK_CONTROL_IGNORE: "ignore",
}

# node_type / src_type / dst_type of a job step.
NODE_TYPE: Mapping[common_pb2.NodeSelectorType, str] = {
    common_pb2.NODE_SELECTOR_TYPE_BUILTIN: "builtin",
    common_pb2.NODE_SELECTOR_TYPE_GROUP: "group",
    common_pb2.NODE_SELECTOR_TYPE_VARIABLE: "variable",
    common_pb2.NODE_SELECTOR_TYPE_FILESERVER: "fileserver",
}

EXECUTION_STATUS: Mapping[common_pb2.ExecutionStatus, str] = {
    common_pb2.EXECUTION_STATUS_PENDING: "pending",
    common_pb2.EXECUTION_STATUS_RUNNING: "running",
    common_pb2.EXECUTION_STATUS_SUCCESS: "success",
    common_pb2.EXECUTION_STATUS_FAIL: "fail",
    common_pb2.EXECUTION_STATUS_TIMEOUT: "timeout",
    common_pb2.EXECUTION_STATUS_KILLED: "killed",
    common_pb2.EXECUTION_STATUS_LOST: "lost",
    common_pb2.EXECUTION_STATUS_QUEUED: "queued",
}

SCRIPT_TYPE: Mapping[common_pb2.ScriptType, str] = {
    common_pb2.SCRIPT_TYPE_SHELL: "shell",
    common_pb2.SCRIPT_TYPE_PYTHON: "python",
    common_pb2.SCRIPT_TYPE_PERL: "perl",
}

CRONTAB_STATUS: Mapping[crontab_pb2.CrontabStatus, str] = {
    crontab_pb2.CRONTAB_STATUS_AVAILABLE: "available",
    crontab_pb2.CRONTAB_STATUS_UNAVAILABLE: "unavailable",
}

# Not in the document (it has no misfire handling): our words, the master's policy names.
MISFIRE_POLICY: Mapping[crontab_pb2.MisfirePolicy, str] = {
    crontab_pb2.MISFIRE_POLICY_SKIP: "skip",
    crontab_pb2.MISFIRE_POLICY_RUN_ONCE: "run_once",
}

FIRE_OUTCOME: Mapping[crontab_pb2.CrontabFireOutcome, str] = {
    crontab_pb2.CRONTAB_FIRE_OUTCOME_STARTED: "started",
    crontab_pb2.CRONTAB_FIRE_OUTCOME_SKIPPED_MUTEX: "skipped_mutex",
    crontab_pb2.CRONTAB_FIRE_OUTCOME_MISFIRED: "misfired",
    crontab_pb2.CRONTAB_FIRE_OUTCOME_FAILED: "failed",
}
