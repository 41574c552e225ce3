"""The outbox's expansion, a batch at a time: SQL written out once, one query per kind of row
for every notice of the batch (the settings, the tasks, the projects' recipients and webhooks;
names and nodes only for notices that send something), the deliveries inserted with one
statement and the batch marked expanded with one UPDATE, all in one transaction. Expanding a
notice whose project has no recipient, webhook or callback costs no statement of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from master.db.bulk import insert_rows
from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Delivery, Execution, utcnow

BATCH = 200
"""Notices claimed per transaction: at 1,000 ends a second a worker round finds ~50-100."""
TIME: Any = Execution.finished_at
"""A DateTimeField: times read as peewee converts them."""
AVAILABLE = "available"

CLAIM = (
    "SELECT id, project_id, task_id, kind, event, payload FROM notice"
    " WHERE expanded = ? ORDER BY id LIMIT ?"
)
TASKS = (
    "SELECT id, project_id, uuid, name, submitter, call_type, reason, options, started_at,"
    " finished_at FROM task WHERE id IN ({})"
)
USERS = (
    'SELECT project_id, "user" FROM notify_user WHERE status = ? AND project_id IN ({}) ORDER BY id'
)
HOOKS = "SELECT project_id, url, secret FROM webhook WHERE project_id IN ({})"
NAMES = "SELECT id, name FROM project WHERE id IN ({})"
NODES = (
    "SELECT task_id, node, status, exit_code, started_at, finished_at FROM execution"
    " WHERE superseded = ? AND role = ? AND task_id IN ({}) ORDER BY id"
)
MARK = "UPDATE notice SET expanded = ? WHERE id IN ({})"


class NoticeRow(NamedTuple):
    """An unexpanded notice as claimed."""

    id: int
    project_id: int
    task_id: int
    kind: str
    event: str
    payload: str


class TaskRow(NamedTuple):
    """What a task's messages say of it."""

    id: int
    project_id: int
    uuid: str
    name: str
    submitter: str
    call_type: str
    reason: str
    options: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class NodeRow(NamedTuple):
    """One node's line in a webhook's or callback's document."""

    node: str
    status: str
    exit_code: int | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class Draft(NamedTuple):
    """A delivery rendered from a notice, not yet written."""

    channel: str
    recipient: str
    address: str
    subject: str
    body: str
    signature: str = ""


Build = Callable[[list[NoticeRow]], list[list[Draft]]]
"""A batch's deliveries, one list per notice in the batch's order (master/notify/expand.py)."""


def expand_notices(build: Build, limit: int = BATCH) -> int:
    """Claim up to `limit` unexpanded notices (row locks skipping those another master holds;
    SQLite: BEGIN IMMEDIATE), write their deliveries and mark them expanded, all in one
    transaction: a master stopped midway leaves the notices to expand again, never half of
    one. `build` reads what it needs with this module's batch reads, in the transaction. The
    number of notices expanded."""
    with write_transaction():
        claimed = _claim(limit)
        if claimed:
            _write(claimed, build(claimed))
            _run(MARK.format(_marks(len(claimed))), [True, *(n.id for n in claimed)])
    return len(claimed)


def settings() -> dict[str, str]:
    return {str(k): str(v) for k, v in _run('SELECT "key", value FROM setting').fetchall()}


def tasks(task_ids: Sequence[int]) -> dict[int, TaskRow]:
    rows = _in(TASKS, task_ids)
    return {int(r[0]): TaskRow._make([*r[:8], _time(r[8]), _time(r[9])]) for r in rows}


def recipients(project_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each project's available notify users, in the order added (`_` as written)."""
    found: dict[int, list[str]] = {}
    for project, user in _in(USERS, project_ids, [AVAILABLE]):
        found.setdefault(int(project), []).append(str(user))
    return found


def webhooks(project_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Each project's webhook: its URL and sealed secret."""
    return {int(p): (str(url), str(secret)) for p, url, secret in _in(HOOKS, project_ids)}


def project_names(project_ids: Sequence[int]) -> dict[int, str]:
    return {int(p): str(name) for p, name in _in(NAMES, project_ids)}


def nodes(task_ids: Sequence[int]) -> dict[int, list[NodeRow]]:
    """Each task's live run executions, in id order."""
    found: dict[int, list[NodeRow]] = {}
    for tid, node, status, code, started, finished in _in(NODES, task_ids, [False, "run"]):
        row = NodeRow(node, status, code, _time(started), _time(finished))
        found.setdefault(int(tid), []).append(row)
    return found


def _claim(limit: int) -> list[NoticeRow]:
    sql = CLAIM + (" FOR UPDATE SKIP LOCKED" if is_postgres() else "")
    return [NoticeRow(*row) for row in _run(sql, [False, limit]).fetchall()]


def _write(claimed: list[NoticeRow], drafts: list[list[Draft]]) -> None:
    now = utcnow()
    insert_rows(
        Delivery,
        [
            {
                "notice_id": notice.id,
                "project_id": notice.project_id,
                "task_id": notice.task_id,
                "channel": draft.channel,
                "recipient": draft.recipient[:255],
                "address": draft.address,
                "subject": draft.subject,
                "body": draft.body,
                "signature": draft.signature,
                "next_attempt_at": now,
                "created_at": now,
            }
            for notice, made in zip(claimed, drafts, strict=True)
            for draft in made
        ],
    )


def _in(sql: str, ids: Sequence[int], first: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """`sql`'s rows for the distinct `ids` (its last condition, `IN ({})`), bound after the
    `first` parameters; none, and no query, when there are no ids."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    cursor = _run(sql.format(_marks(len(unique))), [*first, *unique])
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _run(sql: str, params: Sequence[Any] = ()) -> Any:
    return db.execute_sql(sql.replace("?", db.param), params)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _time(value: Any) -> dt.datetime | None:
    read: dt.datetime | None = TIME.python_value(value)
    return read
