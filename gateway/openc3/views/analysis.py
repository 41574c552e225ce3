"""OpenC3's dashboard reports (`/task/{projectid}/analysis/*`) from ReportService answers: its
shapes exactly, counts as JSON numbers."""

from __future__ import annotations

from typing import Any

from gateway.openc3 import words
from gateway.openc3.views.tasks import format_time, runtime
from gateway.words import word
from jobfleet.v1 import report_pb2

LAST_KEYS = ("user", "runtime", "starttime", "finishtime", "status", "name")


def recent_row(task: report_pb2.RecentTask, now: float) -> dict[str, Any]:
    """A task as `last` shows it: those six keys only. `runtime`: seconds from start to end
    (to the millisecond), or so far while it runs; 0 before it starts."""
    ran = task.runtime_ms / 1000 if task.HasField("runtime_ms") else runtime(task, now)
    return {
        "user": task.submitter,
        "runtime": round(ran, 3),
        "starttime": format_time(task, "started_at"),
        "finishtime": format_time(task, "finished_at"),
        "status": word(words.TASK_STATUS, task.status),
        "name": task.name,
    }


def days(reply: report_pb2.DailyCountsResponse) -> list[list[Any]]:
    """`[date, all, success]` per day, oldest first."""
    return [[d.date, d.total, d.success] for d in reply.days]


def hours(reply: report_pb2.HourlyCountsResponse) -> list[list[Any]]:
    """`[HH, count]` per hour that has tasks, by hour."""
    return [[f"{h.hour:02d}", h.count] for h in reply.hours]


def band_name(band: report_pb2.RuntimeBand) -> str:
    if not band.to_minutes:
        return f"{band.from_minutes}+"
    return f"{band.from_minutes}-{band.to_minutes}"


def runtime_shares(reply: report_pb2.RuntimeBandsResponse) -> dict[str, str | int]:
    """Each band's share of the tasks as a percentage with 2 decimals ("33.33"); all the number
    0 when there are none (OpenC3's page parses either)."""
    if not reply.total:
        return {band_name(b): 0 for b in reply.bands}
    return {band_name(b): f"{100 * b.count / reply.total:.2f}" for b in reply.bands}


def project_counts(reply: report_pb2.ProjectCountsResponse) -> list[dict[str, Any]]:
    """`{id, count, name}` per project, most first; `name` is the project id, as OpenC3's."""
    return [
        {"id": p.project_id, "count": p.count, "name": str(p.project_id)} for p in reply.projects
    ]
