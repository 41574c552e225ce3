"""An execution as cloud-act2's JobRecordResult (JobRecordItem on the page): one row per
execution, the host's outcome; its `stdout` and `stderr` are streamed after these fields
(`routes.record`).

cloud-act2 runs one script per record, so it has a row per host. A jobfleet task may have
several steps, and a node may be run again (`running` after a failure): each execution is a row,
told apart by `stepId` (the step's numeric id) and `attempt`, jobfleet's keys besides the
document's. A machine is known by its node name: `hostId` and `entityId` are that name,
`hostIp` its IP (the node's name while none is recorded), `idcName` its cloud area (`cloud_id`,
0 = the default area), the network zone a cloud-act2 IDC stands for.
"""

from __future__ import annotations

from typing import Any

from gateway.cloudact2 import words
from gateway.cloudact2.views.records import format_time
from gateway.words import word
from jobfleet.v1 import common_pb2


def result_fields(task: common_pb2.Task, execution: common_pb2.Execution) -> dict[str, Any]:
    """The row's fields but its output."""
    steps = {sub.uuid: sub.id for sub in task.subtasks}
    return {
        "recordId": task.uuid,
        "hostIp": execution.ip or execution.node,
        "hostId": execution.node,
        "entityId": execution.node,
        "idcName": str(execution.cloud_id),
        "status": word(words.HOST_STATUS, execution.status),
        "message": execution.reason,
        "startTime": format_time(execution, "started_at"),
        "endTime": format_time(execution, "finished_at"),
        "stepId": steps.get(execution.subtask_uuid, 0),
        "attempt": execution.attempt,
    }


def executions_in_order(task: common_pb2.Task) -> list[common_pb2.Execution]:
    """The task's executions by step, then as they were made."""
    position = {sub.uuid: sub.position for sub in task.subtasks}
    return sorted(task.executions, key=lambda e: (position.get(e.subtask_uuid, 0), e.id))
