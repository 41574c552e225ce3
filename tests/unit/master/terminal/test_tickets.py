"""Terminal tickets at rest: only their hash is kept, and one guarded UPDATE consumes a ticket
once, while it has not expired; sessions left open are closed when a master starts."""

from __future__ import annotations

import datetime as dt

import peewee

from master.db.models import TerminalLog, TerminalSession, TerminalTicket, utcnow
from master.secrets import digest
from master.store import terminals


def keep(value: str, expires_in: float = 60.0) -> None:
    terminals.add_ticket(
        dict(
            digest=digest(value),
            project_id=1,
            token_id=7,
            actor="ann",
            nodes="a,b",
            mode="lines",
            expires_at=utcnow() + dt.timedelta(seconds=expires_in),
        )
    )


def test_a_ticket_is_kept_as_its_hash_and_opens_once(database: peewee.Database) -> None:
    keep("secret-ticket")

    stored = TerminalTicket.get()
    assert stored.digest == digest("secret-ticket") and "secret-ticket" not in str(stored.__data__)
    first = terminals.consume_ticket(digest("secret-ticket"))
    assert first is not None and (first.project_id, first.actor, first.nodes) == (1, "ann", "a,b")
    assert terminals.consume_ticket(digest("secret-ticket")) is None  # used
    assert terminals.consume_ticket(digest("never-issued")) is None


def test_an_expired_ticket_opens_nothing(database: peewee.Database) -> None:
    keep("late", expires_in=-1)

    assert terminals.consume_ticket(digest("late")) is None
    assert TerminalTicket.get().used_at is None


def test_caps_count_open_sessions_and_a_start_closes_those_left(
    database: peewee.Database,
) -> None:
    cap = terminals.Cap(per_project=2, per_user=1)

    def row(uuid: str, actor: str) -> dict[str, object]:
        return dict(uuid=uuid, project_id=1, actor=actor, token_id=3, nodes="a", mode="shell")

    assert terminals.open_session(row("s1", "ann"), cap) == ""
    assert terminals.open_session(row("s2", "ann"), cap) == "user"
    assert terminals.open_session(row("s3", "bob"), cap) == ""
    assert terminals.open_session(row("s4", "cid"), cap) == "project"
    assert terminals.end_session("s1", 0, "exited 0") and not terminals.end_session("s1", 0, "")
    assert terminals.open_session(row("s5", "ann"), cap) == ""

    closed = terminals.close_left_open()

    assert sorted(s.uuid for s in closed) == ["s3", "s5"]
    assert TerminalSession.select().where(TerminalSession.ended_at.is_null()).count() == 0
    ends = TerminalLog.select().where(TerminalLog.kind == "end")
    assert sorted((e.session, e.cmd) for e in ends) == [
        ("s3", terminals.RESTARTED),
        ("s5", terminals.RESTARTED),
    ]
