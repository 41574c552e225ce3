"""Crontabs: create, edit, status, delete, list; and what the scheduler loads of them.

Every edit and status change bumps `revision`, so a master holding an older copy in memory has
its claim refused (store/fires.py) and reloads. A new cron, time zone or a resume moves
`schedule_from` to now: the crontab fires after that, never for the time before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from master.db.connection import write_transaction
from master.db.models import Crontab, Job, utcnow
from master.domain import CrontabStatus, ListFilter, Scheduled
from master.errors import AlreadyExists, NotFound, ResourceExhausted
from master.store.filters import audited, page

RESCHEDULING = ("cron", "time_zone")  # fields whose change restarts the schedule from now


def too_many_crontabs(project_id: int, limit: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"over quota: project {project_id} has {limit} crontabs, the most it may have "
        "(--max-crontabs)"
    )


def _with_job() -> Any:
    return Crontab.select(Crontab, Job).join(Job)


def get(project_id: int, crontab_id: int) -> Crontab:
    row: Crontab | None = (
        _with_job().where((Crontab.id == crontab_id) & (Crontab.project == project_id)).first()
    )
    if row is None:
        raise NotFound(f"crontab {crontab_id} not found in project {project_id}", "id")
    return row


def search(
    project_id: int, f: ListFilter, status: CrontabStatus | None = None
) -> tuple[list[Crontab], int]:
    query = audited(_with_job().where(Crontab.project == project_id), Crontab, f, Crontab.name)
    if f.job_name_contains:
        query = query.where(Job.name.contains(f.job_name_contains))
    if status is not None:
        query = query.where(Crontab.status == status)
    return page(query, f, Crontab.id)


def create(project_id: int, values: dict[str, Any], actor: str, max_count: int = 0) -> Crontab:
    """A new crontab, refused past the project's `max_count` crontabs (0: no quota)."""
    now = utcnow()
    try:
        with write_transaction():
            if max_count and _count(project_id, max_count) >= max_count:
                raise too_many_crontabs(project_id, max_count)
            row: Crontab = Crontab.create(
                project=project_id,
                create_user=actor,
                edit_user=actor,
                create_time=now,
                edit_time=now,
                schedule_from=now,
                **values,
            )
    except pw.IntegrityError as exc:
        raise _taken(values["name"]) from exc
    return get(project_id, row.id)


def _count(project_id: int, limit: int) -> int:
    query = Crontab.select(Crontab.id).where(Crontab.project == project_id)
    return int(query.limit(limit).count())


def update(project_id: int, crontab_id: int, values: dict[str, Any], actor: str) -> Crontab:
    now = utcnow()
    try:
        with write_transaction():
            row = get(project_id, crontab_id)
            changes: dict[Any, Any] = {"edit_user": actor, "edit_time": now, **values}
            if any(getattr(row, k) != values[k] for k in RESCHEDULING):
                changes["schedule_from"] = now
            Crontab.update(revision=Crontab.revision + 1, **changes).where(
                Crontab.id == row.id
            ).execute()
    except pw.IntegrityError as exc:
        raise _taken(values["name"]) from exc
    return get(project_id, crontab_id)


def set_status(
    project_id: int, crontab_id: int, status: CrontabStatus, actor: str
) -> tuple[Crontab, bool]:
    """The crontab, and whether its status changed."""
    now = utcnow()
    with write_transaction():
        row = get(project_id, crontab_id)
        if row.status == status:
            return row, False
        changes: dict[Any, Any] = {"status": status, "edit_user": actor, "edit_time": now}
        if status == CrontabStatus.AVAILABLE:
            changes["schedule_from"] = now
        Crontab.update(revision=Crontab.revision + 1, **changes).where(
            Crontab.id == row.id
        ).execute()
    return get(project_id, crontab_id), True


def delete(project_id: int, crontab_id: int) -> None:
    get(project_id, crontab_id).delete_instance()


def _taken(name: str) -> AlreadyExists:
    return AlreadyExists(f"a crontab named {name!r} exists in this project", "name")


def base(row: Crontab) -> int:
    """The instant after which the crontab's fire times are still to come."""
    latest = max(row.schedule_from, row.through) if row.through else row.schedule_from
    return unix(latest)


def load(ids: list[int] | None = None) -> list[Scheduled]:
    """The available crontabs (all, or those of `ids`), as the scheduler keeps them."""
    query = _with_job().where(Crontab.status == CrontabStatus.AVAILABLE)
    if ids is not None:
        query = query.where(Crontab.id.in_(ids))
    return [
        Scheduled(
            id=r.id,
            project_id=r.project_id,
            revision=r.revision,
            cron=r.cron,
            time_zone=r.time_zone,
            mutex=r.mutex,
            policy=r.misfire_policy,
            grace=r.misfire_grace,
            job_uuid=r.job.uuid,
            submitter=r.edit_user or "crontab",
            base=base(r),
        )
        for r in query
    ]


def unix(value: dt.datetime) -> int:
    """Whole unix seconds of a naive-UTC datetime (rounded down)."""
    return int(value.replace(tzinfo=dt.UTC).timestamp() // 1)


def naive(seconds: float) -> dt.datetime:
    """The naive-UTC datetime the database stores for unix `seconds`."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)
