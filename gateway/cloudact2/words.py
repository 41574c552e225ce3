"""cloud-act2's words for the proto's enums, one table per enum: value -> word.

A record is a task: `execute_status` says how far it got (init | doing | done), `result_status`
how it ended ("" while not done). A host result is one execution: its `status` says how it
ended, in the same words ("" while not done). cloud-act2 writes `cancelled` for a cancelled
record (its document) and `timeout` for a record or host that timed out.
"""

from __future__ import annotations

from collections.abc import Mapping

from jobfleet.v1 import common_pb2

# A task waiting for a decision or for `next` is still being run: `doing`.
EXECUTE_STATUS: Mapping[common_pb2.TaskStatus, str] = {
    common_pb2.TASK_STATUS_INIT: "init",
    common_pb2.TASK_STATUS_RUNNING: "doing",
    common_pb2.TASK_STATUS_DECISION: "doing",
    common_pb2.TASK_STATUS_WAITING: "doing",
    common_pb2.TASK_STATUS_SUCCESS: "done",
    common_pb2.TASK_STATUS_FAIL: "done",
    common_pb2.TASK_STATUS_KILLED: "done",
    common_pb2.TASK_STATUS_REFUSE: "done",
}
DONE = "done"

# A failed task one of whose executions timed out reads `timeout` (`views.records`).
RESULT_STATUS: Mapping[common_pb2.TaskStatus, str] = {
    common_pb2.TASK_STATUS_INIT: "",
    common_pb2.TASK_STATUS_RUNNING: "",
    common_pb2.TASK_STATUS_DECISION: "",
    common_pb2.TASK_STATUS_WAITING: "",
    common_pb2.TASK_STATUS_SUCCESS: "success",
    common_pb2.TASK_STATUS_FAIL: "fail",
    common_pb2.TASK_STATUS_KILLED: "cancelled",
    common_pb2.TASK_STATUS_REFUSE: "fail",
}
TIMED_OUT = "timeout"

# An execution whose slave vanished (lost) failed; its `message` says so.
HOST_STATUS: Mapping[common_pb2.ExecutionStatus, str] = {
    common_pb2.EXECUTION_STATUS_QUEUED: "",
    common_pb2.EXECUTION_STATUS_PENDING: "",
    common_pb2.EXECUTION_STATUS_RUNNING: "",
    common_pb2.EXECUTION_STATUS_SUCCESS: "success",
    common_pb2.EXECUTION_STATUS_FAIL: "fail",
    common_pb2.EXECUTION_STATUS_TIMEOUT: TIMED_OUT,
    common_pb2.EXECUTION_STATUS_KILLED: "cancelled",
    common_pb2.EXECUTION_STATUS_LOST: "fail",
}

SCRIPT_TYPE: Mapping[common_pb2.ScriptType, str] = {
    common_pb2.SCRIPT_TYPE_SHELL: "shell",
    common_pb2.SCRIPT_TYPE_PYTHON: "python",
    common_pb2.SCRIPT_TYPE_PERL: "perl",
}

# A step's kind -> cloud-act2's module (`pattern`): a script, or a file sent to the hosts. A task
# of several steps is none of them: `job` (jobfleet's word).
MODULE: Mapping[str, str] = {"cmd": "script", "scp": "file"}
SEVERAL_STEPS = "job"

PROVIDER = "jobfleet"
"""cloud-act2 names the channel a record ran through (ssh, salt, puppet); jobfleet's slaves run
a command on their own machine or over SSH, node by node, so the record names the platform."""
