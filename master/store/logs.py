"""Execution output, stored as (execution, seq) chunks. Appends are batched and idempotent (a
chunk resent after a reconnect is dropped); reads are bounded by bytes."""

from __future__ import annotations

from collections import defaultdict

from master.db import write_transaction
from master.domain import Chunk
from master.models import Execution, LogChunk

MAX_CHUNKS_PER_READ = 4096


def append(chunks: list[Chunk]) -> None:
    """Store chunks not stored yet, and count their bytes on their executions."""
    if not chunks:
        return
    with write_transaction():
        fresh = _drop_stored(chunks)
        if not fresh:
            return
        LogChunk.insert_many(
            [{"execution": c.execution_id, "seq": c.seq, "data": c.data} for c in fresh]
        ).execute()
        added: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for c in fresh:
            n, size = added[c.execution_id]
            added[c.execution_id] = (n + 1, size + len(c.data))
        for execution_id, (n, size) in added.items():
            Execution.update(
                chunk_count=Execution.chunk_count + n, log_bytes=Execution.log_bytes + size
            ).where(Execution.id == execution_id).execute()


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


def read(execution_id: int, from_seq: int, max_bytes: int) -> tuple[bytes, int]:
    """Chunks from `from_seq` on, up to about max_bytes (at least one chunk); -> (data, next)."""
    parts: list[bytes] = []
    size, next_seq = 0, from_seq
    query = (
        LogChunk.select(LogChunk.seq, LogChunk.data)
        .where(LogChunk.execution == execution_id, LogChunk.seq >= from_seq)
        .order_by(LogChunk.seq)
        .limit(MAX_CHUNKS_PER_READ)
    )
    for row in query.iterator():
        if row.seq != next_seq or (parts and size + len(row.data) > max_bytes):
            break
        parts.append(bytes(row.data))
        size += len(row.data)
        next_seq += 1
    return b"".join(parts), next_seq
