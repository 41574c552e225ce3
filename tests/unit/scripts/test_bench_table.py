"""scripts/bench's one table: each figure judged against its limit or its peer of the same run,
the marks, the JSON, and the two measuring helpers it relies on (py-spy folding, statement
kinds)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))


def script(name: str) -> ModuleType:
    return importlib.import_module(name)


def row(benchmark: str, figure: str, median: float | None, unit: str = "") -> dict[str, Any]:
    stats = {"median": median, "p90": median, "min": median, "max": median}
    return {"benchmark": benchmark, "figure": figure, "unit": unit, **stats, "n": 1, "note": ""}


RUN = [
    row("throughput", "(a) `true` on one agent node, sustained", 43.0, "tasks/s"),
    row("throughput", "(b) submit -> success at that load, p99", 240.0, "ms"),
    row("throughput", "(e) gRPC unary calls/s, trivial echo server", 2000.0, "calls/s"),
    row("cron", "1000 crontabs: fire times expected", 60000.0, "fires"),
    row("cron", "1000 crontabs: tasks started", 3000.0, "tasks"),
    row("poll", "(a) 16 gRPC clients submit `true`, no one polling", 40.0, "tasks/s"),
    row("poll", "(b) ... while 8 REST clients poll GET /task every 5 ms", 38.0, "tasks/s"),
    row("task", "(b) output into the store", 93.0, "MB/s"),
    row("copy", "something without a limit", 1.0, "s"),
]


def judged(figure: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = script("benchlimits").judge_all(RUN)
    return next(r for r in rows if r["figure"] == figure)


def test_an_absolute_limit_is_marked_and_its_peer_stands_beside_it() -> None:
    rate = judged("(a) `true` on one agent node, sustained")
    assert rate["mark"] == "MISS"
    assert rate["limit"] == {"bound": ">=", "value": 1000}
    assert rate["peer"] == {"figure": "(e) gRPC unary calls/s, trivial echo server", "median": 2000}
    assert rate["peer_limit"] == ">= 1,000 tasks/s; peer 2,000 calls/s (0.0215 x)"
    assert judged("(b) submit -> success at that load, p99")["mark"] == "pass"


def test_a_limit_relative_to_the_peer_is_judged_on_the_peer_of_the_same_run() -> None:
    started = judged("1000 crontabs: tasks started")
    assert started["limit"] == {"bound": ">=", "value": 60000.0}
    assert started["mark"] == "MISS"
    assert started["peer_limit"].startswith(">= 1 x peer; peer 60,000 fires")
    assert judged("(b) ... while 8 REST clients poll GET /task every 5 ms")["mark"] == "pass"


def test_a_missing_peer_or_limit_leaves_the_mark_empty() -> None:
    ingest = judged("(b) output into the store")  # no raw stream figure in this run
    assert ingest["mark"] == "MISS" and ingest["peer"] is None
    assert ingest["peer_limit"] == ">= 300 MB/s"
    free = judged("something without a limit")
    assert (free["mark"], free["peer_limit"], free["limit"]) == ("", "", None)
    failed = script("benchlimits").judge_all([row("throughput", "(a) sustained", None)])[0]
    assert failed["mark"] == ""


def test_the_table_has_the_peer_and_mark_columns_and_the_json_their_keys() -> None:
    rows = script("benchlimits").judge_all(RUN)
    lines = script("benchlib").table(rows).splitlines()
    assert lines[0].split()[-3:] == ["peer/limit", "mark", "note"]
    assert "peer 2,000 calls/s" in lines[1] and "MISS" in lines[1]
    assert json.loads(json.dumps(rows))[0]["mark"] == "MISS"
    plain = script("benchlib").table(RUN).splitlines()[0]  # a lone benchmark: no such columns
    assert plain.split()[-2:] == ["unit", "note"]


def test_the_headline_run_is_every_issue_figure_and_names_run_with_their_defaults() -> None:
    benchall = script("benchall")
    assert list(benchall.chosen(benchall.parser().parse_args([]))) == list(benchall.HEADLINE)
    assert set(benchall.HEADLINE) <= set(benchall.NAMES)
    assert benchall.chosen(benchall.parser().parse_args(["task"])) == {"task": []}
    quick = benchall.chosen(benchall.parser().parse_args(["--quick"]))
    assert list(quick) == benchall.NAMES


def test_py_spy_stacks_fold_into_own_and_total_samples() -> None:
    raw = (
        "main (m.py:1);run (m.py:2);get (master/store/tasks.py:40) 3\n"
        "main (m.py:1);get (master/store/tasks.py:41);sql (/v/site-packages/peewee.py:9) 1\n"
    )
    profile = script("pyspy_top").fold(raw)
    assert profile.samples == 4
    assert profile.own["get (master/store/tasks.py)"] == 3
    assert profile.own["sql (peewee.py)"] == 1
    assert profile.total["get (master/store/tasks.py)"] == 4
    assert "main (m.py)" not in profile.total  # entry frames say nothing
    assert "75.0%" in script("pyspy_top").report(raw, 1)


def test_statements_are_counted_by_kind_and_a_trigger_s_repeat_is_not_a_statement() -> None:
    count_statements = script("count_statements")
    assert count_statements.kind('SELECT "t1"."id" FROM "task" AS "t1"') == "SELECT task"
    assert count_statements.kind('UPDATE "execution" SET "status" = 1') == "UPDATE execution"
    assert count_statements.kind("BEGIN IMMEDIATE") == "BEGIN"
    trace = [
        "1\tCALL\tcreate",
        '1\tSQL\tINSERT INTO "task" ("a") VALUES (1)',
        '1\tSQL\tINSERT INTO "task" ("a") VALUES (1)',  # the insert trigger, traced again
        "1\tSQL\tCOMMIT",
        "1\tEND\t",
        "2\tSQL\tSELECT 1",
    ]
    counts = count_statements.count(trace)
    assert counts.statements == {"INSERT task": 1, "COMMIT": 1, "SELECT 1": 1}
    assert (counts.triggers, counts.outside, counts.calls) == (1, 1, {"create": 1})


def test_a_saved_json_run_prints_as_the_same_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "run.json"
    saved.write_text(json.dumps(RUN))
    assert script("benchall").main(["--table", str(saved)]) == 0
    printed = capsys.readouterr().out
    assert printed.strip() == script("benchlib").table(script("benchlimits").judge_all(RUN))
