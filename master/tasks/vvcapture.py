"""Version variables taken from cmd steps' output as it is stored, in the same transaction.

`OutputCapture.append` stores a batch of chunks (store/logs.py: a resent chunk is dropped as
already stored, so it is never scanned twice), scans each stored chunk of each stream with what
that stream's previous chunk left unfinished (`carry`, vvscan.py), and writes the matches of cmd
steps' executions (store/vv.py); the carries move on only once the transaction committed, so a
batch that failed is scanned again, whole, when the slave sends it again.

Carries live in memory. After a master restart (or when an execution's carry was evicted) the
first chunk of a stream seen with seq > 0 takes its carry from that stream's stored tail, one
small read, so a match cut by a boundary across the restart is still found once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from master.db.connection import write_transaction
from master.domain import Chunk
from master.store import logs, vv
from master.tasks.vvscan import MAX_CARRY, Found, carry_of, scan

logger = logging.getLogger(__name__)
Stream = tuple[int, bool]
"""(execution id, stderr)."""
MAX_STREAMS = 65536
"""Streams whose state is kept; past this the oldest are forgotten (and read back if needed)."""


class OutputCapture:
    """Stores output and captures the version variables in it; one per master."""

    def __init__(self) -> None:
        self.carries: dict[Stream, bytes] = {}
        """Each stream's unfinished end, present once this process knows it (b"": nothing)."""

    def append(self, chunks: list[Chunk], max_bytes: int | None = None) -> None:
        """Store the chunks (logs.append) and the variables in them, in one transaction."""
        with write_transaction():
            stored = logs.append(chunks, max_bytes)
            found, carries = self._scan(stored)
            self._write(found)
        self._remember(carries)

    def _scan(self, stored: list[Chunk]) -> tuple[dict[int, list[Found]], dict[Stream, bytes]]:
        found: dict[int, list[Found]] = {}
        carries: dict[Stream, bytes] = {}
        for chunk in sorted(stored, key=lambda c: (c.execution_id, c.seq)):
            stream = (chunk.execution_id, chunk.stderr)
            carry = carries.get(stream)
            if carry is None:
                carry = self._known_carry(stream, chunk.seq)
            matched, carries[stream] = scan(carry, chunk.data)
            if matched:
                found.setdefault(chunk.execution_id, []).extend(matched)
        return found, carries

    def _known_carry(self, stream: Stream, seq: int) -> bytes:
        known = self.carries.get(stream)
        if known is not None or seq == 0:
            return known or b""
        execution_id, stderr = stream
        return carry_of(vv.stream_tail(execution_id, stderr, seq, MAX_CARRY))

    def _write(self, found: dict[int, list[Found]]) -> None:
        if not found:
            return
        for execution_id, (project_id, node) in vv.cmd_executions(list(found)).items():
            kept = [(node, f.name, f.value) for f in _reported(execution_id, node, found)]
            vv.write(project_id, kept)

    def _remember(self, carries: dict[Stream, bytes]) -> None:
        self.carries.update(carries)
        if len(self.carries) > MAX_STREAMS:
            for stream in list(self.carries)[: len(self.carries) - MAX_STREAMS // 2]:
                self.carries.pop(stream, None)


def _reported(execution_id: int, node: str, found: dict[int, list[Found]]) -> Iterable[Found]:
    """The matches to keep; each refused one logged (the operator's only word of it)."""
    for f in found[execution_id]:
        if not f.refused:
            yield f
            continue
        logger.warning(
            "exec %d node %s: version variable %s not kept: %s",
            execution_id,
            node,
            f.name,
            f.refused,
        )
