"""Execution output, stored as (execution, seq) chunks, each of one stream (stdout or stderr;
seq runs over both, in order of arrival). Appends are batched and idempotent (a chunk resent
after a reconnect is dropped); reads are bounded by bytes, and may take one stream only.
Bytes are kept lz4-compressed where that pays (chunkdata.py); every read gets them as written,
and sizes (the cap, `log_bytes`) count them as written."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import peewee as pw

from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, LogChunk
from master.db.pgcopy import copy_rows
from master.domain import Chunk, LogPart
from master.store import chunkdata

MAX_CHUNKS_PER_READ = 4096
CHUNK_COLUMNS = ("execution_id", "seq", "data", "stderr", "codec")
SQLITE_INSERT = f"INSERT INTO log_chunk ({', '.join(CHUNK_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"


def append(chunks: list[Chunk], max_bytes: int | None = None) -> list[Chunk]:
    """Store chunks not stored yet, and count their bytes on their executions. Past
    `max_bytes` of an execution's output, chunks are counted but not stored, and one marker
    chunk at the end of the stored log says how much was dropped (updated as more is).
    Returns what was stored (a head cut at the cap as stored), for what reads output as it
    arrives (tasks/vvcapture.py)."""
    if not chunks:
        return []
    with write_transaction():
        fresh = _drop_stored(chunks)
        if max_bytes is not None:
            fresh = _cap(chunks, fresh, max_bytes)
        if not fresh:
            return []
        _insert(fresh)
        added: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for c in fresh:
            n, size = added[c.execution_id]
            added[c.execution_id] = (n + 1, size + len(c.data))
        for execution_id, (n, size) in added.items():
            Execution.update(
                chunk_count=Execution.chunk_count + n, log_bytes=Execution.log_bytes + size
            ).where(Execution.id == execution_id).execute()
    return fresh


def _insert(chunks: list[Chunk]) -> None:
    """The rows, in one statement: on PostgreSQL a binary COPY (db/pgcopy.py: the bytes go
    as they are, not as hex text), on SQLite one executemany of a statement written once."""
    rows = [_row(c) for c in chunks]
    if is_postgres():
        copy_rows(LogChunk._meta.table_name, CHUNK_COLUMNS, rows)
    else:
        db.cursor().executemany(SQLITE_INSERT, rows)


def _row(c: Chunk) -> tuple[int, int, bytes, bool, int]:
    data, codec = chunkdata.pack(c.data)
    return (c.execution_id, c.seq, data, c.stderr, codec)


def marker(cap: int, dropped: int) -> bytes:
    return f"\n[jobfleet: output truncated at {cap} bytes; {dropped} more bytes dropped]\n".encode()


def _cap(chunks: list[Chunk], fresh: list[Chunk], max_bytes: int) -> list[Chunk]:
    """The fresh chunks to store; the rest of each capped execution is counted as dropped."""
    ids = {c.execution_id for c in chunks}
    rows = {r.id: r for r in Execution.select().where(Execution.id.in_(ids))}
    keep: list[Chunk] = []
    for execution_id, row in rows.items():
        if row.dropped_seq >= 0:  # cut already: every later chunk is dropped (even "stored")
            mine = sorted(
                {c.seq: c for c in chunks if c.execution_id == execution_id}.values(),
                key=lambda c: c.seq,
            )
            _count_dropped(row, mine, max_bytes)
        else:
            keep += _cut(row, [c for c in fresh if c.execution_id == execution_id], max_bytes)
    return keep


def _cut(row: Execution, fresh: list[Chunk], max_bytes: int) -> list[Chunk]:
    room = max_bytes - row.log_bytes
    for i, c in enumerate(fresh):
        if len(c.data) <= room:
            room -= len(c.data)
            continue
        head = dataclasses.replace(c, data=c.data[: max(room, 0)])
        LogChunk.insert(execution=row.id, seq=c.seq + 1, data=b"").execute()
        Execution.update(chunk_count=Execution.chunk_count + 1).where(
            Execution.id == row.id
        ).execute()
        row.dropped_seq = c.seq  # the head's own tail is dropped too
        row.log_dropped = len(c.data) - len(head.data)
        _count_dropped(row, fresh[i + 1 :], max_bytes, marker_seq=c.seq + 1)
        return [*fresh[:i], head]
    return fresh


def _count_dropped(
    row: Execution, chunks: list[Chunk], max_bytes: int, marker_seq: int | None = None
) -> None:
    for c in chunks:
        if c.seq > row.dropped_seq:
            row.log_dropped += len(c.data)
            row.dropped_seq = c.seq
    Execution.update(log_dropped=row.log_dropped, dropped_seq=row.dropped_seq).where(
        Execution.id == row.id
    ).execute()
    if marker_seq is None:
        last = LogChunk.select(pw.fn.MAX(LogChunk.seq)).where(LogChunk.execution == row.id)
        marker_seq = last.scalar()
    LogChunk.update(data=marker(max_bytes, row.log_dropped), codec=chunkdata.RAW).where(
        LogChunk.execution == row.id, LogChunk.seq == marker_seq
    ).execute()


def _drop_stored(chunks: list[Chunk]) -> list[Chunk]:
    by_execution: dict[int, list[int]] = defaultdict(list)
    for c in chunks:
        by_execution[c.execution_id].append(c.seq)
    stored: set[tuple[int, int]] = set()
    for execution_id, seqs in by_execution.items():
        rows = LogChunk.select(LogChunk.seq).where(
            LogChunk.execution == execution_id, LogChunk.seq.between(min(seqs), max(seqs))
        )
        stored.update((execution_id, r.seq) for r in rows)
    unique: dict[tuple[int, int], Chunk] = {}
    for c in chunks:
        key = (c.execution_id, c.seq)
        if key not in stored:
            unique.setdefault(key, c)
    return list(unique.values())


def read(
    execution_id: int, from_seq: int, max_bytes: int, stderr: bool | None = None
) -> tuple[bytes, int]:
    """Chunks from `from_seq` on, up to about max_bytes (at least one chunk); -> (data, next
    seq). Both streams as they came (`stderr` None), or one: see read_parts."""
    parts, next_seq = read_parts(execution_id, from_seq, max_bytes, stderr)
    return b"".join(part.data for part in parts), next_seq


def read_parts(
    execution_id: int, from_seq: int, max_bytes: int, stderr: bool | None = None
) -> tuple[list[LogPart], int]:
    """As `read`, joined into parts of one stream each; -> (parts, next seq). With `stderr`
    set, only that stream's chunks are read: the other's are passed over (their data is not
    loaded) and still count in next seq."""
    runs: list[tuple[bool, list[bytes]]] = []
    size, next_seq = 0, from_seq
    for seq, is_stderr, stored, codec in _rows(execution_id, from_seq, stderr):
        if seq != next_seq:
            break  # not stored yet
        if stored is not None:
            data = chunkdata.unpack(stored, codec)
            if runs and size + len(data) > max_bytes:
                break
            if not runs or runs[-1][0] != bool(is_stderr):
                runs.append((bool(is_stderr), []))
            runs[-1][1].append(data)
            size += len(data)
        next_seq += 1
    return [LogPart(s, b"".join(pieces)) for s, pieces in runs], next_seq


def _rows(execution_id: int, from_seq: int, stderr: bool | None) -> Iterator[tuple[Any, ...]]:
    """(seq, stderr, data, codec) from `from_seq` on; data is NULL for the stream not asked
    for."""
    data: Any = LogChunk.data
    if stderr is not None:
        data = pw.Case(None, [(LogChunk.stderr == stderr, LogChunk.data)], None)
    query = (
        LogChunk.select(LogChunk.seq, LogChunk.stderr, data.alias("data"), LogChunk.codec)
        .where(LogChunk.execution == execution_id, LogChunk.seq >= from_seq)
        .order_by(LogChunk.seq)
        .limit(MAX_CHUNKS_PER_READ)
    )
    rows: Iterator[tuple[Any, ...]] = query.tuples().iterator()
    return rows
