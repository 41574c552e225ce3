"""Reading a task's log entries: one entry per execution's output (each node of each step, every
attempt of a rerun node its own) and one per operator's note, one list under one id sequence
(`domain.output_entry_id`, `note_entry_id`), each entry's text read up to a bound."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from master.db.connection import DbRunner
from master.db.models import Execution, TaskNote
from master.domain import NO_PROJECT, RUN_LOG_ORDER_KEYS, split_entry_ids
from master.errors import InvalidArgument, NotFound
from master.store import projects, runlogs

DEFAULT_TEXT = 1 << 20  # an entry's text when the request sets no bound
MAX_TEXT = 16 << 20  # at most this much of one entry
MAX_ANSWER_TEXT = 32 << 20  # of all a page's entries together: later ones get what is left
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_IDS = 1000


@dataclass(frozen=True)
class RunLogQuery:
    project_id: int  # NO_PROJECT: every project (the admin's call naming none)
    task_id: int = 0  # 0: every task
    ids: Sequence[int] = ()  # only these entries; none: any
    order_by: Sequence[str] = ()  # RUN_LOG_ORDER_KEYS, "-" = descending; none: "-id"
    limit: int = 0  # 0: DEFAULT_LIMIT
    offset: int = 0
    max_bytes: int = 0  # of each entry's text; 0: DEFAULT_TEXT


@dataclass(frozen=True)
class LogEntry:
    """One entry: `execution` set for an output, `note` for a note; `text` its first bytes."""

    id: int
    task_id: int
    created_at: dt.datetime
    text: bytes
    truncated: bool
    execution: Execution | None = None
    step_uuid: str = ""
    note: TaskNote | None = None


def sort_keys(order_by: Sequence[str]) -> list[str]:
    """The keys to sort by, each at most once, ending in `id` (ties keep one order, in the
    first key's direction); INVALID_ARGUMENT naming `order_by` for an unknown key."""
    keys: list[str] = []
    for key in order_by or ["-id"]:
        name = key.removeprefix("-")
        if name not in RUN_LOG_ORDER_KEYS:
            known = ", ".join(RUN_LOG_ORDER_KEYS)
            raise InvalidArgument(f"unknown sort key {key!r}; one of: {known}", "order_by")
        if all(k.removeprefix("-") != name for k in keys):
            keys.append(key)
    if all(k.removeprefix("-") != "id" for k in keys):
        keys.append("-id" if keys[0].startswith("-") else "id")
    return keys


def entry_page(q: RunLogQuery) -> runlogs.EntryPage:
    """The store's page of the query (its bounds checked)."""
    if len(q.ids) > MAX_IDS:
        raise InvalidArgument(f"at most {MAX_IDS} entries at once, got {len(q.ids)}", "ids")
    if q.limit < 0 or q.offset < 0:
        raise InvalidArgument("must not be negative", "limit" if q.limit < 0 else "offset")
    execution_ids, note_ids = split_entry_ids(list(q.ids)) if q.ids else (None, None)
    return runlogs.EntryPage(
        project_id=q.project_id,
        task_id=q.task_id,
        execution_ids=execution_ids,
        note_ids=note_ids,
        order_by=sort_keys(q.order_by),
        limit=min(q.limit or DEFAULT_LIMIT, MAX_LIMIT),
        offset=q.offset,
    )


def read_entries(entry_ids: list[int], max_bytes: int) -> list[LogEntry]:
    """The entries, in the order given, their texts bounded by `max_bytes` each and by
    MAX_ANSWER_TEXT all together (one store call: a page costs one trip to the database)."""
    execution_ids, note_ids = split_entry_ids(entry_ids)
    outputs = runlogs.executions(execution_ids)
    notes = runlogs.notes(note_ids)
    steps = runlogs.step_uuids(sorted({e.subtask_id for e in outputs.values()}))
    left = MAX_ANSWER_TEXT
    found: list[LogEntry] = []
    for entry_id in entry_ids:
        room = min(max_bytes, left)
        row = outputs.get(entry_id // 2) if entry_id % 2 == 0 else notes.get(entry_id // 2)
        if row is None:  # removed since the page was read
            continue
        if isinstance(row, Execution):
            text, cut = runlogs.output_head(row.id, room)
            step = steps.get(row.subtask_id, "")
            entry = LogEntry(entry_id, row.task_id, row.created_at, text, cut, row, step)
        else:
            whole = row.text.encode()
            cut = len(whole) > room
            entry = LogEntry(entry_id, row.task_id, row.created_at, whole[:room], cut, note=row)
        found.append(entry)
        left -= len(entry.text)
    return found


class RunLogs:
    """Reads for the RPCs, never a change."""

    def __init__(self, run_db: DbRunner) -> None:
        self.run_db = run_db

    async def search(self, q: RunLogQuery) -> tuple[list[LogEntry], int]:
        """A page of the entries the query matches, and how many match in all."""
        if q.max_bytes < 0:
            raise InvalidArgument("must not be negative", "max_bytes")
        page = entry_page(q)
        if q.project_id != NO_PROJECT:
            await self.run_db(projects.require_project, q.project_id)
        ids, total = await self.run_db(runlogs.page, page)
        max_bytes = min(q.max_bytes or DEFAULT_TEXT, MAX_TEXT)
        return await self.run_db(read_entries, ids, max_bytes), total

    async def entry(self, entry_id: int) -> LogEntry:
        """One entry just written (its whole text: a note is small)."""
        found = await self.run_db(read_entries, [entry_id], MAX_TEXT)
        if not found:  # removed meanwhile
            raise NotFound(f"log entry {entry_id} not found", "id")
        return found[0]
