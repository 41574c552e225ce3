"""Protobuf <-> domain values for a task's log entries (TaskService.ListRunLogs and the notes)."""

from __future__ import annotations

from jobfleet.v1 import task_pb2
from master.rpc.convert.task import execution
from master.rpc.convert.timestamps import timestamp
from master.tasks.runlogs import LogEntry, RunLogQuery


def query(req: task_pb2.ListRunLogsRequest) -> RunLogQuery:
    return RunLogQuery(
        project_id=req.project_id,
        task_id=req.task_id,
        ids=tuple(req.ids),
        order_by=tuple(req.order_by),
        limit=req.limit,
        offset=req.offset,
        max_bytes=req.max_bytes,
    )


def entry(e: LogEntry) -> task_pb2.RunLogEntry:
    found = task_pb2.RunLogEntry(
        id=e.id,
        task_id=e.task_id,
        created_at=timestamp(e.created_at),
        note=e.note is not None,
        text=e.text,
        truncated=e.truncated,
    )
    if e.note is not None:
        found.author = e.note.author
    if e.execution is not None:
        found.execution.CopyFrom(execution(e.execution, e.step_uuid))
    return found
