"""The `master` table and the rows that name a master (`task.owner`, `slave.attached_to`):
multi-master mode only, so PostgreSQL only. Every time is the database's own (`now()` in
UTC), never a master's clock: masters' clocks may differ, the lease must not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from master.db.connection import db
from master.db.models import Master, Slave, Task
from master.domain import FINAL_TASK
from master.store import relays

NOW = "(now() AT TIME ZONE 'UTC')"
FINAL = tuple(s.value for s in FINAL_TASK)
UNFINISHED = f"status NOT IN ({', '.join('%s' for _ in FINAL)})"


@dataclass(frozen=True)
class LiveMaster:
    """A master as listed: its row and how old its last heartbeat is, by the database's clock."""

    name: str
    pid: int
    started_at: dt.datetime
    heartbeat_age: float
    slaves: int
    tasks: int


@dataclass(frozen=True)
class Taken:
    """A dead master taken over: its name, its unfinished tasks (now ours), its slaves freed."""

    name: str
    task_ids: list[int]
    slaves: int


def _sql(sql: str, params: tuple[Any, ...] = ()) -> Any:
    return db.execute_sql(sql, params)


def register(name: str, pid: int) -> None:
    """This master's row, fresh: started now (a restarted master with the same name is the
    same master: its row is renewed, its tasks are still its own)."""
    with db.atomic():
        _sql(
            f"INSERT INTO master (name, pid, started_at, heartbeat_at, slaves, tasks) "
            f"VALUES (%s, %s, {NOW}, {NOW}, 0, 0) ON CONFLICT (name) DO UPDATE SET "
            "pid = EXCLUDED.pid, started_at = EXCLUDED.started_at, "
            "heartbeat_at = EXCLUDED.heartbeat_at",
            (name, pid),
        )


def heartbeat(name: str, pid: int, slaves: int) -> bool:
    """Renew the lease and write the load; False when the row was gone (taken over while this
    master could not renew it): it is written again, and the caller marks its slaves again."""
    with db.atomic():
        tasks = _sql(
            f"SELECT count(*) FROM task WHERE owner = %s AND {UNFINISHED}", (name, *FINAL)
        ).fetchone()[0]
        renewed = _sql(
            f"UPDATE master SET heartbeat_at = {NOW}, slaves = %s, tasks = %s WHERE name = %s",
            (slaves, tasks, name),
        ).rowcount
        if renewed:
            return True
        _sql(
            f"INSERT INTO master (name, pid, started_at, heartbeat_at, slaves, tasks) "
            f"VALUES (%s, %s, {NOW}, {NOW}, %s, %s) ON CONFLICT (name) DO UPDATE SET "
            "heartbeat_at = EXCLUDED.heartbeat_at",
            (name, pid, slaves, tasks),
        )
        return False


def live(lease: float) -> list[LiveMaster]:
    """Masters whose lease holds, by name."""
    rows = _sql(
        f"SELECT name, pid, started_at, EXTRACT(EPOCH FROM {NOW} - heartbeat_at), slaves, tasks "
        f"FROM master WHERE heartbeat_at >= {NOW} - make_interval(secs => %s) ORDER BY name",
        (lease,),
    ).fetchall()
    return [LiveMaster(r[0], r[1], r[2], max(0.0, float(r[3])), r[4], r[5]) for r in rows]


def take_dead(me: str, lease: float) -> Taken | None:
    """Claim one master whose lease lapsed (row locked, SKIP LOCKED: another live master
    taking it skips it, so exactly one takes each), move its unfinished tasks to `me`, free
    its slaves, hand on its unread relays and delete its row, in one transaction. None when no
    master is dead."""
    with db.atomic():
        found = _sql(
            f"SELECT name FROM master WHERE name <> %s AND heartbeat_at < {NOW} - "
            "make_interval(secs => %s) ORDER BY heartbeat_at LIMIT 1 FOR UPDATE SKIP LOCKED",
            (me, lease),
        ).fetchone()
        if found is None:
            return None
        dead = found[0]
        moved = _sql(
            f"UPDATE task SET owner = %s WHERE owner = %s AND {UNFINISHED} RETURNING id",
            (me, dead, *FINAL),
        ).fetchall()
        freed = Slave.update(attached_to=None).where(Slave.attached_to == dead).execute()
        relays.readdress(dead, me)  # its unread relays go with its tasks, in this transaction
        Master.delete().where(Master.name == dead).execute()
    return Taken(dead, sorted(r[0] for r in moved), int(freed))


def adopt_ownerless(me: str) -> list[int]:
    """Unfinished tasks with no owner (started by a single master before the cluster ran) made
    `me`'s; their ids. Each goes to the one master whose UPDATE takes it."""
    with db.atomic():
        rows = _sql(
            f"UPDATE task SET owner = %s WHERE owner IS NULL AND {UNFINISHED} RETURNING id",
            (me, *FINAL),
        ).fetchall()
    return sorted(r[0] for r in rows)


def owned_unfinished(me: str) -> list[Task]:
    """This master's unfinished tasks (recovered at its start, as a single master's all are)."""
    query = Task.select().where(Task.owner == me, Task.status.not_in(FINAL))
    return list(query)


def attach(slave: str, me: str) -> None:
    """The slave's stream is on this master now."""
    Slave.update(attached_to=me).where(Slave.name == slave).execute()


def attach_many(slaves: list[str], me: str) -> None:
    """Mark again the slaves attached here (after this master's row was taken over)."""
    if slaves:
        Slave.update(attached_to=me).where(Slave.name.in_(slaves)).execute()


def detach(slave: str, me: str) -> None:
    """The slave's stream on this master ended; left alone if it is on another one already."""
    query = Slave.update(attached_to=None).where(Slave.name == slave, Slave.attached_to == me)
    query.execute()


def retire(me: str) -> None:
    """A clean stop: the row goes (its tasks stay this master's until it is back or taken
    over: a clean stop with tasks left makes the row dead now, not after a lease)."""
    with db.atomic():
        if _sql(
            f"SELECT 1 FROM task WHERE owner = %s AND {UNFINISHED} LIMIT 1", (me, *FINAL)
        ).fetchone():
            _sql(
                f"UPDATE master SET heartbeat_at = {NOW} - interval '1 day' WHERE name = %s", (me,)
            )
        else:
            Master.delete().where(Master.name == me).execute()
        Slave.update(attached_to=None).where(Slave.attached_to == me).execute()


def ping() -> None:
    """One round trip to the database (cluster/health.py's probe of a single master)."""
    db.execute_sql("SELECT 1").fetchone()


def unfinished_count() -> int:
    """Unfinished tasks (a single master's load in its listing; SQLite too)."""
    return int(Task.select().where(Task.status.not_in(FINAL)).count())
