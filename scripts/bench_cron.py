#!/usr/bin/env python3
"""The crontab scheduler: N per-second crontabs on one master for D seconds.

Starts a real master (and a slave named `bench`), creates a job and N crontabs `* * * * * *` over
gRPC, lets them run, then stops the master and reads its database:

- fires expected (N x D: every crontab, every second of the window) against what was recorded:
  claimed to start, started (a task exists), skipped, misfired (fire times covered by misfire
  records), failed, and fire times with no record at all (must be 0);
- started / expected, and fire times doubled (covered by two records, or a crontab task no
  record names: must be 0);
- lateness of the fires that started: the task's start (its `started_at`) minus the fire time
  (median, p99, max), and of the first step's executions written (dispatched to the slave);
- the scheduler's own figures: fire records claimed per second over the window, claim time
  minus fire time, and task start minus claim time (median, p99);
- how the started tasks ended: after the window every crontab is switched off and the master
  gets up to --drain seconds to finish the tasks it started (their results queue behind task
  starts while it is overloaded).

--target slave: the job runs `true` on the slave (a full round trip per task).
--target none:  the job's node has no slave: each task is written, its step started and its one
                execution failed at once (the task then waits for a decision, as any job task
                whose step fails): the scheduler and the task engine without the slave's work.

The whole window is one measurement (repeated once by default; each repetition on a fresh
master and database). Public entry points only: the daemons' CLIs and the master's gRPC API
(benchfleet.py); afterwards it reads the tables crontab, crontab_fire and task of the master's
database (as its migrations define them) with plain SQL.
Each size in --crontabs (default 100 and 1,000) is measured on its own master, figures prefixed
with the size.
Usage: .venv/bin/python scripts/bench_cron.py [--crontabs 100,1000] [--seconds 60]
                                             [--target slave|none] [--db URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchlib
import grpc
import psycopg2
from benchfleet import Fleet

from jobfleet.cli.auth import token_channel
from jobfleet.v1 import (
    catalog_pb2,
    catalog_pb2_grpc,
    common_pb2,
    crontab_pb2,
    crontab_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)

SETTLE = 3  # seconds after the last crontab is created before the window opens
UNBOUNDED = "1000000000"
"""The quotas per project, lifted: the benchmark is one project loading the scheduler on purpose."""
LIFTED = ["--max-crontabs", UNBOUNDED, "--max-running-tasks", UNBOUNDED]
LIFTED += ["--max-submissions-per-second", UNBOUNDED]


def create_job(channel: grpc.Channel, target: str) -> str:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
    node = "bench"
    if target == "none":
        node = "ghost"
        catalog.CreateNode(catalog_pb2.CreateNodeRequest(project_id=1, name=node), timeout=30)
    step = common_pb2.Step(
        name="tick",
        cmd=common_pb2.CmdStep(
            nodes=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content=node),
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script="true",
        ),
    )
    ask = catalog_pb2.CreateJobRequest(project_id=1, name="tick", steps=[step], actor="bench")
    return str(catalog.CreateJob(ask, timeout=30).job.uuid)


def create_crontabs(channel: grpc.Channel, job: str, count: int) -> tuple[list[int], float]:
    """Create them; their ids and the seconds it took."""
    stub = crontab_pb2_grpc.CrontabServiceStub(channel)
    began, ids = time.perf_counter(), []
    for i in range(count):
        ask = crontab_pb2.CreateCrontabRequest(
            project_id=1, name=f"c{i}", job_uuid=job, cron="* * * * * *", actor="bench"
        )
        ids.append(stub.CreateCrontab(ask, timeout=60).crontab.id)
    return ids, time.perf_counter() - began


def switch_off(channel: grpc.Channel, ids: list[int]) -> float:
    """Make every crontab unavailable; the seconds it took."""
    stub = crontab_pb2_grpc.CrontabServiceStub(channel)
    began = time.perf_counter()
    for crontab_id in ids:
        ask = crontab_pb2.SetCrontabStatusRequest(
            project_id=1, id=crontab_id, status=crontab_pb2.CRONTAB_STATUS_UNAVAILABLE
        )
        stub.SetCrontabStatus(ask, timeout=60)
    return time.perf_counter() - began


def drain(channel: grpc.Channel, limit: float) -> tuple[float, int]:
    """Wait until no crontab task is running (at most `limit` s): (seconds, still running)."""
    stub = task_pb2_grpc.TaskServiceStub(channel)
    began = time.perf_counter()
    while True:
        ask = task_pb2.ListTasksRequest(project_id=1, status=common_pb2.TASK_STATUS_RUNNING)
        running = stub.ListTasks(ask, timeout=60).total
        took = time.perf_counter() - began
        if not running or took > limit:
            return took, running
        time.sleep(0.5)


@dataclass
class Fire:
    crontab: int
    time: float
    through: float
    outcome: str
    task: str
    recorded: float


def when(value: Any) -> float:
    """Unix seconds of a naive-UTC time as the database returns it (text or datetime)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return float(value.replace(tzinfo=dt.UTC).timestamp())


