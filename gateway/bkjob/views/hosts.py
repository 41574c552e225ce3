"""The step a client asks about, and which of its executions ran on each host it asks about.

An execution is on the host it recorded when it was written (`Execution.ip`, `.cloud_id`). A
host none of the step's executions is on is refused, naming it in `ip_list`, once every node of
the step has its execution or the step has ended; before that (the step has not started, or a
copy's destinations wait for its source to be fetched) it may still be one of them, and is
answered with no log yet.
"""

from __future__ import annotations

from collections import defaultdict

from gateway.bkjob.asked import Host, canonical
from gateway.errors import FieldError
from jobfleet.v1 import common_pb2

ENDED = frozenset(
    {
        common_pb2.SUBTASK_STATUS_SUCCESS,
        common_pb2.SUBTASK_STATUS_FAIL,
        common_pb2.SUBTASK_STATUS_IGNORE,
        common_pb2.SUBTASK_STATUS_KILLED,
        common_pb2.SUBTASK_STATUS_REFUSE,
        common_pb2.SUBTASK_STATUS_SKIPPED,
    }
)
"""A step in these writes no more executions (a decision may still run some again)."""


def step_of(task: common_pb2.Task, step_instance_id: int) -> common_pb2.Subtask:
    steps: list[common_pb2.Subtask] = list(task.subtasks)
    for step in steps:
        if step.id == step_instance_id:
            return step
    raise FieldError(
        "step_instance_id",
        f"job instance {task.id} has no step instance {step_instance_id}",
        status=404,
    )


def executions_of(task: common_pb2.Task, step: common_pb2.Subtask) -> list[common_pb2.Execution]:
    """The step's executions (the latest attempt on each node), in the order they were written."""
    return [e for e in task.executions if e.subtask_uuid == step.uuid]


def host_of(execution: common_pb2.Execution) -> Host:
    return Host(execution.cloud_id, canonical(execution.ip))


def on_hosts(
    asked: list[Host], step: common_pb2.Subtask, executions: list[common_pb2.Execution]
) -> dict[Host, list[common_pb2.Execution]]:
    """Each asked host -> the step's executions on it; a host with none is refused (404 naming
    `ip_list[i]`) when every node of the step has its execution, or the step has ended."""
    found: dict[Host, list[common_pb2.Execution]] = defaultdict(list)
    for execution in executions:
        found[host_of(execution)].append(execution)
    settled = step.status in ENDED or set(step.nodes) <= {e.node for e in executions}
    for index, host in enumerate(asked):
        if host not in found and settled:
            raise FieldError(
                f"ip_list[{index}]",
                f"host {host.cloud_id}:{host.ip} ran nothing in step instance {step.id}",
                status=404,
            )
    return {host: found.get(host, []) for host in asked}
