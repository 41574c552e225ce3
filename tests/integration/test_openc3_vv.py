"""OpenC3's version variables, as its pages read them: values printed by real commands on two
slaves (`VERSION:[release-2.1.0] build:[b42]`, stderr too), a job task with `version` and
`ip`, the table and analysis views, a node's deletion; and the attack: another project's token
reads and deletes nothing of this project.

One master, gateway and slaves `s1`, `s2` (this machine, serving project 1) for the module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Services
from tests.integration.jobs import cmd, create_job, run_job, wait_status
from tests.integration.rest import refusal, submit, wait_final
from tests.waiting import wait_until

A, B = 1, 2
PRINT = 'echo "deploy VERSION:[release-2.1.0] build:[b42]"; echo "warn Tool:[V1.2]" >&2'


@dataclass
class World:
    admin: httpx.Client
    b: httpx.Client
    """Project B's token."""


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master()
    for name in ("s1", "s2"):
        module_services.start_slave(master, name, "--projects", str(A))
    gateway = module_services.start_gateway(master)
    assert master.create_project("b") == B
    with gateway.client() as admin:
        b_token = str(ok(admin.post(f"/token/{B}", json={"describe": "b"}))["token"])
        with gateway.client(b_token) as b:
            yield World(admin, b)


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["stat"] is True, body
    return body.get("data")


def rows(http: httpx.Client, project: int = A, **query: str) -> dict[tuple[str, str], Any]:
    return {(r["node"], r["name"]): r for r in ok(http.get(f"/vv/{project}", params=query))}


def run(http: httpx.Client, script: str, nodes: str) -> None:
    assert wait_final(http, submit(http, script, nodes))["status"] == "success"


def test_printed_values_are_listed_tabled_counted_and_deleted_by_node(world: World) -> None:
    http = world.admin
    run(http, PRINT, "s1,s2")
    first = rows(http)
    assert {k: r["value"] for k, r in first.items()} == {
        (node, name): value
        for node in ("s1", "s2")
        for name, value in (("VERSION", "release-2.1.0"), ("build", "b42"), ("Tool", "V1.2"))
    }
    assert dt.datetime.strptime(first[("s1", "VERSION")]["update_time"], "%Y-%m-%d %H:%M:%S")
    run(http, "echo VERSION:[release-2.2.0]", "s2")
    again = rows(http, name="VERSION")
    assert again[("s2", "VERSION")]["id"] == first[("s2", "VERSION")]["id"]
    assert again[("s2", "VERSION")]["value"] == "release-2.2.0" and len(again) == 2

    table = ok(http.get(f"/vv/{A}/table", params={"node": "s2"}))
    assert table == [["NODE", "Tool", "VERSION", "build"], ["s2", "V1.2", "release-2.2.0", "b42"]]
    shares = ok(http.get(f"/vv/{A}/analysis/version"))
    assert shares == [
        {"name": "VERSION", "data": {"release-2.1.0": "50.00", "release-2.2.0": "50.00"}}
    ]
    today = dt.date.today().isoformat()  # the master's zone is UTC, as the test machine's
    assert len(rows(http, time_start=today, time_end=today)) == 6
    assert rows(http, time_end="2000-01-01") == {}
    refusal(http.get(f"/vv/{A}", params={"time_start": "yesterday"}), 400, "time_start")

    assert ok(http.delete(f"/vv/{A}/s1")) == "delete success"
    assert {node for node, _ in rows(http)} == {"s2"}


def test_a_job_with_version_and_ip_marks_its_nodes_while_it_runs(
    world: World, tmp_path: Path
) -> None:
    http = world.admin
    go = tmp_path / "go"
    step = cmd("ship", f"while [ ! -e {go} ]; do sleep 0.05; done", "ip", node_type="variable")
    job = create_job(http, "ship web", [step])
    task = run_job(http, job, {"version": "3.0", "ip": "s1,s2", "_appname_": "web"})

    def marked() -> dict[tuple[str, str], Any] | None:
        found = rows(http, name="APP_web_VERSION")
        return found if len(found) == 2 else None

    assert {r["value"] for r in wait_until(marked, 30, what="Do_ values").values()} == {"Do_3.0"}
    go.touch()
    wait_status(http, task, "success")
    assert {r["value"] for r in rows(http, name="APP_web_VERSION").values()} == {"3.0"}
    assert ok(http.get(f"/vv/{A}/list", params={"appname": "web"})) == ["3.0"]


def test_another_projects_token_reads_and_deletes_nothing_of_this_project(world: World) -> None:
    run(world.admin, "echo Secret:[s3cret]", "s1")
    before = rows(world.admin)
    assert ("s1", "Secret") in before

    refusal(world.b.get(f"/vv/{A}"), 403)
    refusal(world.b.get(f"/vv/{A}/table"), 403)
    refusal(world.b.delete(f"/vv/{A}/s1"), 403)
    assert ok(world.b.get(f"/vv/{B}")) == [] and ok(world.b.get(f"/vv/{B}/list")) == []
    assert ok(world.b.get(f"/vv/{B}/analysis/version")) == []
    refusal(world.b.delete(f"/vv/{B}/s1"), 404, "node")  # B has no such node: A's are not B's
    assert rows(world.admin) == before
