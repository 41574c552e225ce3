#!/usr/bin/env python3
"""Benchmark the store on SQLite and on PostgreSQL, through the master's own store functions
(each call on a pooled connection checked out for it, as the master's DbRunner does):

(a) start one task on N nodes: write the task and its step (tasks.create), then start the step
    on N placements (tasks.start_step: one execution row per node, read back); the INSERT
    statements into `execution` are counted;
(b) log ingest: M MB of output of one execution as 64 KiB chunks, stored by logs.append in
    batches of B chunks (the master stores what queued up on a slave stream as one batch).

Every run gets a fresh database (SQLite: a new file, WAL, synchronous=NORMAL; PostgreSQL: a new
database on the server JOBFLEET_TEST_DB names, with its durable defaults unless the cluster was
started with PG_FAST=1). Medians of --runs runs are printed.

Usage: scripts/pg run .venv/bin/python scripts/bench_store.py [--nodes 10000] [--megabytes 100]
       (without JOBFLEET_TEST_DB only SQLite is measured)
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / p) for p in ("", "protos")]

from master.db.connection import in_connection, open_database  # noqa: E402
from master.db.schema import migrate  # noqa: E402
from master.domain import Chunk, NewStep, NewTask, Placement  # noqa: E402
from master.store import logs, tasks  # noqa: E402
from tests import pg  # noqa: E402

CHUNK = 64 * 1024
Fresh = Callable[[], tuple[str, Callable[[], None]]]  # a new database: (url, drop it)


@dataclass
class Figures:
    start_s: list[float]
    inserts: list[int]
    ingest_mb_s: list[float]


class InsertCounter(logging.Handler):
    """Counts the INSERT statements into `execution` that peewee logs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
        if str(sql).startswith('INSERT INTO "execution"'):
            self.count += 1


@contextmanager
def counting_inserts() -> Iterator[InsertCounter]:
    counter = InsertCounter()
    log = logging.getLogger("peewee")
    log.addHandler(counter)
    log.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        log.removeHandler(counter)
        log.setLevel(logging.WARNING)


def new_task(nodes: int) -> NewTask:
    step = NewStep(
        uuid=tasks.new_uuid(), kind="cmd", pause="", node_count=nodes, spec={"script": "true"}
    )
    return NewTask(
        project_id=1,
        name="bench",
        submitter="bench",
        call_type="api",
        job_type="plugin_cmd",
        variables={},
        steps=[step],
        inputs={},
    )


def start_task(nodes: int) -> tuple[float, int, int]:
    """(seconds, executions written, INSERT statements) for one task on `nodes` nodes."""
    placements = [Placement(f"node{i:05d}", f"slave{i % 50}") for i in range(nodes)]
    with counting_inserts() as counter:
        began = time.perf_counter()
        task = in_connection(tasks.create, new_task(nodes))
        rows = in_connection(tasks.start_step, task.id, 0, placements)
        took = time.perf_counter() - began
    return took, len(rows), counter.count


def ingest(megabytes: int, batch: int) -> float:
    """MB/s storing `megabytes` of one execution's output in 64 KiB chunks, `batch` a call."""
    task = in_connection(tasks.create, new_task(1))
    execution = in_connection(tasks.start_step, task.id, 0, [Placement("n1", "s1")])[0]
    blocks = [text_block(seed) for seed in range(8)]
    total = megabytes * 1024 * 1024 // CHUNK
    began = time.perf_counter()
    for first in range(0, total, batch):
        chunks = [
            Chunk(execution.id, seq, blocks[seq % len(blocks)])
            for seq in range(first, min(first + batch, total))
        ]
        in_connection(logs.append, chunks)
    took = time.perf_counter() - began
    stored = in_connection(lambda: tasks.executions(task.id)[0].log_bytes)
    assert stored == total * CHUNK, f"stored {stored} bytes of {total * CHUNK}"
    return megabytes / took


def text_block(seed: int) -> bytes:
    """64 KiB of printable lines: output-like, not trivially compressible."""
    rnd = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "     "
    lines, size = [], 0
    while size < CHUNK:
        line = "".join(rnd.choices(alphabet, k=rnd.randint(20, 120))) + "\n"
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()[:CHUNK]


def run_backend(fresh: Fresh, args: argparse.Namespace) -> Figures:
    figures = Figures([], [], [])
    for _ in range(args.runs):
        url, drop = fresh()
        database = open_database(url, pool_size=1)
        try:
            in_connection(migrate, database)
            took, written, inserts = start_task(args.nodes)
            assert written == args.nodes, f"{written} executions written of {args.nodes}"
            figures.start_s.append(took)
            figures.inserts.append(inserts)
            figures.ingest_mb_s.append(ingest(args.megabytes, args.batch))
        finally:
            database.close_all()
            drop()
    return figures


def sqlite_factory(tmp: Path) -> Fresh:
    count = 0

    def fresh() -> tuple[str, Callable[[], None]]:
        nonlocal count
        count += 1
        return str(tmp / f"bench{count}.db"), lambda: None

    return fresh


def postgres_factory(server: str) -> Fresh:
    def fresh() -> tuple[str, Callable[[], None]]:
        url = pg.create_database(server)
        return url, lambda: pg.drop_database(url)

    return fresh


def report(name: str, f: Figures, args: argparse.Namespace) -> None:
    print(
        f"{name:<10} (a) start 1 task on {args.nodes} nodes: median "
        f"{statistics.median(f.start_s) * 1000:.0f} ms "
        f"(runs {', '.join(f'{t * 1000:.0f}' for t in f.start_s)} ms; "
        f"{f.inserts[0]} INSERT statement(s) into execution)"
    )
    print(
        f"{'':<10} (b) log ingest {args.megabytes} MB, 64 KiB chunks, {args.batch} a batch: "
        f"median {statistics.median(f.ingest_mb_s):.0f} MB/s "
        f"(runs {', '.join(f'{v:.0f}' for v in f.ingest_mb_s)} MB/s)"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--nodes", type=int, default=10_000)
    p.add_argument("--megabytes", type=int, default=100)
    p.add_argument("--batch", type=int, default=16, help="chunks per logs.append call")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("sqlite", run_backend(sqlite_factory(Path(tmp)), args), args)
    server = pg.server_url()
    if server:
        report("postgresql", run_backend(postgres_factory(server), args), args)
    else:
        print("postgresql skipped: JOBFLEET_TEST_DB is not set (run under scripts/pg run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
