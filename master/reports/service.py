"""The dashboard's reports: one store read each, on the database thread, in the master's zone.

A report's project is a project id, or NO_PROJECT for every project (the admin's request naming
none; a project token's is narrowed to its project before it gets here: master/rpc/auth.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from master.db.connection import DbRunner
from master.db.models import Task
from master.domain import NO_PROJECT, SHARED_PROJECT
from master.errors import InvalidArgument
from master.reports import calendar
from master.store import projects, reports

DEFAULT_RECENT = 10
MAX_RECENT = 1000


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    total: int
    success: int


@dataclass(frozen=True)
class Band:
    """Tasks that ran from `from_minutes` up to `to_minutes` (0: no bound, or not ended)."""

    from_minutes: int
    to_minutes: int
    count: int


def recent(project_id: int, count: int) -> list[Task]:
    if not 0 <= count <= MAX_RECENT:
        raise InvalidArgument(f"must be 0 to {MAX_RECENT} (0: {DEFAULT_RECENT})", "count")
    return reports.recent(project_id, count or DEFAULT_RECENT)


def daily(project_id: int, now: float, zone: ZoneInfo) -> list[DayCount]:
    """Started and ended `success` per local day, the 30 days up to today, oldest first."""
    days, bounds = calendar.last_days(now, zone)
    counts = reports.per_range(project_id, bounds)
    return [DayCount(d, total, success) for d, (total, success) in zip(days, counts, strict=True)]


def hourly(project_id: int, now: float, zone: ZoneInfo) -> dict[int, int]:
    """Started in the window per local hour of the day; hours without tasks left out."""
    since = calendar.window_start(now, zone)
    until = reports.slot_of(dt.datetime.fromtimestamp(now, dt.UTC)) + 24 * 4
    return reports.per_hour(project_id, since, calendar.offsets(since, until, zone))


def runtimes(project_id: int, now: float, zone: ZoneInfo) -> tuple[int, list[Band]]:
    """(started in the window, how many per run-time band: 0-1, 1-3, 3-5, 5-10, 10-30, 30+
    minutes, the last one also holding tasks not ended)."""
    total, bounded = reports.per_band(project_id, calendar.window_start(now, zone))
    counts = [*bounded, total - sum(bounded)]
    edges = [*reports.BAND_MINUTES, 0]
    return total, [Band(edges[i], edges[i + 1], n) for i, n in enumerate(counts)]


def per_project(project_id: int, now: float, zone: ZoneInfo) -> list[tuple[int, int]]:
    """(project, started in the window), most first."""
    return reports.per_project(project_id, calendar.window_start(now, zone))


class Reports:
    """The reports in the master's zone, read on the database threads."""

    def __init__(
        self, run_db: DbRunner, time_zone: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.run_db = run_db
        self.zone = ZoneInfo(time_zone)
        self.clock = clock

    async def recent(self, project_id: int, count: int) -> list[Task]:
        await self._known(project_id)
        return await self.run_db(recent, project_id, count)

    async def daily(self, project_id: int, page_project_id: int = 0) -> list[DayCount]:
        await self._known(project_id, page_project_id)
        return await self.run_db(daily, project_id, self.clock(), self.zone)

    async def hourly(self, project_id: int) -> dict[int, int]:
        await self._known(project_id)
        return await self.run_db(hourly, project_id, self.clock(), self.zone)

    async def runtimes(self, project_id: int) -> tuple[int, list[Band]]:
        await self._known(project_id)
        return await self.run_db(runtimes, project_id, self.clock(), self.zone)

    async def per_project(self, project_id: int, page_project_id: int = 0) -> list[tuple[int, int]]:
        await self._known(project_id, page_project_id)
        return await self.run_db(per_project, project_id, self.clock(), self.zone)

    async def _known(self, *project_ids: int) -> None:
        """NOT_FOUND for a project named that does not exist (NO_PROJECT and 0 name none):
        counting nothing for a typo would read as "no tasks"."""
        for project_id in project_ids:
            if project_id not in (NO_PROJECT, SHARED_PROJECT):
                await self.run_db(projects.require_project, project_id)
