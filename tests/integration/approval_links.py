"""Where a test finds the link an approver was sent: the `approval` notices an approval step
enqueued in the master's database (nothing delivers them on this branch). The one place to
switch once notices are delivered (read the email instead)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import psycopg2

from tests.waiting import wait_until

QUERY = "SELECT payload FROM notice WHERE kind = 'approval' ORDER BY id"


def link_for(db: str, approver: str, task_uuid: str = "", count: int = 1) -> str:
    """The newest link sent to `approver` (of the task `task_uuid`, when given), once `count`
    were sent. `db`: the master's SQLite path or PostgreSQL URL (its `--db`)."""
    return str(notice_for(db, approver, task_uuid, count)["link"])


def notice_for(
    db: str, approver: str, task_uuid: str = "", count: int = 1, timeout: float = 30
) -> dict[str, Any]:
    """The newest notice asking `approver`, once `count` were written: its payload."""

    def found() -> dict[str, Any] | None:
        sent = [
            p
            for p in payloads(db)
            if p["approver"] == approver and (not task_uuid or p["task_uuid"] == task_uuid)
        ]
        return sent[-1] if len(sent) >= count else None

    return wait_until(found, timeout, what=f"{count} link(s) sent to {approver}")


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


def payloads(db: str) -> list[dict[str, Any]]:
    with _cursor(db) as cur:
        cur.execute(QUERY)
        return [json.loads(row[0]) for row in cur.fetchall()]


@contextmanager
def _cursor(db: str) -> Iterator[Any]:
    if db.startswith("postgresql://"):
        with closing(psycopg2.connect(db)) as conn, conn.cursor() as cur:
            yield cur
    else:
        with closing(sqlite3.connect(db.removeprefix("sqlite:///"), timeout=10)) as conn:
            yield conn.cursor()
