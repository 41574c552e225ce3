"""Operators' notes on runs: written, changed, moved and removed in transactions that look the
note (and a task it names) up within the request's project first, so another project's note is
NOT_FOUND exactly as one that does not exist; counted per task for task answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import peewee as pw

from master.db.connection import write_transaction
from master.db.models import Execution, Task, TaskNote, utcnow
from master.domain import NO_PROJECT, note_entry_id, output_entry_id
from master.errors import FailedPrecondition, NotFound
from master.store import tasks

NEVER_REWRITTEN = "machine output is never rewritten"


def in_project(note_ids: Sequence[int], project_id: int) -> list[TaskNote]:
    """Those of the notes whose task is in the project (NO_PROJECT: any project)."""
    if not note_ids:
        return []
    query = TaskNote.select().where(TaskNote.id.in_(list(note_ids)))
    if project_id != NO_PROJECT:
        query = query.join(Task, on=(TaskNote.task == Task.id)).where(Task.project == project_id)
    return list(query.order_by(TaskNote.id))


def outputs_in_project(execution_ids: Sequence[int], project_id: int) -> list[Execution]:
    """Those of the executions whose task is in the project (NO_PROJECT: any project)."""
    if not execution_ids:
        return []
    query = Execution.select().where(Execution.id.in_(list(execution_ids)))
    if project_id != NO_PROJECT:
        query = query.join(Task, on=(Execution.task == Task.id)).where(Task.project == project_id)
    return list(query.order_by(Execution.id))


def add(task_id: int, project_id: int, author: str, text: str) -> TaskNote:
    """A new note on the project's task (NOT_FOUND naming `task_id` when it has none such)."""
    with write_transaction():
        task = tasks.get_numbered(task_id, project_id, "task_id")
        now = utcnow()
        note: TaskNote = TaskNote.create(
            task=task.id, author=author, text=text, created_at=now, updated_at=now
        )
    return note


def update(
    entry_id: int, note_id: int | None, project_id: int, text: str, task_id: int
) -> list[int]:
    """Change a note's text ("" = keep it) and/or its task (0 = keep it; the new task must be
    in the note's project). `note_id` None: the entry is an execution's output (refused once it
    is found in the project). -> the ids of the tasks whose notes changed (it had, it has)."""
    with write_transaction():
        note = _note_entry(entry_id, note_id, project_id)
        values: dict[Any, Any] = {TaskNote.updated_at: utcnow()}
        if text:
            values[TaskNote.text] = text
        if task_id:
            owner = Task.get_by_id(note.task_id)
            values[TaskNote.task] = tasks.get_numbered(task_id, owner.project_id, "task_id").id
        TaskNote.update(values).where(TaskNote.id == note.id).execute()
    moved_to = values.get(TaskNote.task, note.task_id)
    return sorted({int(note.task_id), int(moved_to)})


def _note_entry(entry_id: int, note_id: int | None, project_id: int) -> TaskNote:
    if note_id is None:
        found = outputs_in_project([entry_id // 2], project_id)
        if found:
            raise FailedPrecondition(
                f"log entry {entry_id} is the output of execution {found[0].id} on "
                f"{found[0].node}: {NEVER_REWRITTEN}",
                "id",
            )
    else:
        notes = in_project([note_id], project_id)
        if notes:
            return notes[0]
    raise NotFound(f"log entry {entry_id} not found", "id")


def delete(
    execution_ids: list[int], note_ids: list[int], project_id: int
) -> tuple[list[int], list[int]]:
    """Remove the notes, all or none: an entry not found in the project is NOT_FOUND, an
    execution's output FAILED_PRECONDITION (both naming `ids`); the entry ids removed, and the
    ids of the tasks they were on."""
    with write_transaction():
        outputs = outputs_in_project(execution_ids, project_id)
        notes = in_project(note_ids, project_id)
        missing = sorted(
            {output_entry_id(i) for i in execution_ids} - {output_entry_id(e.id) for e in outputs}
            | {note_entry_id(i) for i in note_ids} - {note_entry_id(n.id) for n in notes}
        )
        if missing:
            listed = ", ".join(map(str, missing))
            raise NotFound(f"log entries not found: {listed}; nothing was deleted", "ids")
        if outputs:
            listed = ", ".join(f"{output_entry_id(e.id)} ({e.node})" for e in outputs)
            raise FailedPrecondition(
                f"log entries {listed} are executions' output: {NEVER_REWRITTEN}; deleting "
                "their run removes it. Nothing was deleted",
                "ids",
            )
        TaskNote.delete().where(TaskNote.id.in_([n.id for n in notes])).execute()
    return [note_entry_id(n.id) for n in notes], sorted({int(n.task_id) for n in notes})


def counts(task_ids: Sequence[int]) -> dict[int, int]:
    """Notes per task, for each of the tasks (0 when none): one query for a whole list."""
    found = dict.fromkeys(task_ids, 0)
    if not task_ids:
        return found
    rows: Any = (
        TaskNote.select(TaskNote.task, pw.fn.COUNT(TaskNote.id))
        .where(TaskNote.task.in_(list(task_ids)))
        .group_by(TaskNote.task)
        .tuples()
    )
    for task_id, n in rows:
        found[int(task_id)] = int(n)
    return found
