#!/usr/bin/env python3
"""The store on SQLite and on PostgreSQL, through the master's own store functions (each call
on a pooled connection checked out for it, as the master's DbRunner does):

(a) start one task on N nodes as the engine starts a task whose first step is plain
    (taskstart.start_task, tasks/launch.py): the task, its step running and one execution per
    node written in one transaction, the rows handed back; the statements writing
    `execution` rows are counted, and the CPU time of the start;
(b) log ingest: M MB of output of one execution as 64 KiB chunks, stored by logs.append in
    batches of B chunks (the master stores what queued up on a slave stream as one batch).

Every repetition (3 by default) gets a fresh database (SQLite: a new file, WAL,
synchronous=NORMAL; PostgreSQL: a new database on the server JOBFLEET_TEST_DB names, with its
durable defaults unless the cluster was started with PG_FAST=1).

Measures the master's store by design, through its documented surface: master.db
(open_database, migrate, in_connection), the aggregates master.store.tasks (create,
start_step, executions, new_uuid, and its NewTask, NewStep, Placement), master.store.taskstart
(start_task) and master.store.logs
(append), and the value type master.domain.Chunk.
Usage: scripts/pg run .venv/bin/python scripts/bench_store.py [--nodes 10000] [--megabytes 100]
       [--batch 16] [--repeat N]   (without JOBFLEET_TEST_DB only SQLite is measured)
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import string
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import benchlib
import psycopg2

from master.db.connection import in_connection, open_database
from master.db.models import Task
from master.db.schema import migrate
from master.domain import CallType, Chunk, JobType, NewStep, NewTask, Placement, StepKind
from master.store import logs, tasks, taskstart

CHUNK = 64 * 1024
Fresh = Callable[[], tuple[str, Callable[[], None]]]  # a new database: (url, drop it)


@dataclass
class Runs:
    """What each repetition measured on one backend."""

    start_s: list[float]
    start_cpu_s: list[float]
    inserts: list[int]
    ingest_mb_s: list[float]


class InsertCounter(logging.Handler):
    """Counts the statements writing `execution` rows (INSERT; COPY on PostgreSQL) logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
        if str(sql).startswith(('INSERT INTO "execution"', 'COPY "execution"')):
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
        uuid=tasks.new_uuid(),
        kind=StepKind.CMD,
        pause="",
        node_count=nodes,
        spec={"script": "true"},
    )
    return NewTask(
        project_id=1,
        name="bench",
        submitter="bench",
        call_type=CallType.API,
        job_type=JobType.PLUGIN_CMD,
        variables={},
        steps=[step],
        inputs={},
    )


def start_task(nodes: int) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds, executions written, INSERT statements) for one task on `nodes`
    nodes."""
    placements = [Placement(f"node{i:05d}", f"slave{i % 50}") for i in range(nodes)]
    with counting_inserts() as counter:
        began, cpu = time.perf_counter(), time.process_time()
        task, _ = in_connection(taskstart.start_task, new_task(nodes), 0, placements, None, no_vv)
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
    written = in_connection(lambda: len(tasks.executions(task.id)))
    return took, cpu, written, counter.count


def no_vv(task: Task) -> list[tuple[str, str, str]]:
    """A task that sets no version variables as it starts."""
    return []


def ingest(megabytes: int, batch: int) -> float:
    """MB/s storing `megabytes` of one execution's output in 64 KiB chunks, `batch` a call."""
    task, [execution] = in_connection(
        taskstart.start_task, new_task(1), 0, [Placement("n1", "s1")], None, no_vv
    )
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


def run_backend(fresh: Fresh, args: argparse.Namespace) -> Runs:
    runs = Runs([], [], [], [])
    for _ in range(benchlib.repeat(args, 3, 1)):
        url, drop = fresh()
        database = open_database(url, pool_size=1)
        try:
            in_connection(migrate, database)
            took, cpu, written, inserts = start_task(args.nodes)
            assert written == args.nodes, f"{written} executions written of {args.nodes}"
            runs.start_s.append(took)
            runs.start_cpu_s.append(cpu)
            runs.inserts.append(inserts)
            runs.ingest_mb_s.append(ingest(args.megabytes, args.batch))
        finally:
            database.close_all()  # type: ignore[attr-defined]  # open_database's are pooled
            drop()
    return runs


def sqlite_factory(tmp: Path) -> Fresh:
    count = 0

    def fresh() -> tuple[str, Callable[[], None]]:
        nonlocal count
        count += 1
        return str(tmp / f"bench{count}.db"), lambda: None

    return fresh


def postgres_factory(server: str) -> Fresh:
    """Each database new on `server` (an admin URL), dropped after its repetition."""

    def fresh() -> tuple[str, Callable[[], None]]:
        name = f"jf_bench_{uuid.uuid4().hex[:12]}"
        admin(server, f'CREATE DATABASE "{name}"')
        drop = f'DROP DATABASE "{name}" WITH (FORCE)'
        return database_url(server, name), lambda: admin(server, drop)

    return fresh


def on_postgresql(out: benchlib.Figures, measure: Callable[[str], None]) -> None:
    """`measure(url)` on a new database of the PostgreSQL server JOBFLEET_TEST_DB names,
    dropped after; without one, a row saying PostgreSQL was skipped."""
    server = os.environ.get("JOBFLEET_TEST_DB", "")
    if not server:
        out.add("postgresql", "", [], SKIPPED_POSTGRESQL)
        return
    url, drop = postgres_factory(server)()
    try:
        measure(url)
    finally:
        drop()


SKIPPED_POSTGRESQL = "skipped: JOBFLEET_TEST_DB is not set (run under scripts/pg run)"


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def admin(server: str, statement: str) -> None:
    """One statement on the server's postgres database, outside a transaction."""
    conn = psycopg2.connect(database_url(server, "postgres"))
    try:
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def report(backend: str, runs: Runs, args: argparse.Namespace, out: benchlib.Figures) -> None:
    what = f"{backend}: (a) start 1 task on {args.nodes} nodes"
    note = f"{runs.inserts[0]} statement(s) writing executions (INSERT or COPY)"
    out.add(what, "ms", [t * 1000 for t in runs.start_s], note)
    out.add(f"{what}, CPU", "ms", [t * 1000 for t in runs.start_cpu_s])
    what = f"{backend}: (b) log ingest {args.megabytes} MB, 64 KiB chunks, {args.batch} a batch"
    out.add(what, "MB/s", runs.ingest_mb_s)


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--nodes", type=int, default=10_000)
    p.add_argument("--megabytes", type=int, default=100)
    p.add_argument("--batch", type=int, default=16, help="chunks per logs.append call")
    args = benchlib.parse(p, {"nodes": 200, "megabytes": 2})
    out = benchlib.Figures("store")
    with tempfile.TemporaryDirectory() as tmp:
        report("sqlite", run_backend(sqlite_factory(Path(tmp)), args), args, out)
    server = os.environ.get("JOBFLEET_TEST_DB", "")
    if server:
        report("postgresql", run_backend(postgres_factory(server), args), args, out)
    else:
        out.add("postgresql", "", [], SKIPPED_POSTGRESQL)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
