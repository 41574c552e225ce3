"""Relays between masters of one PostgreSQL database: rows in `relay` addressed to the master
that must act, with a NOTIFY on its inbox channel in the same transaction (delivered at
commit, so the target never wakes before the rows are there); taken by the target with one
DELETE ... RETURNING. Also what a relay needs to find its target: the master a slave is
attached to and the master that drives a task."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from master.db.connection import db
from master.db.models import Execution, Master, Relay
from master.domain import ExecutionStatus, Identity, RelayKind

TAKEN_AT_ONCE = 500
"""Relays a master takes per transaction (more wait for the next take, at once)."""


@dataclass(frozen=True)
class Taken:
    kind: RelayKind
    body: dict[str, Any]


def inbox_channel(master: str) -> str:
    """The master's inbox channel: its name hashed (a channel name is an identifier of at most
    63 bytes, a master's name is host:port)."""
    return "jobfleet_m_" + hashlib.sha256(master.encode()).hexdigest()[:24]


def add(master: str, kind: RelayKind, bodies: Iterable[dict[str, Any]]) -> int:
    """Address relays of one kind to `master` and wake it; how many."""
    rows = [{"master": master, "kind": kind.value, "body": json.dumps(b)} for b in bodies]
    if not rows:
        return 0
    with db.atomic():
        Relay.insert_many(rows).execute()
        db.execute_sql("SELECT pg_notify(%s, '')", (inbox_channel(master),))
    return len(rows)


def take(master: str, limit: int = TAKEN_AT_ONCE) -> list[Taken]:
    """The oldest relays addressed to `master`, deleted as they are read (one transaction;
    rows another taker holds are skipped, not waited for)."""
    cursor = db.execute_sql(
        "DELETE FROM relay WHERE id IN (SELECT id FROM relay WHERE master = %s ORDER BY id "
        "LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, kind, body",
        (master, limit),
    )
    rows = sorted(cursor.fetchall())
    return [Taken(RelayKind(kind), json.loads(body)) for _, kind, body in rows]


def readdress(dead: str, taker: str) -> int:
    """Hand the relays addressed to a dead master to the one taking over its tasks, and wake
    that one; how many (cluster/takeover.py calls it in its takeover)."""
    with db.atomic():
        moved = Relay.update(master=taker).where(Relay.master == dead).execute()
        if moved:
            db.execute_sql("SELECT pg_notify(%s, '')", (inbox_channel(taker),))
    return int(moved)


def adopt_orphans(me: str) -> int:
    """Take on the relays addressed to masters that have no row any more (taken over, or
    stopped cleanly), and wake `me`; how many. Safe for any live master to do: each relay's
    work is routed again where it is done (relayed on, when its slave or task is elsewhere)."""
    with db.atomic():
        moved = (
            Relay.update(master=me).where(Relay.master.not_in(Master.select(Master.name))).execute()
        )
        if moved:
            db.execute_sql("SELECT pg_notify(%s, '')", (inbox_channel(me),))
    return int(moved)


def attached_to(slaves: Iterable[str]) -> dict[str, str]:
    """The master each of these slaves is attached to now (those attached to none: absent)."""
    names = sorted(set(slaves))
    if not names:
        return {}
    cursor = db.execute_sql(
        "SELECT name, attached_to FROM slave WHERE name = ANY(%s) AND attached_to IS NOT NULL",
        (names,),
    )
    return {name: master for name, master in cursor.fetchall()}


def owner_of(task_id: int) -> str | None:
    """The master that drives the task (None: no owner, a task of a single master)."""
    row = db.execute_sql("SELECT owner FROM task WHERE id = %s", (task_id,)).fetchone()
    return row[0] if row else None


def attached_elsewhere(me: str) -> dict[str, tuple[Identity, str]]:
    """The slaves attached to other masters: what routing may trust of each (its enrolment's
    projects, the accounts it said it runs as) and the master it is on."""
    cursor = db.execute_sql(
        "SELECT name, projects, run_as, attached_to FROM slave "
        "WHERE attached_to IS NOT NULL AND attached_to <> %s",
        (me,),
    )
    found: dict[str, tuple[Identity, str]] = {}
    for name, projects, run_as, master in cursor.fetchall():
        granted = frozenset(int(p) for p in projects.split(",")) if projects else None
        accounts = tuple(a for a in run_as.split(",") if a)
        found[name] = (Identity(name, granted, accounts), master)
    return found


def pending_of_tasks(task_ids: list[int]) -> list[int]:
    """The executions of these tasks still pending (written; their slave may never have been
    sent them)."""
    if not task_ids:
        return []
    query = Execution.select(Execution.id).where(
        Execution.task.in_(task_ids), Execution.status == ExecutionStatus.PENDING
    )
    return [int(row.id) for row in query]


def pending_among(ids: list[int]) -> list[Execution]:
    """Those of these executions still pending (written, not yet started by their slave)."""
    return list(
        Execution.select().where(Execution.id.in_(ids), Execution.status == ExecutionStatus.PENDING)
    )
