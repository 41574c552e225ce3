#!/usr/bin/env python3
"""Benchmark the crontab scheduler: N per-second crontabs on one master for D seconds.

Starts a real master (and a slave named `bench`), creates a job and N crontabs `* * * * * *` over
gRPC, lets them run, then stops the master and reads its database:

- fires expected (N x D: every crontab, every second of the window) against what was recorded:
  claimed to start, started (a task exists), skipped, misfired (fire times covered by misfire
  records), failed, and fire times with no record at all (must be 0);
- lateness of the fires that started: claim time minus scheduled time (the fire record), and
  task creation minus scheduled time (median, p99, max);
- how the started tasks ended: after the window every crontab is switched off and the master
  gets up to --drain seconds to finish the tasks it started (their results queue behind task
  starts while it is overloaded).

--target slave: the job runs `true` on the slave (a full round trip per task).
--target none:  the job's node has no slave: each task is written, its step started and its one
                execution failed at once (the task then waits for a decision, as any job task
                whose step fails): the scheduler and the task engine without the slave's work.

Usage: .venv/bin/python scripts/bench_cron.py [--crontabs 1000] [--seconds 60]
                                             [--target slave|none] [--db URL]
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

import grpc
from jobfleet.cli.auth import local_admin_token, token_channel
from jobfleet.cli.client import wait_for_slave
from jobfleet.cli.processes import Daemon, spawn, wait_ready
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


def start(tmp: Path, db: str, target: str) -> tuple[list[Daemon], str]:
    args = ["--listen", "127.0.0.1:0", "--data-dir", str(tmp), "--ready-file", str(tmp / "m.ready")]
    args += ["--max-crontabs", UNBOUNDED, "--max-running-tasks", UNBOUNDED]
    args += ["--max-submissions-per-second", UNBOUNDED]
    daemons = [spawn("master", "master", args + (["--db", db] if db else []), tmp)]
    master = wait_ready(daemons[0], tmp / "m.ready")
    if target == "slave":
        daemons.append(spawn("slave", "slave", ["--master", master, "--name", "bench"], tmp))
        with token_channel(master) as channel:
            wait_for_slave(channel, "bench")
    return daemons, master


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
        import psycopg2

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


def read(db: str, tmp: Path) -> tuple[list[Fire], dict[str, tuple[float, str]]]:
    """Every fire record, and each crontab task's (created_at, status) by uuid."""
    conn = connect(db, tmp)
    cur = conn.cursor()
    cur.execute(
        "SELECT crontab_id, fire_time, through, outcome, task_uuid, recorded_at FROM crontab_fire"
    )
    fires = [Fire(c, when(t), when(th), o, u, when(r)) for c, t, th, o, u, r in cur.fetchall()]
    cur.execute("SELECT uuid, created_at, status FROM task WHERE crontab_id > 0")
    tasks = {u: (when(c), s) for u, c, s in cur.fetchall()}
    conn.close()
    return fires, tasks


def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {values[-1] * 1000:.0f} ms"
    )


def report(
    fires: list[Fire], tasks: dict[str, tuple[float, str]], first: int, last: int, n: int
) -> None:
    expected = n * (last - first + 1)
    inside = [f for f in fires if f.time <= last and f.through >= first]  # overlapping it
    covered = Counter[str]()
    for f in inside:
        covered[f.outcome] += int(min(f.through, last) - max(f.time, first)) + 1
    claimed = [f for f in inside if f.outcome == "started"]
    started = [f for f in claimed if f.task in tasks]
    print(f"window: {n} crontabs x {last - first + 1} s = {expected} fire times expected")
    print(
        f"recorded: {sum(covered.values())} fire times "
        f"(missing: {expected - sum(covered.values())}) -> claimed to start {covered['started']}, "
        f"tasks started {len(started)}, skipped (mutex) {covered['skipped_mutex']}, "
        f"misfired {covered['misfired']} (in {sum(f.outcome == 'misfired' for f in inside)} "
        f"records), failed {covered['failed']}"
    )
    print(f"started per second: {len(started) / (last - first + 1):.0f}")
    claim = spread([f.recorded - f.time for f in claimed])
    print(f"claim lateness (fire record - fire time): {claim}")
    print(
        "start lateness (task created - fire time): "
        f"{spread([tasks[f.task][0] - f.time for f in started])}"
    )
    print(f"started tasks ended: {dict(Counter(tasks[f.task][1] for f in started))}")


def main() -> int:
    local_admin_token()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--crontabs", type=int, default=1000)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--target", choices=["slave", "none"], default="slave")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    p.add_argument("--drain", type=float, default=120, help="seconds to let started tasks end")
    p.add_argument("--keep", type=Path, help="use this directory (kept) instead of a temp one")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        daemons, master = start(tmp, args.db, args.target)
        try:
            with token_channel(master) as channel:
                job = create_job(channel, args.target)
                ids, took = create_crontabs(channel, job, args.crontabs)
                print(f"created {args.crontabs} crontabs in {took:.1f} s; target: {args.target}")
                first = int(time.time()) + SETTLE
                last = first + args.seconds - 1
                time.sleep(max(0.0, last + 1 - time.time()))
                behind = wait_handled(args.db, tmp, last, 60)
                off = switch_off(channel, ids)
                drained, running = drain(channel, args.drain)
            print(
                f"after the window: every fire time handled {behind:.1f} s after its end; "
                f"switched all off in {off:.1f} s, then {running} crontab task(s) still running "
                f"after {drained:.1f} s"
            )
        finally:
            for daemon in reversed(daemons):
                daemon.stop()
        fires, tasks = read(args.db, tmp)
        report(fires, tasks, first, last, args.crontabs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
