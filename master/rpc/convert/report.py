"""The reports' values -> ReportService messages."""

from __future__ import annotations

from jobfleet.v1 import report_pb2 as pb
from master.db.models import Task
from master.domain import TaskStatus
from master.reports.service import Band, DayCount
from master.rpc.convert.task import TASK_STATUS
from master.rpc.convert.timestamps import timestamp


def recent_task(row: Task) -> pb.RecentTask:
    return pb.RecentTask(
        id=row.id,
        uuid=row.uuid,
        name=row.name,
        submitter=row.submitter,
        status=TASK_STATUS[TaskStatus(row.status)],
        started_at=timestamp(row.started_at),
        finished_at=timestamp(row.finished_at),
        runtime_ms=row.runtime_ms,
    )


def day(count: DayCount) -> pb.DayCount:
    return pb.DayCount(date=count.day.isoformat(), total=count.total, success=count.success)


def band(count: Band) -> pb.RuntimeBand:
    return pb.RuntimeBand(
        from_minutes=count.from_minutes, to_minutes=count.to_minutes, count=count.count
    )
