"""Crontab fires: the claim (exactly once), the mutex check, what a restart must finish, history.

A fire time is claimed by inserting its row, unique on (crontab, fire_time), before any task
starts; an insert that changes nothing means another master claimed it first. The same
transaction checks that the crontab is still what the scheduler holds (available, same
revision, fire time after its cursor `through`), checks the mutex, and moves the cursor. The
mutex is held by a task of the project with that mutex that has not ended, or by a fire claimed
to start whose task is not written yet; on PostgreSQL an advisory lock per (project, mutex)
makes two masters' checks take turns (SQLite's write lock already does).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from typing import Any

import peewee as pw

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Crontab, CrontabFire, Job, Task
from master.domain import (
    FINAL_TASK,
    Claim,
    Claimed,
    CrontabStatus,
    Fire,
    Outcome,
    Recorded,
    Unstarted,
)
from master.store.crontabs import naive, unix
from master.store.tasks import unused_uuid

PENDING_WINDOW = dt.timedelta(minutes=10)  # a claim older than this no longer holds its mutex
LOCK_CLASS = 0x63726F6E  # "cron": the high half of the advisory lock key
FINAL = [s.value for s in FINAL_TASK]


def claim(claims: list[Claim], now: dt.datetime) -> list[Claimed]:
    """Claim each crontab's fires in one transaction."""
    with write_transaction():
        rows = {
            r.id: r for r in Crontab.select().where(Crontab.id.in_([c.crontab_id for c in claims]))
        }
        _lock_mutexes({(r.project_id, r.mutex) for r in rows.values() if r.mutex})
        holders: dict[tuple[int, str], str] = {}
        return [_claim_one(c, rows.get(c.crontab_id), holders, now) for c in claims]


def _claim_one(
    claim: Claim, row: Crontab | None, holders: dict[tuple[int, str], str], now: dt.datetime
) -> Claimed:
    if row is None or row.status != CrontabStatus.AVAILABLE or row.revision != claim.revision:
        return Claimed(claim.crontab_id, False, [])
    if row.through is not None and unix(row.through) >= claim.fires[0].fire_time:
        return Claimed(row.id, False, [])
    recorded: list[Recorded] = []
    for fire in claim.fires:
        record = _decide(row, fire, holders, now)
        if not _insert(row, fire, record, now):
            break
        recorded.append(record)
    if recorded:
        through = naive(claim.fires[len(recorded) - 1].through)
        Crontab.update(through=through).where(Crontab.id == row.id).execute()
    return Claimed(row.id, len(recorded) == len(claim.fires), recorded)


def _decide(
    row: Crontab, fire: Fire, holders: dict[tuple[int, str], str], now: dt.datetime
) -> Recorded:
    if not fire.start:
        return Recorded(fire.fire_time, Outcome.MISFIRED, reason=fire.reason)
    uuid = unused_uuid(row.project_id)
    if not row.mutex:
        return Recorded(fire.fire_time, Outcome.STARTED, uuid, fire.reason)
    key = (row.project_id, row.mutex)
    holder = holders.get(key) or mutex_holder(row.project_id, row.mutex, now)
    if holder:
        holders[key] = holder
        why = f"mutex {row.mutex!r} is held by task {holder}, which has not ended"
        return Recorded(fire.fire_time, Outcome.SKIPPED_MUTEX, reason=why)
    holders[key] = uuid
    return Recorded(fire.fire_time, Outcome.STARTED, uuid, fire.reason)


def _insert(row: Crontab, fire: Fire, record: Recorded, now: dt.datetime) -> bool:
    """Insert the fire's row; False when (crontab, fire_time) was already there."""
    inserted = (
        CrontabFire.insert(
            crontab=row.id,
            project_id=row.project_id,
            mutex=row.mutex,
            fire_time=naive(fire.fire_time),
            through=naive(fire.through),
            outcome=record.outcome.value,
            task_uuid=record.task_uuid,
            reason=record.reason,
            recorded_at=now,
        )
        .on_conflict_ignore()
        .as_rowcount()
        .execute()
    )
    return bool(inserted)


def _lock_mutexes(keys: Iterable[tuple[int, str]]) -> None:
    """PostgreSQL: take each (project, mutex) advisory lock until commit, in one order."""
    if not is_postgres():
        return
    for project_id, mutex in sorted(keys):
        key = (LOCK_CLASS << 32) | zlib.crc32(f"{project_id}:{mutex}".encode())
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


