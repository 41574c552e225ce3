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
import os
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import peewee as pw

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Crontab, CrontabFire, Job, Task
from master.domain import (
    FINAL_TASK,
    UUID_ALPHABET,
    UUID_LENGTH,
    Claim,
    Claimed,
    CrontabStatus,
    Fire,
    Outcome,
    Recorded,
    Unstarted,
)
from master.errors import AlreadyExists
from master.store.crontabs import naive, unix
from master.store.taskbatch import taken_uuids
from master.store.tasks import UUID_TRIES

PENDING_WINDOW = dt.timedelta(minutes=10)  # a claim older than this no longer holds its mutex
LOCK_CLASS = 0x63726F6E  # "cron": the high half of the advisory lock key
FINAL = [s.value for s in FINAL_TASK]


CLAIM_ROWS = 1000  # fire rows inserted by one statement at most
CRONTABS = (
    'SELECT "id", "project_id", "status", "revision", "through", "mutex"'
    ' FROM "crontab" WHERE "id" IN ({})'
)
FIRE_COLUMNS = (
    "crontab_id",
    "project_id",
    "mutex",
    "fire_time",
    "through",
    "outcome",
    "task_uuid",
    "reason",
    "recorded_at",
)
INSERT_FIRES = (
    f'INSERT INTO "crontab_fire" ({", ".join(FIRE_COLUMNS)}) VALUES {{}}'
    ' ON CONFLICT DO NOTHING RETURNING "crontab_id"'
)
MOVE_THROUGH = 'UPDATE "crontab" SET "through" = ? WHERE "id" IN ({})'
Uuids = dict[int, list[str]]
"""Unused task uuids by project, drawn for one claim transaction."""


def claim(claims: list[Claim], now: dt.datetime) -> list[Claimed]:
    """Claim each crontab's fires in one transaction: the crontab rows read, the uuids checked
    unused and the fire rows inserted with one statement each (not one per fire), whatever the
    number of crontabs. Rows go in by crontab id, whatever order the scheduler popped them in:
    masters claiming the same tick lock the same unique keys in the same order, so one waits
    for the other's commit (and finds the ticks taken) rather than deadlocking with it (an
    aborted claim would fire its ticks a second late, as misfires). A crontab catching up (a
    misfire record, then the latest fire) has its fires inserted in order, one round per
    position, and its claim stops at the first one another master recorded; one with a mutex
    is claimed fire by fire, so a fire that was not recorded never holds the mutex against the
    next crontab's."""
    with write_transaction():
        rows = _crontabs([c.crontab_id for c in claims])
        _lock_mutexes({(r.project_id, r.mutex) for r in rows.values() if r.mutex})
        uuids = _unused_uuids(claims, rows)
        holders: dict[tuple[int, str], str] = {}
        results: dict[int, Claimed] = {}
        pending: list[Pending] = []
        for c in sorted(claims, key=lambda c: c.crontab_id):  # one lock order for all masters
            row = rows.get(c.crontab_id)
            if not _current(c, row):
                results[c.crontab_id] = Claimed(c.crontab_id, False, [])
            elif row is not None and row.mutex and len(c.fires) > 1:
                results[c.crontab_id] = _claim_one(c, row, holders, uuids, now)
            elif row is not None:
                decided = [_decide(row, f, holders, uuids, now) for f in c.fires]
                pending.append(Pending(row, c.fires, decided))
        results.update(_insert_all(pending, now))
        return [results[c.crontab_id] for c in claims]


def _sql(text: str, count: int = 0) -> str:
    """`text` with `count` placeholders in its `{}` and the driver's placeholder for `?`."""
    return text.format(", ".join("?" * count)).replace("?", str(db.param))


@dataclass(frozen=True)
class Held:
    """What a claim reads of a crontab (plain values: a model object per row costs more than
    the query)."""

    id: int
    project_id: int
    status: str
    revision: int
    through: int | None  # unix seconds of its cursor
    mutex: str


def _crontabs(ids: list[int]) -> dict[int, Held]:
    if not ids:
        return {}
    found = db.execute_sql(_sql(CRONTABS, len(ids)), ids).fetchall()
    return {i: Held(i, p, s, r, _unix(t), m) for i, p, s, r, t, m in found}


