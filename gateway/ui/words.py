"""What the console calls the master's states: one lower-case word each (also the CSS class a
state is coloured by)."""

from __future__ import annotations

from jobfleet.v1 import common_pb2

TASK_STATUS = {
    value: name.removeprefix("TASK_STATUS_").lower()
    for name, value in common_pb2.TaskStatus.items()
}
EXECUTION_STATUS = {
    value: name.removeprefix("EXECUTION_STATUS_").lower()
    for name, value in common_pb2.ExecutionStatus.items()
}
SUBTASK_STATUS = {
    value: name.removeprefix("SUBTASK_STATUS_").lower()
    for name, value in common_pb2.SubtaskStatus.items()
}
