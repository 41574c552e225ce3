"""Crontab rules (what a valid crontab is; every refusal names the request field) and the
service the servicer calls, which tells the scheduler about each change."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from master.catalogue import validate
from master.cron.expression import Schedule, ScheduleError, zone
from master.db.connection import DbRunner
from master.db.models import Crontab, CrontabFire
from master.domain import CrontabInput, CrontabStatus, ListFilter, Policy
from master.errors import InvalidArgument, NotFound
from master.store import crontabs, fires, jobs, projects

DEFAULT_FIRES, MAX_FIRES = 5, 1000
DEFAULT_GRACE, MAX_GRACE = 300, 7 * 86400


@dataclass(frozen=True)
class CrontabView:
    row: Crontab  # with its job
    next_fire: int | None  # unix seconds; None when unavailable
    fires: list[CrontabFire]  # newest first


def columns(project_id: int, wanted: CrontabInput, default_zone: str, now: float) -> dict[str, Any]:
    """The checked column values of a crontab."""
    projects.require_project(project_id)
    validate.text("name", wanted.name, 255)
    time_zone = wanted.time_zone.strip() or default_zone
    try:
        zone(time_zone)
    except ScheduleError as exc:
        raise InvalidArgument(str(exc), "time_zone") from exc
    try:
        cron = Schedule(wanted.cron, time_zone)
        cron.next_after(int(now))
    except ScheduleError as exc:
        raise InvalidArgument(f"not a usable cron expression: {exc}", "cron") from exc
    return {
        "name": wanted.name.strip(),
        "job": _job_id(project_id, wanted.job_uuid.strip()),
        "cron": cron.cron,
        "time_zone": time_zone,
        "mutex": _mutex(wanted.mutex),
        **_misfire(wanted.policy, wanted.grace),
    }


def _job_id(project_id: int, uuid: str) -> int:
    if not uuid:
        raise InvalidArgument("name the job to run", "job_uuid")
    try:
        return int(jobs.get(project_id, uuid).id)
    except NotFound as exc:
        raise NotFound(f"job {uuid!r} not found in project {project_id}", "job_uuid") from exc


def _mutex(value: str) -> str:
    if len(value.strip()) > 255:
        raise InvalidArgument("must be at most 255 characters", "mutex")
    return value.strip()


def _misfire(policy: Policy, grace: int) -> dict[str, Any]:
    if not 0 <= grace <= MAX_GRACE:
        raise InvalidArgument(f"must be 0 to {MAX_GRACE} seconds", "misfire_grace_seconds")
    if policy == Policy.SKIP:
        return {"misfire_policy": policy.value, "misfire_grace": 0}
    return {"misfire_policy": policy.value, "misfire_grace": grace or DEFAULT_GRACE}


def views(rows: list[Crontab], fire_limit: int, now: float) -> list[CrontabView]:
    limit = min(fire_limit or DEFAULT_FIRES, MAX_FIRES)
    recent = fires.recent([r.id for r in rows], limit)
    return [CrontabView(r, next_fire(r, now), recent[r.id]) for r in rows]


def next_fire(row: Crontab, now: float) -> int | None:
    """The next fire time at or after now (an overdue one while no master runs it)."""
    if row.status != CrontabStatus.AVAILABLE:
        return None
    try:
        return Schedule(row.cron, row.time_zone).next_after(max(crontabs.base(row), int(now) - 1))
    except ScheduleError:
        return None


class Crontabs:
    """The crontab catalogue; `changed(crontab_id)` is called after each change is stored."""

    def __init__(
        self,
        run_db: DbRunner,
        default_zone: str,
        changed: Callable[[int], None],
        clock: Callable[[], float] = time.time,
        max_per_project: int = 0,
    ) -> None:
        self.run_db = run_db
        self.default_zone = default_zone
        self.changed = changed
        self.clock = clock
        self.max_per_project = max_per_project  # crontabs of one project; 0: no quota

    async def list(
        self, project_id: int, f: ListFilter, fire_limit: int, status: CrontabStatus | None = None
    ) -> tuple[list[CrontabView], int]:
        """A page of the project's crontabs (of that status, when given) and the total."""
        await self.run_db(projects.require_project, project_id)
        rows, total = await self.run_db(crontabs.search, project_id, f, status)
        return await self.run_db(views, rows, fire_limit, self.clock()), total

    async def get(self, project_id: int, crontab_id: int, fire_limit: int = 0) -> CrontabView:
        row = await self.run_db(crontabs.get, project_id, crontab_id)
        return (await self.run_db(views, [row], fire_limit, self.clock()))[0]

    async def create(
        self,
        project_id: int,
        wanted: CrontabInput,
        actor: str,
        status: CrontabStatus = CrontabStatus.AVAILABLE,
    ) -> CrontabView:
        """A new crontab; created unavailable, it fires only once set available."""
        values = await self.run_db(columns, project_id, wanted, self.default_zone, self.clock())
        values["status"] = status.value
        row = await self.run_db(crontabs.create, project_id, values, actor, self.max_per_project)
        self.changed(row.id)
        return await self.get(project_id, row.id)

    async def update(
        self, project_id: int, crontab_id: int, wanted: CrontabInput, actor: str
    ) -> CrontabView:
        values = await self.run_db(columns, project_id, wanted, self.default_zone, self.clock())
        await self.run_db(crontabs.update, project_id, crontab_id, values, actor)
        self.changed(crontab_id)
        return await self.get(project_id, crontab_id)

    async def set_status(
        self, project_id: int, crontab_id: int, status: CrontabStatus, actor: str
    ) -> CrontabView:
        _, changed = await self.run_db(crontabs.set_status, project_id, crontab_id, status, actor)
        if changed:
            self.changed(crontab_id)
        return await self.get(project_id, crontab_id)

    async def delete(self, project_id: int, crontab_id: int) -> None:
        await self.run_db(crontabs.delete, project_id, crontab_id)
        self.changed(crontab_id)
