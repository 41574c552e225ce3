#!/usr/bin/env python3
"""SQL statements and database calls per small task: what one `true` costs the store.

Starts the master under scripts/sqltrace.py (every SQLite statement and every database call
traced to a file) and one slave; runs --warm-up tasks; then --clients (16) gRPC clients submit
--tasks (200) `true` tasks on the one agent node back to back, and the trace is read once every
task is final (CountTasks every 0.25 s). The background (the master's periodic work and those
polls, over 5 idle seconds with the same polls) is subtracted at its rate. Prints, per task:
statements by kind (the verb and the table: SELECT task, UPDATE execution, BEGIN, COMMIT, ...)
and database calls (store functions run on the database threads) by function. A statement that
fires triggers is traced again for each by sqlite3: such repeats are counted apart, as trigger
programs, not statements. --db postgresql://... counts on PostgreSQL (every cursor's execute:
BEGIN and COMMIT too), e.g. under `PG_FAST=1 scripts/pg run ... --db '$JOBFLEET_TEST_DB'`.
Usage: .venv/bin/python scripts/count_statements.py [--tasks 200] [--clients 16] [--db URL]
       [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from bench_throughput import command, finished
from benchfleet import Fleet

from jobfleet.cli.auth import metadata
from jobfleet.cli.processes import spawn, wait_ready
from jobfleet.v1 import task_pb2_grpc

SCRIPTS = Path(__file__).resolve().parent
POLL = 0.25  # seconds between the CountTasks that wait for the tasks
IDLE = 5.0  # seconds of the background measured: periodic work and those polls
DEADLINE = 300.0
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def kind(statement: str) -> str:
    """`SELECT "t1"."id" FROM "task" AS "t1" ...` -> `SELECT task`; BEGIN, COMMIT as they are;
    a statement on no table as it is (its first 40 characters: `SELECT 1`)."""
    words = statement.split(None, 1)
    verb = words[0].upper() if words else "?"
    if verb == "WITH":
        verb = "WITH ... " + (statement.split(")")[-1].split(None, 1) or ["?"])[0].upper()
    if verb in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"):
        return verb
    table = TABLE.search(statement)
    return f"{verb} {table.group(1)}" if table else " ".join(statement.split())[:40]


@dataclass
class Counts:
    """A trace's statements by kind and its database calls by function."""

    statements: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    outside: float = 0  # statements on a thread with no database call open
    triggers: float = 0  # trigger programs run (sqlite3 traces each with its statement's text)


def count(lines: list[str]) -> Counts:
    """Tally trace lines (`thread\\tCALL|END|SQL\\ttext`, scripts/sqltrace.py)."""
    counts = Counts()
    open_calls: dict[str, str] = {}
    last: dict[str, str] = {}  # the thread's last line: a repeat of a statement is a trigger's
    for line in lines:
        thread, what, text = (line.rstrip("\n").split("\t", 2) + ["", ""])[:3]
        repeated, last[thread] = last.get(thread) == what + text, what + text
        if what == "SQL" and repeated:
            counts.triggers += 1
        elif what == "CALL":
            open_calls[thread] = text
            counts.calls[text] += 1
        elif what == "END":
            open_calls.pop(thread, None)
        elif what == "SQL":
            counts.statements[kind(text)] += 1
            counts.outside += thread not in open_calls
    return counts


def per_task(counts: Counts, tasks: int) -> dict[str, object]:
    """The counts divided by the tasks, most first, as JSON-ready figures."""

    def each(counter: Counter[str]) -> dict[str, float]:
        return {k: round(v / tasks, 2) for k, v in counter.most_common() if v / tasks >= 0.005}

    return {
        "tasks": tasks,
        "statements_per_task": round(sum(counts.statements.values()) / tasks, 2),
        "calls_per_task": round(sum(counts.calls.values()) / tasks, 2),
        "statements_outside_calls_per_task": round(counts.outside / tasks, 2),
        "trigger_programs_per_task": round(counts.triggers / tasks, 2),
        "statements_by_kind": each(counts.statements),
        "calls_by_function": each(counts.calls),
    }


def text(result: dict[str, object]) -> str:
    lines = [
        f"per `true` task, over {result['tasks']} tasks:",
        f"  SQL statements {result['statements_per_task']}, database calls "
        f"{result['calls_per_task']} (statements outside a call: "
        f"{result['statements_outside_calls_per_task']}; trigger programs run, not counted as "
        f"statements: {result['trigger_programs_per_task']})",
        "statements by kind, per task:",
    ]
    by_kind = result["statements_by_kind"]
    by_call = result["calls_by_function"]
    assert isinstance(by_kind, dict) and isinstance(by_call, dict)
    lines += [f"  {v:7.2f}  {k}" for k, v in by_kind.items()]
    lines += ["database calls by store function, per task:"]
    lines += [f"  {v:7.2f}  {k}" for k, v in by_call.items()]
    return "\n".join(lines)


