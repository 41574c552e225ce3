"""The reports' SQL: counts read from task_tally (kept by triggers on task, migration 0020), so
each query reads at most 96 rows per project and day of its window, never the task rows; and a
project's newest tasks by id.

Times are UTC quarter hours (`slot` = epoch seconds // 900): master/reports/ turns local days
and hours into slot ranges and offsets. NO_PROJECT as a project counts every project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import peewee as pw

from master.db.models import Task, TaskTally
from master.domain import NO_PROJECT

SLOT_SECONDS = 900
SLOTS_PER_HOUR = 3600 // SLOT_SECONDS
BANDS = (TaskTally.rt0, TaskTally.rt1, TaskTally.rt2, TaskTally.rt3, TaskTally.rt4)
"""Tasks that ran less than 1, 3, 5, 10 and 30 minutes (each band from the previous bound)."""
BAND_MINUTES = (0, 1, 3, 5, 10, 30)
"""Where each band starts: the five above, then 30+ (the rest, tasks not ended included)."""


def slot_of(instant: dt.datetime) -> int:
    """The quarter hour an aware instant falls in."""
    return int(instant.timestamp()) // SLOT_SECONDS


def runtime_ms(task_id: int, now: dt.datetime) -> int | None:
    """Milliseconds the task has run at `now` (naive UTC); None when it never started."""
    started: dt.datetime | None = Task.select(Task.started_at).where(Task.id == task_id).scalar()
    if started is None:
        return None
    return elapsed_ms(started, now)


def elapsed_ms(started: dt.datetime, now: dt.datetime) -> int:
    """Milliseconds from `started` to `now`, never negative (a task's runtime_ms)."""
    return max(0, round((now - started).total_seconds() * 1000))


def recent(project_id: int, count: int) -> list[Task]:
    """The project's newest `count` tasks by id (creation), started or not."""
    query = Task.select(
        Task.id,
        Task.uuid,
        Task.name,
        Task.submitter,
        Task.status,
        Task.started_at,
        Task.finished_at,
        Task.runtime_ms,
    )
    if project_id != NO_PROJECT:
        query = query.where(Task.project == project_id)
    return list(query.order_by(Task.id.desc()).limit(count))


def _tally(project_id: int, *columns: pw.Node) -> Any:
    query = TaskTally.select(*columns)
    if project_id != NO_PROJECT:
        query = query.where(TaskTally.project_id == project_id)
    return query


def per_range(project_id: int, bounds: Sequence[int]) -> list[tuple[int, int]]:
    """(started, ended success) in each slot range [bounds[i], bounds[i + 1])."""
    per_slot = (
        _tally(
            project_id,
            TaskTally.slot,
            pw.fn.SUM(TaskTally.total).alias("total"),
            pw.fn.SUM(TaskTally.success).alias("success"),
        )
        .where(TaskTally.slot >= bounds[0], TaskTally.slot < bounds[-1])
        .group_by(TaskTally.slot)  # one row a slot first: the ranges' CASE on few rows
        .alias("per_slot")
    )
    which = pw.Case(None, [(per_slot.c.slot < b, i) for i, b in enumerate(bounds[1:])])
    query = (
        pw.Select([per_slot], [which, pw.fn.SUM(per_slot.c.total), pw.fn.SUM(per_slot.c.success)])
        .group_by(pw.SQL("1"))
        .bind(TaskTally._meta.database)
    )
    found = {int(i): (int(t), int(s)) for i, t, s in query.tuples()}
    return [found.get(i, (0, 0)) for i in range(len(bounds) - 1)]


def per_hour(project_id: int, since: int, offsets: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Started since slot `since`, by local hour of the day (0..23); `offsets`: (first slot,
    UTC offset in slots) of each stretch of constant offset, in order, the first from `since`.
    Hours without tasks are left out."""
    changes = [(TaskTally.slot < s, o) for (_, o), (s, _) in _pairs(offsets)]
    last = offsets[-1][1]
    offset: pw.Node = pw.Case(None, changes, last) if changes else pw.Value(last)
    hours = (TaskTally.slot + offset) / SLOTS_PER_HOUR  # local hours since the epoch
    hour = hours - 24 * (hours / 24)  # of the day, without `%` (psycopg2 reads it as a param)
    query = (
        _tally(project_id, hour, pw.fn.SUM(TaskTally.total))
        .where(TaskTally.slot >= since)
        .group_by(pw.SQL("1"))
        .having(pw.fn.SUM(TaskTally.total) > 0)
    )
    return {int(h): int(n) for h, n in query.tuples()}


def _pairs(offsets: Sequence[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return list(zip(offsets, offsets[1:], strict=False))


def per_band(project_id: int, since: int) -> tuple[int, list[int]]:
    """(started since slot `since`, how many of them in each band of BANDS)."""
    sums = [pw.fn.COALESCE(pw.fn.SUM(c), 0) for c in (TaskTally.total, *BANDS)]
    row = _tally(project_id, *sums).where(TaskTally.slot >= since).tuples().get()
    total, *bands = (int(v) for v in row)
    return total, bands


def per_project(project_id: int, since: int) -> list[tuple[int, int]]:
    """(project, started since slot `since`), most first, then by project; none left out but
    projects without any."""
    count = pw.fn.SUM(TaskTally.total)
    query = (
        _tally(project_id, TaskTally.project_id, count)
        .where(TaskTally.slot >= since)
        .group_by(TaskTally.project_id)
        .having(count > 0)
        .order_by(count.desc(), TaskTally.project_id)
    )
    return [(int(p), int(n)) for p, n in query.tuples()]
