"""Log chunks: idempotent appends (resends after a reconnect), bounded, ordered reads, and
bytes kept compressed where that pays but always read as written."""

from __future__ import annotations

import random
from typing import Any

import peewee
from peewee import fn

from master.db.models import Execution, LogChunk
from master.domain import (
    Chunk,
    ExecutionStatus,
    JobType,
    LogPart,
    NewStep,
    NewTask,
    Placement,
    StepKind,
)
from master.store import logs, runlogs, slaves, tasks, vv


def new_execution() -> int:
    slaves.register("s1", "host", [], "test")
    step = NewStep("step1", StepKind.CMD, "", 1, {})
    task = tasks.create(NewTask(1, "t", "me", "api", JobType.PLUGIN_CMD, {}, [step], {}))
    rows = tasks.start_step(task.id, 0, [Placement("s1", "s1")])
    assert rows[0].status == ExecutionStatus.PENDING
    return int(rows[0].id)


def test_resent_chunks_are_stored_once(database: peewee.Database) -> None:
    eid = new_execution()
    logs.append([Chunk(eid, 0, b"a\n"), Chunk(eid, 1, b"b\n")])
    logs.append([Chunk(eid, 1, b"b\n"), Chunk(eid, 2, b"c\n"), Chunk(eid, 2, b"c\n")])
    data, next_seq = logs.read(eid, 0, 1 << 20)
    assert (data, next_seq) == (b"a\nb\nc\n", 3)
    row = Execution.get_by_id(eid)
    assert (row.chunk_count, row.log_bytes) == (3, 6)


def test_reads_stop_at_the_byte_bound_and_at_gaps(database: peewee.Database) -> None:
    eid = new_execution()
    logs.append([Chunk(eid, i, bytes([65 + i]) * 100) for i in range(5)])
    logs.append([Chunk(eid, 7, b"after a gap")])
    data, next_seq = logs.read(eid, 0, 250)
    assert (len(data), next_seq) == (200, 2)
    data, next_seq = logs.read(eid, next_seq, 10_000)
    assert (len(data), next_seq) == (300, 5)
    assert logs.read(eid, 5, 10_000) == (b"", 5)


def test_output_past_the_cap_is_counted_once_and_marked_not_stored(
    database: peewee.Database,
) -> None:
    eid = new_execution()
    logs.append([Chunk(eid, 0, b"a" * 6), Chunk(eid, 1, b"b" * 6)], max_bytes=10)
    logs.append([Chunk(eid, 1, b"b" * 6), Chunk(eid, 2, b"c" * 6)], max_bytes=10)  # a resend
    logs.append([Chunk(eid, 3, b"d" * 6)], max_bytes=10)
    data, next_seq = logs.read(eid, 0, 1 << 20)
    row = Execution.get_by_id(eid)
    assert data == b"a" * 6 + b"b" * 4 + logs.marker(10, 2 + 6 + 6)
    assert next_seq == row.chunk_count == 3
    assert (row.log_bytes, row.log_dropped) == (10, 14)


def test_output_that_fits_is_stored_whole(database: peewee.Database) -> None:
    eid = new_execution()
    logs.append([Chunk(eid, 0, b"a" * 6), Chunk(eid, 1, b"b" * 4)], max_bytes=10)
    row = Execution.get_by_id(eid)
    assert logs.read(eid, 0, 1 << 20) == (b"a" * 6 + b"b" * 4, 2)
    assert (row.log_bytes, row.log_dropped) == (10, 0)