async def submit_all(target: str, tasks: int, clients: int) -> None:
    """`tasks` SubmitCommand `true`, from `clients` channels at once, back to back."""
    auth = metadata(os.environ["JOBFLEET_ADMIN_TOKEN"])
    left = [tasks]

    async def client() -> None:
        async with grpc.aio.insecure_channel(target) as channel:
            stub = task_pb2_grpc.TaskServiceStub(channel)
            while left[0] > 0:
                left[0] -= 1
                await stub.SubmitCommand(command(), metadata=auth, timeout=60)

    await asyncio.gather(*(client() for _ in range(clients)))


async def succeeded(target: str) -> tuple[int, int]:
    async with grpc.aio.insecure_channel(target) as channel:
        return await finished(task_pb2_grpc.TaskServiceStub(channel))


async def poll_until(target: str, base: int, tasks: int, seconds: float) -> None:
    """CountTasks every POLL s until `tasks` more than `base` succeeded, or for `seconds`."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            done, failed = await finished(stub)
            if tasks and (done - base >= tasks or failed):
                return
            await asyncio.sleep(POLL)


def window(trace: Path, work: Callable[[], None]) -> tuple[list[str], float]:
    """The trace lines written while `work` ran, and its seconds."""
    start, began = trace.stat().st_size, time.monotonic()
    work()
    end, took = trace.stat().st_size, time.monotonic() - began
    with trace.open() as lines:
        lines.seek(start)
        return lines.read(end - start).splitlines(), took


def run(fleet: Fleet, trace: Path, tasks: int, clients: int) -> tuple[list[str], float]:
    """Submit the tasks and poll until all are final: the trace lines meanwhile, its seconds."""
    base = asyncio.run(succeeded(fleet.master))

    def work() -> None:
        asyncio.run(submit_all(fleet.master, tasks, clients))
        asyncio.run(poll_until(fleet.master, base[0], tasks, DEADLINE))

    lines, took = window(trace, work)
    done, failed = asyncio.run(succeeded(fleet.master))
    if done - base[0] != tasks:
        raise SystemExit(f"count_statements: {done - base[0]} of {tasks} tasks succeeded")
    return lines, took


def idle(fleet: Fleet, trace: Path, seconds: float) -> tuple[list[str], float]:
    """The trace lines of `seconds` with no task but the same CountTasks polls."""
    return window(trace, lambda: asyncio.run(poll_until(fleet.master, 0, 0, seconds)))


def net(busy: Counts, busy_s: float, background: Counts, background_s: float) -> Counts:
    """The run's counts less the background's (its rate times the run's seconds)."""
    scale = busy_s / background_s

    def less(a: Counter[str], b: Counter[str]) -> Counter[str]:
        left = Counter({k: a[k] - b.get(k, 0) * scale for k in a})
        return Counter({k: v for k, v in left.items() if v > 0.005})

    outside = busy.outside - background.outside * scale
    triggers = busy.triggers - background.triggers * scale
    statements = less(busy.statements, background.statements)
    return Counts(statements, less(busy.calls, background.calls), outside, triggers)


def start_master(fleet: Fleet, trace: Path, db: str) -> None:
    """The master through scripts/sqltrace.py (as Fleet.start_master, traced)."""
    os.environ["JOBFLEET_SQL_TRACE"] = str(trace)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")])
    )
    ready = fleet.work / "master.ready"
    args = ["--listen", "127.0.0.1:0", "--data-dir", str(fleet.work), "--ready-file", str(ready)]
    args += ["--max-submissions-per-second", "100000", *(["--db", db] if db else [])]
    fleet.daemons.append(spawn("master", "sqltrace", args, fleet.work))
    fleet.master = wait_ready(fleet.daemons[-1], ready)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tasks", type=int, default=200, help="tasks counted")
    p.add_argument("--clients", type=int, default=16, help="concurrent gRPC clients")
    p.add_argument("--warm-up", type=int, default=20, help="tasks run first, not counted")
    p.add_argument("--json", action="store_true", help="the counts as JSON")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    p.add_argument("--keep-trace", metavar="FILE", help="copy the counted trace lines there")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
        trace = Path(tmp) / "sql.trace"
        trace.touch()
        start_master(fleet, trace, args.db)
        fleet.start_slave("bench")
        run(fleet, trace, args.warm_up, args.clients)
        background, background_s = idle(fleet, trace, IDLE)
        busy, busy_s = run(fleet, trace, args.tasks, args.clients)
        if args.keep_trace:
            Path(args.keep_trace).write_text("\n".join(busy) + "\n")
        counts = net(count(busy), busy_s, count(background), background_s)
        result = per_task(counts, args.tasks) | {"run_seconds": round(busy_s, 2)}
    print(json.dumps(result) if args.json else text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