def connect(db: str, tmp: Path) -> Any:
    if db.startswith("postgres"):
        return psycopg2.connect(db)
    return sqlite3.connect(db or str(tmp / "jobfleet.db"))


def wait_handled(db: str, tmp: Path, last: int, limit: float) -> float:
    """Wait until the scheduler has handled every crontab's fire times up to `last` (its cursor
    `through` is there), at most `limit` s; the seconds it took."""
    began = time.perf_counter()
    cutoff = dt.datetime.fromtimestamp(last, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    while time.perf_counter() - began < limit:
        conn = connect(db, tmp)
        cur = conn.cursor()
        cur.execute(f"SELECT count(*) FROM crontab WHERE through IS NULL OR through < '{cutoff}'")
        behind = cur.fetchone()[0]
        conn.close()
        if not behind:
            break
        time.sleep(0.5)
    return time.perf_counter() - began


def read(db: str, tmp: Path) -> tuple[list[Fire], dict[str, tuple[float, str]], dict[str, float]]:
    """Every fire record, each crontab task's (started_at, status) by uuid, and when each
    task's first executions were written."""
    conn = connect(db, tmp)
    cur = conn.cursor()
    cur.execute(
        "SELECT crontab_id, fire_time, through, outcome, task_uuid, recorded_at FROM crontab_fire"
    )
    fires = [Fire(c, when(t), when(th), o, u, when(r)) for c, t, th, o, u, r in cur.fetchall()]
    cur.execute("SELECT uuid, started_at, status FROM task WHERE crontab_id > 0")
    tasks = {u: (when(c), s) for u, c, s in cur.fetchall()}
    cur.execute(
        "SELECT t.uuid, MIN(e.created_at) FROM execution e JOIN task t ON e.task_id = t.id"
        " WHERE t.crontab_id > 0 GROUP BY t.uuid"
    )
    dispatched = {u: when(c) for u, c in cur.fetchall()}
    conn.close()
    return fires, tasks, dispatched


def tail(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Median, p99 and max of `values` (seconds), in ms; None when there are none."""
    if not values:
        return None, None, None
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return statistics.median(values) * 1000, p99 * 1000, values[-1] * 1000


def doubled(w: Window) -> int:
    """Fire times covered by more than one record, and crontab tasks no record names."""
    seen = Counter[tuple[int, int]]()
    for f in w.fires:
        for t in range(int(f.time), int(f.through) + 1):
            seen[(f.crontab, t)] += 1
    named = {f.task for f in w.fires if f.task}
    return sum(c - 1 for c in seen.values() if c > 1) + sum(u not in named for u in w.tasks)


@dataclass
class Window:
    """One run of the benchmark: what was measured while it ran and what the database holds."""

    created: float
    handled: float
    switched_off: float
    drained: float
    running: int
    fires: list[Fire]
    tasks: dict[str, tuple[float, str]]
    dispatched: dict[str, float]
    first: int
    last: int


def run_window(work: Path, args: argparse.Namespace, crontabs: int) -> Window:
    """Start the daemons, create the crontabs, let the window pass, switch them off, drain."""
    with Fleet(work) as fleet:
        fleet.start_master(*LIFTED, *(["--db", args.db] if args.db else []))
        if args.target == "slave":
            fleet.start_slave("bench")
        with token_channel(fleet.master) as channel:
            job = create_job(channel, args.target)
            ids, created = create_crontabs(channel, job, crontabs)
            benchlib.progress(f"cron: created {crontabs} crontabs in {created:.1f} s")
            first = int(time.time()) + SETTLE
            last = first + args.seconds - 1
            time.sleep(max(0.0, last + 1 - time.time()))
            handled = wait_handled(args.db, work, last, 60)
            off = switch_off(channel, ids)
            drained, running = drain(channel, args.drain)
    fires, tasks, dispatched = read(args.db, work)
    return Window(created, handled, off, drained, running, fires, tasks, dispatched, first, last)


UNITS = {
    "crontabs created over gRPC": "s",
    "fire times expected": "fires",
    "fire times recorded": "fires",
    "fire times with no record (must be 0)": "fires",
    "claimed to start": "fires",
    "tasks started": "tasks",
    "tasks started per second": "tasks/s",
    "started / expected": "%",
    "doubled (must be 0)": "fires",
    "skipped (mutex)": "fires",
    "misfired": "fires",
    "failed": "fires",
    "claim lateness (fire record - fire time): median": "ms",
    "claim lateness: p99": "ms",
    "claim lateness: max": "ms",
    "start lateness (task started - fire time): median": "ms",
    "start lateness: p99": "ms",
    "start lateness: max": "ms",
    "dispatch lateness (first executions written - fire time): median": "ms",
    "dispatch lateness: p99": "ms",
    "scheduler: fires claimed to start per second": "fires/s",
    "scheduler: claim to task start: median": "ms",
    "scheduler: claim to task start: p99": "ms",
    "after the window: every fire time handled": "s",
    "switching every crontab off": "s",
    "crontab tasks still running after the drain": "tasks",
}
"""The figures of a window, in the order they are printed, and their units."""


def figures(w: Window, n: int) -> tuple[dict[str, float | None], dict[str, str]]:
    """The figures (UNITS) of one window, and notes on some of them."""
    seconds = w.last - w.first + 1
    inside = [f for f in w.fires if f.time <= w.last and f.through >= w.first]  # overlapping
    covered = Counter[str]()
    for f in inside:
        covered[f.outcome] += int(min(f.through, w.last) - max(f.time, w.first)) + 1
    claimed = [f for f in inside if f.outcome == "started"]
    started = [f for f in claimed if f.task in w.tasks]
    claim = tail([f.recorded - f.time for f in claimed])
    start = tail([w.tasks[f.task][0] - f.time for f in started])
    dispatch = tail([w.dispatched[f.task] - f.time for f in started if f.task in w.dispatched])
    to_start = tail([w.tasks[f.task][0] - f.recorded for f in started])
    values = [
        w.created,
        n * seconds,
        sum(covered.values()),
        n * seconds - sum(covered.values()),
        covered["started"],
        len(started),
        len(started) / seconds,
        100.0 * len(started) / (n * seconds),
        doubled(w),
        covered["skipped_mutex"],
        covered["misfired"],
        covered["failed"],
        *claim,
        *start,
        *dispatch[:2],
        len(claimed) / seconds,
        *to_start[:2],
        w.handled,
        w.switched_off,
        w.running,
    ]
    notes = {
        "fire times expected": f"{n} crontabs x {seconds} s",
        "tasks started": f"ended: {dict(Counter(w.tasks[f.task][1] for f in started))}",
        "misfired": f"in {sum(f.outcome == 'misfired' for f in inside)} records",
        "crontab tasks still running after the drain": f"after {w.drained:.1f} s",
    }
    return dict(zip(UNITS, values, strict=True)), notes


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--crontabs", default="100,1000", help="crontab counts, comma-separated")
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--target", choices=["slave", "none"], default="slave")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    p.add_argument("--drain", type=float, default=120, help="seconds to let started tasks end")
    p.add_argument("--keep", type=Path, help="keep the data under this directory (run1, ...)")
    args = benchlib.parse(p, {"crontabs": "5", "seconds": 2, "drain": 10})
    runs = benchlib.repeat(args, 1, 1)
    sizes = [int(n) for n in str(args.crontabs).split(",") if n.strip()]
    if args.db and runs * len(sizes) > 1:
        p.error("--db holds one window: give one size and --repeat 1 (each needs a fresh database)")
    out = benchlib.Figures("cron")
    for size in sizes:
        measure(args, size, runs, out, f"{size} crontabs: " if len(sizes) > 1 else "")
    out.emit(args.json)
    return 0


def measure(
    args: argparse.Namespace, size: int, runs: int, out: benchlib.Figures, prefix: str
) -> None:
    """`runs` windows of `size` crontabs, each on a fresh master; their figures added to `out`."""
    values: list[dict[str, float | None]] = []
    notes: dict[str, str] = {}
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory() as scratch:
            work = args.keep / f"{size}-run{run}" if args.keep else Path(scratch)
            work.mkdir(parents=True, exist_ok=True)
            one, notes = figures(run_window(work, args, size), size)
            values.append(one)
    target = "`true` on a slave" if args.target == "slave" else "a node without a slave"
    notes["crontabs created over gRPC"] = f"target: {target}"
    for name, unit in UNITS.items():
        samples = [value for v in values if (value := v[name]) is not None]
        out.add(prefix + name, unit, samples, notes.get(name, ""))


if __name__ == "__main__":
    sys.exit(main())