def _unix(value: dt.datetime | str | None) -> int | None:
    """Unix seconds of a stored naive-UTC time (SQLite returns text, PostgreSQL a datetime)."""
    if value is None:
        return None
    return unix(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def _current(claim: Claim, row: Held | None) -> bool:
    """The crontab is as the scheduler holds it and the claim's first fire is past its cursor."""
    if row is None or row.status != CrontabStatus.AVAILABLE or row.revision != claim.revision:
        return False
    return row.through is None or row.through < claim.fires[0].fire_time


def _unused_uuids(claims: list[Claim], rows: dict[int, Held]) -> Uuids:
    """Enough uuids no task of their project has for every fire that may start a task."""
    wanted = Counter[int]()
    for c in claims:
        if (row := rows.get(c.crontab_id)) is not None:
            wanted[row.project_id] += sum(f.start for f in c.fires)
    return {project: _draw(project, count) for project, count in wanted.items() if count}


def _draw(project_id: int, count: int) -> list[str]:
    """`count` distinct uuids unused in the project: one query per draw; a clash (odds 1 in
    3e21 per task) draws again."""
    found: set[str] = set()
    for _ in range(UUID_TRIES):
        drawn = list(set(draw_uuids(count - len(found))) - found)
        taken = taken_uuids(project_id, drawn)
        found.update(u for u in drawn if u not in taken)
        if len(found) == count:
            return list(found)
    raise AlreadyExists(f"no unused task uuid in {UUID_TRIES} draws", "task_uuid")


def draw_uuids(count: int) -> list[str]:
    """`count` task uuids as tasks.new_uuid makes them (12 random letters and digits, each
    uniform), from one read of the system's randomness rather than twelve per uuid: a tick
    draws a thousand. Bytes past the alphabet's largest multiple are dropped (no bias)."""
    usable = 256 - 256 % len(UUID_ALPHABET)
    chars: list[str] = []
    while len(chars) < count * UUID_LENGTH:
        raw = os.urandom((count * UUID_LENGTH - len(chars)) * 9 // 8 + 8)
        chars += [UUID_ALPHABET[b % len(UUID_ALPHABET)] for b in raw if b < usable]
    return ["".join(chars[i : i + UUID_LENGTH]) for i in range(0, count * UUID_LENGTH, UUID_LENGTH)]


@dataclass
class Pending:
    """A crontab's fires decided, to insert in order; `recorded`: how many went in."""

    row: Held
    fires: list[Fire]
    records: list[Recorded]
    recorded: int = 0


def _insert_all(pending: list[Pending], now: dt.datetime) -> dict[int, Claimed]:
    """Insert each crontab's fire rows in order, one round per position (most claims have one
    fire, catching up two), a crontab's later fires only after its earlier ones went in."""
    live = pending
    while live:
        rows = [(p.row, p.fires[p.recorded], p.records[p.recorded]) for p in live]
        inserted = _insert_rows(rows, now)
        for p in live:
            p.recorded += p.row.id in inserted
        live = [p for p in live if p.row.id in inserted and p.recorded < len(p.fires)]
    _move_through([(p.row.id, p.fires[p.recorded - 1]) for p in pending if p.recorded])
    return {
        p.row.id: Claimed(p.row.id, p.recorded == len(p.fires), p.records[: p.recorded])
        for p in pending
    }


def _insert_rows(rows: list[tuple[Held, Fire, Recorded]], now: dt.datetime) -> set[int]:
    """Insert one fire row per crontab; the crontabs whose row went in."""
    inserted: set[int] = set()
    for start in range(0, len(rows), CLAIM_ROWS):
        chunk = rows[start : start + CLAIM_ROWS]
        at = Stamps()
        params = [
            v for row, fire, record in chunk for v in _fire_values(row, fire, record, at, now)
        ]
        one = "(" + ", ".join("?" * len(FIRE_COLUMNS)) + ")"
        text = INSERT_FIRES.format(", ".join([one] * len(chunk))).replace("?", str(db.param))
        inserted.update(i for (i,) in db.execute_sql(text, params).fetchall())
    return inserted


def _fire_values(
    row: Held, fire: Fire, record: Recorded, at: Stamps, now: dt.datetime
) -> list[Any]:
    return [
        row.id,
        row.project_id,
        row.mutex,
        at(fire.fire_time),
        at(fire.through),
        record.outcome.value,
        record.task_uuid,
        record.reason,
        at.now(now),
    ]


class Stamps:
    """Fire times as the driver takes them, each converted once: a tick's thousand fires
    share one or two."""

    def __init__(self) -> None:
        self._found: dict[int | dt.datetime, Any] = {}

    def __call__(self, unix_time: int) -> Any:
        if unix_time not in self._found:
            self._found[unix_time] = _stamp(naive(unix_time))
        return self._found[unix_time]

    def now(self, value: dt.datetime) -> Any:
        if value not in self._found:
            self._found[value] = _stamp(value)
        return self._found[value]


def _stamp(value: dt.datetime) -> Any:
    """A time as peewee passes it to the driver."""
    convert: Callable[[dt.datetime], Any] = CrontabFire.fire_time.db_value
    return convert(value)


def _move_through(claimed: list[tuple[int, Fire]]) -> None:
    """Each crontab's cursor to its claimed fire: one UPDATE per distinct time (most often one)."""
    by_time: dict[int, list[int]] = {}
    for crontab_id, fire in claimed:
        by_time.setdefault(fire.through, []).append(crontab_id)
    for through, ids in by_time.items():
        params = [_stamp(naive(through)), *ids]
        db.execute_sql(_sql(MOVE_THROUGH, len(ids)), params)


def _claim_one(
    claim: Claim,
    row: Held,
    holders: dict[tuple[int, str], str],
    uuids: Uuids,
    now: dt.datetime,
) -> Claimed:
    recorded: list[Recorded] = []
    for fire in claim.fires:
        record = _decide(row, fire, holders, uuids, now)
        if not _insert(row, fire, record, now):
            break
        recorded.append(record)
    if recorded:
        _move_through([(row.id, claim.fires[len(recorded) - 1])])
    return Claimed(row.id, len(recorded) == len(claim.fires), recorded)


def _decide(
    row: Held,
    fire: Fire,
    holders: dict[tuple[int, str], str],
    uuids: Uuids,
    now: dt.datetime,
) -> Recorded:
    if not fire.start:
        return Recorded(fire.fire_time, Outcome.MISFIRED, reason=fire.reason)
    uuid = uuids[row.project_id].pop()
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


def _insert(row: Held, fire: Fire, record: Recorded, now: dt.datetime) -> bool:
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
