"""Terminal sessions, their audit log, single-use tickets, per-project settings and recorded
output (master/terminal/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from master.db.connection import write_transaction
from master.db.models import (
    TerminalChunk,
    TerminalLog,
    TerminalSession,
    TerminalSettings,
    TerminalTicket,
    utcnow,
)

RESTARTED = "master restarted"
"""The reason of a session a master found still open when it started."""


@dataclass(frozen=True)
class LogEntry:
    """A row to write to the terminal log."""

    project_id: int
    session: str
    actor: str
    node: str
    usr: str
    cmd: str
    kind: str
    task_uuid: str = ""


@dataclass(frozen=True)
class LogQuery:
    """ListTerminalLog's filters: substrings for actor, node, usr and cmd (as OpenC3's)."""

    project_id: int
    actor: str = ""
    node: str = ""
    usr: str = ""
    cmd: str = ""
    after: dt.datetime | None = None  # inclusive
    before: dt.datetime | None = None  # inclusive
    session: str = ""
    limit: int = 1000
    before_id: int = 0


@dataclass(frozen=True)
class Cap:
    """The most open sessions a project, and one caller (token + actor), may have."""

    per_project: int
    per_user: int


# --- sessions


def open_session(row: dict[str, object], cap: Cap) -> str:
    """Write an open session unless a cap is reached; "" or which cap ("project", "user").
    Counting and writing are one transaction, so two opens cannot both take the last place."""
    with write_transaction():
        still_open = TerminalSession.ended_at.is_null()
        mine = TerminalSession.project_id == row["project_id"]
        if TerminalSession.select().where(still_open & mine).count() >= cap.per_project:
            return "project"
        caller = (TerminalSession.token_id == row["token_id"]) & (
            TerminalSession.actor == row["actor"]
        )
        if TerminalSession.select().where(still_open & caller).count() >= cap.per_user:
            return "user"
        TerminalSession.create(**row)
    return ""


def end_session(uuid: str, exit_code: int, reason: str) -> bool:
    """Close the session (once: a second end changes nothing); whether this call closed it."""
    with write_transaction():
        changed: int = (
            TerminalSession.update(ended_at=utcnow(), exit_code=exit_code, reason=reason)
            .where((TerminalSession.uuid == uuid) & TerminalSession.ended_at.is_null())
            .execute()
        )
    return changed == 1


def close_left_open() -> list[TerminalSession]:
    """Close every session still open (a master starting: no process of this master serves
    them any more), with an END line each; the sessions closed."""
    with write_transaction():
        left = list(TerminalSession.select().where(TerminalSession.ended_at.is_null()))
        if not left:
            return []
        now = utcnow()
        TerminalSession.update(ended_at=now, reason=RESTARTED).where(
            TerminalSession.id.in_([s.id for s in left])
        ).execute()
        TerminalLog.insert_many(
            [
                dict(
                    project_id=s.project_id,
                    session=s.uuid,
                    actor=s.actor,
                    node=s.nodes,
                    usr=s.user,
                    cmd=RESTARTED,
                    kind="end",
                    time=now,
                )
                for s in left
            ]
        ).execute()
    return left


def session_in_project(project_id: int, uuid: str) -> TerminalSession | None:
    row: TerminalSession | None = TerminalSession.get_or_none(
        (TerminalSession.uuid == uuid) & (TerminalSession.project_id == project_id)
    )
    return row


# --- the audit log


def add_log(entries: Iterable[LogEntry]) -> None:
    rows = [e.__dict__ | {"time": utcnow()} for e in entries]
    if rows:
        with write_transaction():
            TerminalLog.insert_many(rows).execute()


def list_log(q: LogQuery) -> tuple[list[TerminalLog], bool]:
    """A page of the project's log, newest first, and whether older entries remain. Substring
    filters are bound parameters (LIKE with the pattern characters escaped)."""
    query = TerminalLog.select().where(TerminalLog.project_id == q.project_id)
    for column, text in (
        (TerminalLog.actor, q.actor),
        (TerminalLog.node, q.node),
        (TerminalLog.usr, q.usr),
        (TerminalLog.cmd, q.cmd),
    ):
        if text:
            query = query.where(column.contains(text))
    if q.session:
        query = query.where(TerminalLog.session == q.session)
    if q.after:
        query = query.where(TerminalLog.time >= q.after)
    if q.before:
        query = query.where(TerminalLog.time <= q.before)
    if q.before_id:
        query = query.where(TerminalLog.id < q.before_id)
    rows = list(query.order_by(TerminalLog.id.desc()).limit(q.limit + 1))
    return rows[: q.limit], len(rows) > q.limit


# --- tickets


def add_ticket(row: dict[str, object]) -> None:
    """Keep a new ticket (its digest), dropping tickets expired a while ago."""
    now = utcnow()
    with write_transaction():
        TerminalTicket.delete().where(
            TerminalTicket.expires_at < now - dt.timedelta(hours=1)
        ).execute()
        TerminalTicket.create(**row)


def consume_ticket(digest: str) -> TerminalTicket | None:
    """The ticket, marked used, if it exists, was never used and has not expired; else None
    (which of these, never said). One guarded UPDATE: of two opens with one ticket, one wins."""
    now = utcnow()
    with write_transaction():
        taken: int = (
            TerminalTicket.update(used_at=now)
            .where(
                (TerminalTicket.digest == digest)
                & TerminalTicket.used_at.is_null()
                & (TerminalTicket.expires_at > now)
            )
            .execute()
        )
        if taken != 1:
            return None
        row: TerminalTicket | None = TerminalTicket.get_or_none(TerminalTicket.digest == digest)
    return row


# --- settings


def records(project_id: int) -> bool:
    """Whether the project records shell sessions (no row: no)."""
    row = TerminalSettings.get_or_none(TerminalSettings.project_id == project_id)
    return bool(row and row.record)


def set_records(project_id: int, record: bool, actor: str) -> None:
    with write_transaction():
        TerminalSettings.insert(
            project_id=project_id, record=record, edit_user=actor, edit_time=utcnow()
        ).on_conflict(
            conflict_target=[TerminalSettings.project_id],
            update={
                TerminalSettings.record: record,
                TerminalSettings.edit_user: actor,
                TerminalSettings.edit_time: utcnow(),
            },
        ).execute()


# --- recorded output


def add_chunks(session: str, first_seq: int, events: list[tuple[float, str, bytes]]) -> None:
    """Events (seconds since the start, "o" or "r", data) numbered from `first_seq`: one
    INSERT for the whole batch."""
    if not events:
        return
    rows = [
        dict(session=session, seq=first_seq + i, at=at, kind=kind, data=data)
        for i, (at, kind, data) in enumerate(events)
    ]
    with write_transaction():
        TerminalChunk.insert_many(rows).execute()


def chunks(session: str, after_seq: int, limit: int) -> list[tuple[int, float, str, bytes]]:
    """Up to `limit` events after `after_seq`, in order: (seq, at, kind, data)."""
    query = (
        TerminalChunk.select(
            TerminalChunk.seq, TerminalChunk.at, TerminalChunk.kind, TerminalChunk.data
        )
        .where((TerminalChunk.session == session) & (TerminalChunk.seq > after_seq))
        .order_by(TerminalChunk.seq)
        .limit(limit)
    )
    return [(r.seq, r.at, r.kind, bytes(r.data)) for r in query]