def test_each_stream_reads_alone_or_both_in_seq_order(database: peewee.Database) -> None:
    eid = new_execution()
    out, err = False, True
    written = [(out, b"o1\n"), (err, b"e1\n"), (err, b"e2\n"), (out, b"o2\n"), (err, b"e3\n")]
    logs.append([Chunk(eid, seq, data, stderr) for seq, (stderr, data) in enumerate(written)])

    assert logs.read(eid, 0, 1 << 20) == (b"o1\ne1\ne2\no2\ne3\n", 5)
    assert logs.read(eid, 0, 1 << 20, stderr=True) == (b"e1\ne2\ne3\n", 5)
    assert logs.read(eid, 0, 1 << 20, stderr=False) == (b"o1\no2\n", 5)
    assert logs.read_parts(eid, 0, 1 << 20) == (
        [
            LogPart(out, b"o1\n"),
            LogPart(err, b"e1\ne2\n"),
            LogPart(out, b"o2\n"),
            LogPart(err, b"e3\n"),
        ],
        5,
    )


def test_one_streams_pages_pass_over_the_others_chunks(database: peewee.Database) -> None:
    eid = new_execution()
    streams = [False, True, True, False, False, True]
    logs.append([Chunk(eid, seq, b"%d" % seq, stderr) for seq, stderr in enumerate(streams)])

    pages, seq = [], 0
    while (page := logs.read(eid, seq, 1, stderr=True))[1] != seq:
        pages.append(page)
        seq = page[1]

    assert pages == [(b"1", 2), (b"2", 5), (b"5", 6)]  # one chunk a page, stdout passed over
    assert logs.read(eid, 6, 1, stderr=True) == (b"", 6)


def test_the_cap_marker_is_stdout_and_the_cut_chunk_keeps_its_stream(
    database: peewee.Database,
) -> None:
    eid = new_execution()
    logs.append([Chunk(eid, 0, b"e" * 6, True), Chunk(eid, 1, b"f" * 6, True)], max_bytes=10)

    assert logs.read(eid, 0, 1 << 20, stderr=True) == (b"e" * 6 + b"f" * 4, 3)
    assert logs.read(eid, 0, 1 << 20, stderr=False) == (logs.marker(10, 2), 3)


TEXT = b"".join(b"12:00:%02d worker %d: item %d done\n" % (i % 60, i % 7, i) for i in range(3000))
"""About 100 KiB of log-like lines: lz4 keeps under a third."""


def stored_sizes(eid: int) -> list[int]:
    rows: Any = LogChunk.select(fn.LENGTH(LogChunk.data)).where(LogChunk.execution == eid)
    return [int(size) for (size,) in rows.order_by(LogChunk.seq).tuples()]


def test_text_output_is_kept_compressed_and_every_read_gets_it_as_written(
    database: peewee.Database,
) -> None:
    eid = new_execution()
    noise = random.Random(7).randbytes(64 << 10)
    logs.append([Chunk(eid, 0, TEXT), Chunk(eid, 1, noise, True), Chunk(eid, 2, b"bye\n")])

    assert logs.read(eid, 0, 1 << 20) == (TEXT + noise + b"bye\n", 3)
    assert logs.read(eid, 0, 1 << 20, stderr=False) == (TEXT + b"bye\n", 3)
    assert runlogs.output_head(eid, len(TEXT) + 10) == ((TEXT + noise)[: len(TEXT) + 10], True)
    assert vv.stream_tail(eid, False, 2, 100) == TEXT[-100:]
    text_size, noise_size, bye_size = stored_sizes(eid)
    assert text_size < len(TEXT) // 3  # compressed
    assert (noise_size, bye_size) == (len(noise), 4)  # lz4 cannot shrink it; too small to try
    row = Execution.get_by_id(eid)
    assert row.log_bytes == len(TEXT) + len(noise) + 4


def test_the_cap_counts_output_as_written_and_cuts_it_before_compressing(
    database: peewee.Database,
) -> None:
    eid = new_execution()
    logs.append([Chunk(eid, 0, TEXT), Chunk(eid, 1, TEXT)], max_bytes=len(TEXT) + 5000)

    data, next_seq = logs.read(eid, 0, 4 << 20)
    assert data == TEXT + TEXT[:5000] + logs.marker(len(TEXT) + 5000, len(TEXT) - 5000)
    assert next_seq == 3
    assert stored_sizes(eid)[1] < 5000 // 2  # the head, compressed as cut
