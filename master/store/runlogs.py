"""A task's log entries as one list: each execution's output (2 x its id) and each operator's
note (2 x its id + 1), filtered, ordered and paged in SQL; and the first bytes of outputs, read
chunk batch by chunk batch so a huge log is never held whole.

The list is a UNION ALL of the two tables. Each side is first cut to the rows the page can hold
(`offset + limit`, in the page's own order, which its indexes give), so a page costs a sort of
at most twice that many rows, however many the project holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import peewee as pw

from master.db.models import Execution, LogChunk, Subtask, Task, TaskNote
from master.domain import NO_PROJECT, RUN_LOG_ORDER_KEYS
from master.store import chunkdata

CHUNK_BATCH = 16
"""Chunks read per query while reading an output's head (chunks are at most a slave's flush
size, 64 KiB by default)."""


@dataclass(frozen=True)
class EntryPage:
    """Which entries a page holds and where."""

    project_id: int  # NO_PROJECT: every project
    task_id: int  # 0: every task
    execution_ids: Sequence[int] | None  # None: any; else only these
    note_ids: Sequence[int] | None
    order_by: Sequence[str]  # RUN_LOG_ORDER_KEYS, "-" = descending; the last decides ties
    limit: int
    offset: int


def page(p: EntryPage) -> tuple[list[int], int]:
    """The entry ids of the page, in order, and how many entries match in all."""
    outputs, notes = _outputs(p), _notes(p)
    total = outputs.count() + notes.count()
    bound = p.offset + p.limit
    sides = [_bounded(q, model, p.order_by, bound) for q, model in _sides(outputs, notes)]
    union = sides[0].union_all(sides[1])
    order = [_ordered(pw.SQL(f'"{key.lstrip("-")}"'), key) for key in p.order_by]
    rows: Any = union.order_by(*order).limit(p.limit).offset(p.offset).tuples()
    return [int(row[0]) for row in rows], total


def _sides(outputs: pw.Select, notes: pw.Select) -> list[tuple[pw.Select, type[pw.Model]]]:
    return [(outputs, Execution), (notes, TaskNote)]


def _outputs(p: EntryPage) -> pw.Select:
    query = Execution.select(
        (Execution.id * 2).alias("id"),
        Execution.task.alias("task_id"),
        Execution.created_at.alias("created_at"),
    )
    return _filtered(query, Execution, p, p.execution_ids)


def _notes(p: EntryPage) -> pw.Select:
    query = TaskNote.select(
        (TaskNote.id * 2 + 1).alias("id"),
        TaskNote.task.alias("task_id"),
        TaskNote.created_at.alias("created_at"),
    )
    return _filtered(query, TaskNote, p, p.note_ids)


def _filtered(query: pw.Select, model: Any, p: EntryPage, ids: Sequence[int] | None) -> pw.Select:
    if ids is not None:
        query = query.where(model.id.in_(list(ids)) if ids else pw.SQL("1 = 0"))
    if p.task_id:
        query = query.where(model.task == p.task_id)
    if p.project_id != NO_PROJECT:
        query = query.join(Task, on=(model.task == Task.id)).where(Task.project == p.project_id)
    return query


def _bounded(query: pw.Select, model: Any, order_by: Sequence[str], bound: int) -> pw.Select:
    """The side's first `bound` rows in the page's order, as a subquery to unite."""
    columns = {"id": model.id, "created_at": model.created_at, "task_id": model.task}
    order = [_ordered(columns[key.lstrip("-")], key) for key in order_by]
    inner = query.order_by(*order).limit(bound)
    return inner.select_from(*(pw.SQL(f'"{key}"') for key in RUN_LOG_ORDER_KEYS))


def _ordered(column: Any, key: str) -> Any:
    return column.desc() if key.startswith("-") else column.asc()


def executions(execution_ids: Sequence[int]) -> dict[int, Execution]:
    if not execution_ids:
        return {}
    rows = Execution.select().where(Execution.id.in_(list(execution_ids)))
    return {row.id: row for row in rows}


def notes(note_ids: Sequence[int]) -> dict[int, TaskNote]:
    if not note_ids:
        return {}
    return {row.id: row for row in TaskNote.select().where(TaskNote.id.in_(list(note_ids)))}


def step_uuids(subtask_ids: Sequence[int]) -> dict[int, str]:
    if not subtask_ids:
        return {}
    rows = Subtask.select(Subtask.id, Subtask.uuid).where(Subtask.id.in_(list(subtask_ids)))
    return {row.id: row.uuid for row in rows}


def output_head(execution_id: int, max_bytes: int) -> tuple[bytes, bool]:
    """The output's first `max_bytes` bytes (both streams, as they came) and whether it goes on
    past them; a gap (a chunk not stored yet) ends what is read. Holds at most `max_bytes` and
    one batch of chunks."""
    parts: list[bytes] = []
    size, seq = 0, 0
    while True:
        rows: Any = (
            LogChunk.select(LogChunk.seq, LogChunk.data, LogChunk.codec)
            .where(LogChunk.execution == execution_id, LogChunk.seq >= seq)
            .order_by(LogChunk.seq)
            .limit(CHUNK_BATCH)
            .tuples()
        )
        batch = [(int(n), chunkdata.unpack(data, codec)) for n, data, codec in rows]
        for chunk_seq, data in batch:
            if chunk_seq != seq:
                return b"".join(parts), True  # a gap: stored chunks follow it
            room = max_bytes - size
            if len(data) > room:
                parts.append(data[:room])
                return b"".join(parts), True
            parts.append(data)
            size += len(data)
            seq += 1
        if len(batch) < CHUNK_BATCH:
            return b"".join(parts), False