def mutex_holder(project_id: int, mutex: str, now: dt.datetime) -> str:
    """The uuid of a task holding the mutex, or of a fire about to start one; "" when free."""
    task = (
        Task.select(Task.uuid)
        .where((Task.project == project_id) & (Task.mutex == mutex) & Task.status.not_in(FINAL))
        .first()
    )
    if task is not None:
        return str(task.uuid)
    pending = (
        _unstarted()
        .where(
            (CrontabFire.project_id == project_id)
            & (CrontabFire.mutex == mutex)
            & (CrontabFire.recorded_at > now - PENDING_WINDOW)
        )
        .first()
    )
    return str(pending.task_uuid) if pending is not None else ""


def _its_task() -> Any:
    """A fire's task: the uuid it recorded, in the crontab's project (uuids are per project)."""
    return (Task.uuid == CrontabFire.task_uuid) & (Task.project == CrontabFire.project_id)


def _unstarted() -> Any:
    """Fires claimed to start whose task does not exist."""
    return (
        CrontabFire.select(CrontabFire)
        .join(Task, pw.JOIN.LEFT_OUTER, on=_its_task())
        .where((CrontabFire.outcome == Outcome.STARTED.value) & Task.id.is_null())
    )


def unstarted(claimed_before: dt.datetime) -> list[Unstarted]:
    """Fires claimed to start before `claimed_before` whose task was never written."""
    rows: Any = (
        CrontabFire.select(
            CrontabFire.crontab,
            CrontabFire.project_id,
            CrontabFire.mutex,
            CrontabFire.fire_time,
            CrontabFire.task_uuid,
            Crontab.edit_user,
            Job.uuid.alias("job_uuid"),
        )
        .join(Task, pw.JOIN.LEFT_OUTER, on=_its_task())
        .switch(CrontabFire)
        .join(Crontab)
        .join(Job)
        .where(
            (CrontabFire.outcome == Outcome.STARTED.value)
            & Task.id.is_null()
            & (CrontabFire.recorded_at < claimed_before)
        )
        .dicts()
    )
    return [
        Unstarted(
            crontab_id=r["crontab"],
            project_id=r["project_id"],
            job_uuid=r["job_uuid"],
            mutex=r["mutex"],
            submitter=r["edit_user"] or "crontab",
            fire_time=unix(r["fire_time"]),
            task_uuid=r["task_uuid"],
        )
        for r in rows
    ]


def fail(crontab_id: int, fire_time: int, reason: str) -> None:
    """A claimed fire whose task could not start: say why."""
    CrontabFire.update(outcome=Outcome.FAILED.value, reason=reason).where(
        (CrontabFire.crontab == crontab_id)
        & (CrontabFire.fire_time == naive(fire_time))
        & (CrontabFire.outcome == Outcome.STARTED.value)
    ).execute()


def recent(crontab_ids: list[int], limit: int) -> dict[int, list[CrontabFire]]:
    """The newest `limit` fires of each crontab, newest first."""
    found: dict[int, list[CrontabFire]] = {i: [] for i in crontab_ids}
    if not crontab_ids:
        return found
    ids = _ranked(CrontabFire.crontab.in_(crontab_ids), lambda rn: rn <= limit)
    rows = (
        CrontabFire.select().where(CrontabFire.id.in_(ids)).order_by(CrontabFire.fire_time.desc())
    )
    for row in rows:
        found[row.crontab_id].append(row)
    return found


def prune(keep: int) -> int:
    """Delete all but each crontab's newest `keep` fires; how many went. The cursor on the
    crontab row (`through`) keeps a pruned fire time from being claimed again."""
    old = _ranked(None, lambda rn: rn > keep)
    return int(CrontabFire.delete().where(CrontabFire.id.in_(old)).execute())


def _ranked(where: Any, keep: Any) -> Any:
    """Ids of fires matching `where`, numbered newest first per crontab, filtered by `keep(rn)`."""
    rn = pw.fn.ROW_NUMBER().over(
        partition_by=[CrontabFire.crontab], order_by=[CrontabFire.fire_time.desc()]
    )
    ranked = CrontabFire.select(CrontabFire.id, rn.alias("rn"))
    if where is not None:
        ranked = ranked.where(where)
    ranked = ranked.alias("ranked")
    return pw.Select([ranked], [ranked.c.id]).where(keep(ranked.c.rn))
