"""OpenC3's dashboard reports through the gateway, read as its dashboard reads them: the
shapes, counts as numbers, days and hours in the master's zone (here Asia/Kathmandu, +05:45),
a bad `count` refused naming it. And the attack: another project's token asking for every
project's counts (`statistics`, `date?all=1`) gets its own project's only.

One master (every slave serving every project), slave `s1` and gateway for the module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.integration.conftest import Services
from tests.integration.rest import FINAL, refusal, submit, task
from tests.waiting import wait_until

A, B, EMPTY = 1, 2, 3
ZONE = "Asia/Kathmandu"
RUNTIME_KEYS = ["0-1", "1-3", "3-5", "5-10", "10-30", "30+"]


@dataclass
class World:
    admin: httpx.Client
    a: httpx.Client
    b: httpx.Client


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["stat"] is True, body
    return body["data"]


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    """Project A: tasks `a1` (success), `a2` (fail), `a3` (success); B: `b1` (success)."""
    master = module_services.start_master("--time-zone", ZONE)
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    assert master.create_project("b") == B
    assert master.create_project("empty") == EMPTY
    with gateway.client() as admin:
        tokens = [ok(admin.post(f"/token/{p}", json={"describe": "t"}))["token"] for p in (A, B)]
        for name, script, project in [
            ("a1", "true", A),
            ("a2", "false", A),
            ("a3", "true", A),
            ("b1", "true", B),
        ]:
            uuid = submit(admin, script, project=project, name=name)
            wait_until(lambda: ended(admin, uuid, project), 60, what=f"task {name} ended")
        with gateway.client(tokens[0]) as a, gateway.client(tokens[1]) as b:
            yield World(admin, a, b)


def ended(http: httpx.Client, uuid: str, project: int) -> bool:
    return task(http, uuid, project)["status"] in FINAL


def local_hour(utc_text: str) -> str:
    at = dt.datetime.strptime(utc_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    return at.astimezone(ZoneInfo(ZONE)).strftime("%H")


def test_last_shows_the_newest_tasks_with_six_keys_and_refuses_a_bad_count(world: World) -> None:
    rows = ok(world.a.get(f"/task/{A}/analysis/last"))

    assert [r["name"] for r in rows] == ["a3", "a2", "a1"]
    assert {tuple(sorted(r)) for r in rows} == {
        ("finishtime", "name", "runtime", "starttime", "status", "user")
    }
    assert [r["status"] for r in rows] == ["success", "fail", "success"]
    assert all(isinstance(r["runtime"], int | float) and 0 <= r["runtime"] < 60 for r in rows)
    assert all(r["starttime"] <= r["finishtime"] for r in rows)
    assert len(ok(world.a.get(f"/task/{A}/analysis/last", params={"count": 0}))) == 3
    assert len(ok(world.a.get(f"/task/{A}/analysis/last", params={"count": "2"}))) == 2
    for bad in ("many", "-1", "1001"):
        refusal(world.a.get(f"/task/{A}/analysis/last", params={"count": bad}), 400, "count")


def test_date_hour_and_runtime_count_the_projects_tasks_in_the_masters_zone(world: World) -> None:
    days = ok(world.a.get(f"/task/{A}/analysis/date"))
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    dates = [today - dt.timedelta(days=back) for back in range(29, -1, -1)]
    assert [d[0] for d in days] == [d.isoformat() for d in dates]
    assert days[-1][1:] == [3, 2] or days[-2][1:] == [3, 2]  # the test may straddle midnight
    assert sum(d[1] for d in days) == 3 and all(type(n) is int for d in days for n in d[1:])

    hours = ok(world.a.get(f"/task/{A}/analysis/hour"))
    started = {local_hour(r["starttime"]) for r in ok(world.a.get(f"/task/{A}/analysis/last"))}
    assert [h for h, _ in hours] == sorted(started) and sum(n for _, n in hours) == 3

    shares = ok(world.a.get(f"/task/{A}/analysis/runtime"))
    assert shares == {"0-1": "100.00", **dict.fromkeys(RUNTIME_KEYS[1:], "0.00")}
    assert ok(world.admin.get(f"/task/{EMPTY}/analysis/runtime")) == dict.fromkeys(RUNTIME_KEYS, 0)


def test_a_project_token_never_sees_another_projects_counts(world: World) -> None:
    # the admin sees every project
    everyone = [{"id": A, "count": 3, "name": str(A)}, {"id": B, "count": 1, "name": str(B)}]
    assert ok(world.admin.get(f"/task/{A}/analysis/statistics")) == everyone
    assert sum(d[1] for d in ok(world.admin.get(f"/task/{A}/analysis/date?all=1"))) == 4

    # B's token asks for every project: B's own counts only, A's not even named
    assert ok(world.b.get(f"/task/{B}/analysis/statistics")) == [everyone[1]]
    assert sum(d[1] for d in ok(world.b.get(f"/task/{B}/analysis/date", params={"all": 1}))) == 1
    assert ok(world.a.get(f"/task/{A}/analysis/statistics")) == [everyone[0]]

    # ... and on A's path, it is refused before anything is counted
    for report in ("last", "date", "hour", "runtime", "statistics"):
        refusal(world.b.get(f"/task/{A}/analysis/{report}"), 403)
