"""Operators' notes on runs: added to a task of the project, rewritten or moved to another of
its tasks, removed all or none. An entry that is an execution's output is refused every change
(FAILED_PRECONDITION): machine output is never rewritten, and goes only with its task."""

from __future__ import annotations

from collections.abc import Sequence

from master.db.connection import DbRunner
from master.domain import MAX_NOTE_BYTES, note_entry_id, split_entry_ids
from master.errors import InvalidArgument
from master.store import notes
from master.tasks.events import TaskEvents
from master.tasks.runlogs import MAX_IDS, LogEntry, RunLogs

MAX_AUTHOR = 255
DEFAULT_AUTHOR = "api"  # as tasks record a submitter that names none


def note_text(text: str, field: str = "text") -> str:
    """A note's text as given: 1 to MAX_NOTE_BYTES bytes, not only blanks."""
    size = len(text.encode())
    if not text.strip():
        raise InvalidArgument("must not be blank", field)
    if size > MAX_NOTE_BYTES:
        raise InvalidArgument(f"must be at most {MAX_NOTE_BYTES} bytes, got {size}", field)
    return text


def author_name(author: str) -> str:
    name = author.strip() or DEFAULT_AUTHOR
    if len(name) > MAX_AUTHOR:
        raise InvalidArgument(f"must be at most {MAX_AUTHOR} characters", "author")
    return name


def entry_ids(ids: Sequence[int], field: str = "ids") -> list[int]:
    """The entry ids named (duplicates dropped): at least one, at most MAX_IDS, all positive."""
    named = list(dict.fromkeys(ids))
    if not named:
        raise InvalidArgument("name at least one log entry", field)
    if len(named) > MAX_IDS:
        raise InvalidArgument(f"at most {MAX_IDS} entries at once, got {len(named)}", field)
    bad = [i for i in named if i < 1]
    if bad:
        raise InvalidArgument(f"not a log entry id: {bad[0]}", field)
    return named


class TaskNotes:
    """The changes; each answers the entry as it now is (read through `logs`), and is announced
    on `events` once written: a task's note count is part of what GetTask shows."""

    def __init__(self, run_db: DbRunner, logs: RunLogs, events: TaskEvents) -> None:
        self.run_db = run_db
        self.logs = logs
        self.events = events

    async def add(self, project_id: int, task_id: int, text: str, author: str) -> LogEntry:
        if task_id < 1:
            raise InvalidArgument("required: the task's numeric id", "task_id")
        row = await self.run_db(
            notes.add, task_id, project_id, author_name(author), note_text(text)
        )
        self.events.publish(row.task_id)
        return await self.logs.entry(note_entry_id(row.id))

    async def update(self, project_id: int, entry_id: int, text: str, task_id: int) -> LogEntry:
        """`text` "" keeps the text, `task_id` 0 the task."""
        if entry_id < 1:
            raise InvalidArgument(f"not a log entry id: {entry_id}", "id")
        if task_id < 0:
            raise InvalidArgument(f"not a task id: {task_id}", "task_id")
        checked = note_text(text) if text else ""
        note_id = entry_id // 2 if entry_id % 2 else None
        changed = await self.run_db(notes.update, entry_id, note_id, project_id, checked, task_id)
        self.events.publish_many(changed)
        return await self.logs.entry(entry_id)

    async def delete(self, project_id: int, ids: Sequence[int]) -> list[int]:
        """The entry ids removed: every one named, or none."""
        execution_ids, note_ids = split_entry_ids(entry_ids(ids))
        deleted, changed = await self.run_db(notes.delete, execution_ids, note_ids, project_id)
        self.events.publish_many(changed)
        return deleted
