#!/usr/bin/env python3
"""The dashboard's reports (OpenC3's /task/:projectid/analysis/*) on a store of N tasks
(default 1,000,000), on SQLite and on PostgreSQL:

(a) fill: N tasks written by one INSERT ... SELECT (SQLite: a recursive CTE; PostgreSQL:
    generate_series), the tally triggers of migration 0020 counting each row as it goes in;
(b) each report's domain call (master.reports.service: last, date, date of every project,
    hour, runtime, statistics), in the zone Europe/Berlin, the worst case: project 1 holds 90%
    of the tasks, spread over the last 33 days, so most of them are in its 30-day window;
(c) one REST call, GET /task/1/analysis/date, through a real master and gateway on that store.

Every task's columns other than those the reports read take the model's defaults, so the fill
follows the schema as it grows. Each backend gets a fresh database (PostgreSQL: a new database
on the server JOBFLEET_TEST_DB names; after the fill VACUUM ANALYZE, and VACUUM FULL of the
tally: the fill's one transaction updates each tally row ~15 times, which autovacuum never
lets pile up when tasks come one by one).
Usage: scripts/pg run .venv/bin/python scripts/bench_reports.py [--tasks 1000000] [--repeat N]
       (without JOBFLEET_TEST_DB only SQLite is measured)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import benchlib
from bench_store import on_postgresql
from benchfleet import Fleet, rest

from master.db.connection import db, in_connection, is_postgres, open_database
from master.db.models import Project, Task
from master.db.schema import migrate
from master.domain import NO_PROJECT
from master.reports import service

ZONE = ZoneInfo("Europe/Berlin")
SPAN_S = 33 * 86400  # the tasks' start times: evenly over the 33 days before now
READ = {"project_id", "uuid", "name", "status", "started_at", "finished_at", "runtime_ms"}


def defaults() -> tuple[list[str], list[Any]]:
    """The task columns the fill does not compute, with the model's defaults."""
    columns, values = [], []
    for f in Task._meta.sorted_fields:
        if f.name == "id" or f.column_name in READ:
            continue
        value = f.default() if callable(f.default) else f.default
        columns.append(f.column_name)
        values.append(f.db_value(value))
    return columns, values


def fill_sql(postgres: bool, tasks: int, others: list[str]) -> str:
    """One INSERT ... SELECT of `tasks` rows: 90% project 1, the rest projects 2..20; the
    newest 100 running (no run time yet), the others 85% success, 15% fail; run times 0..66
    min."""
    step = SPAN_S / tasks
    p, mod = ("%s", "%%") if postgres else ("?", "%")
    if postgres:
        rows = f"FROM generate_series(1, {tasks}) AS n(i)"
        started = f"({p}::timestamp - make_interval(secs => i * {step}))"
    else:
        rows = f"FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {tasks}) SELECT i FROM n)"  # noqa: E501
        started = f"strftime('%Y-%m-%d %H:%M:%f', {p}, '-' || (i * {step}) || ' seconds')"
    status = f"CASE WHEN i <= 100 THEN 'running' WHEN i {mod} 20 < 4 THEN 'fail' ELSE 'success' END"
    values = [
        f"CASE WHEN i {mod} 10 = 0 THEN 2 + (i / 10) {mod} 19 ELSE 1 END",
        "'b' || i",
        f"'bench ' || (i {mod} 50)",
        status,
        started,
        f"CASE WHEN i <= 100 THEN NULL ELSE {started} END",
        f"CASE WHEN i <= 100 THEN NULL ELSE (CAST(i AS BIGINT) * 7919) {mod} 4000000 END",
        *[p] * len(others),
    ]
    columns = ["project_id", "uuid", "name", "status", "started_at", "finished_at", "runtime_ms"]
    return f"INSERT INTO task ({', '.join([*columns, *others])}) SELECT {', '.join(values)} {rows}"


def fill(tasks: int, now: dt.datetime) -> float:
    """Seconds to write `tasks` tasks (with their tally) in one statement."""
    for pid in range(1, 21):
        Project.insert(id=pid, name=f"bench{pid}").on_conflict_ignore().execute()
    postgres = is_postgres()
    others, values = defaults()
    sql = fill_sql(postgres, tasks, others)
    began = time.perf_counter()
    with db.atomic():
        db.execute_sql(sql, [str(now), str(now), *values])
    took = time.perf_counter() - began
    if postgres:  # one transaction updated each tally row ~15 times: the dead versions go,
        # as autovacuum keeps them few when tasks come one by one
        db.execute_sql("VACUUM FULL ANALYZE task_tally")
        db.execute_sql("VACUUM ANALYZE task")
    return took


REPORTS: dict[str, Callable[[float], object]] = {
    "last (10)": lambda now: service.recent(1, 10),
    "date": lambda now: service.daily(1, now, ZONE),
    "date, every project": lambda now: service.daily(NO_PROJECT, now, ZONE),
    "hour": lambda now: service.hourly(1, now, ZONE),
    "runtime": lambda now: service.runtimes(1, now, ZONE),
    "statistics": lambda now: service.per_project(NO_PROJECT, now, ZONE),
}


def measure(url: str, backend: str, args: argparse.Namespace, out: benchlib.Figures) -> None:
    database = open_database(url, pool_size=1)
    try:
        in_connection(migrate, database)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        took = in_connection(fill, args.tasks, now)
        out.add(f"{backend}: (a) fill {args.tasks:,} tasks", "s", [took], "tally triggers on")
        clock = time.time()
        in_window = in_connection(service.runtimes, 1, clock, ZONE)[0]
        for name, report in REPORTS.items():
            samples = [
                benchlib.seconds(lambda: in_connection(report, clock)) * 1000
                for _ in range(benchlib.repeat(args, 20, 3))
            ]
            out.add(f"{backend}: (b) {name}", "ms", samples, f"{in_window:,} in the window")
    finally:
        database.close_all()  # type: ignore[attr-defined]
    rest_call(url, backend, args, out)


def rest_call(url: str, backend: str, args: argparse.Namespace, out: benchlib.Figures) -> None:
    with tempfile.TemporaryDirectory() as work, Fleet(Path(work)) as fleet:
        fleet.start_master("--db", url, "--time-zone", ZONE.key)
        gateway = fleet.start_gateway()
        route = f"http://{gateway}/task/1/analysis/date"
        rest("GET", route)  # warm: the gateway's credential cache, connections
        samples = [
            benchlib.seconds(lambda: rest("GET", route)) * 1000
            for _ in range(benchlib.repeat(args, 20, 3))
        ]
        out.add(f"{backend}: (c) REST GET /task/1/analysis/date", "ms", samples)


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--tasks", type=int, default=1_000_000)
    args = benchlib.parse(p, {"tasks": 5_000})
    out = benchlib.Figures("reports")
    with tempfile.TemporaryDirectory() as tmp:
        measure(str(Path(tmp) / "reports.db"), "sqlite", args, out)
    on_postgresql(out, lambda url: measure(url, "postgresql", args, out))
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
