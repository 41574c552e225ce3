"""The task side as OpenC3's own pages use it: each test replays the calls a page makes
(shared/openc3-client-calls.md, row numbers in the comments) and reads exactly the fields the
page reads: a quick task's submit answer and log uuid, a job paused then killed, a failed node
retried with PUT, the dashboard's counts, a crontab created unavailable then started.

One master, two slaves (alpha, beta) and a gateway serve the whole module; the client names
itself `ops` as a page's user would be named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration import crontabs
from tests.integration.conftest import Services
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import refusal, wait_final
from tests.waiting import wait_until

UUID = re.compile(r"[A-Za-z0-9]{12}")


@dataclass
class Pages:
    http: httpx.Client
    tmp: Path


@pytest.fixture(scope="module")
def pages(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    master = module_services.start_master()
    module_services.start_slave(master, "alpha", env={"LC_WHERE": "alpha"})
    module_services.start_slave(master, "beta", env={"LC_WHERE": "beta"})
    gateway = module_services.start_gateway(master)
    with gateway.client() as http:
        http.headers["appname"] = "ops"
        yield Pages(http, tmp_path_factory.mktemp("pages"))


def data(resp: httpx.Response) -> Any:
    """What a page's success branch reads: `stat` true, then `data`."""
    assert resp.status_code == 200, resp.text
    assert resp.json()["stat"] is True, resp.text
    return resp.json()["data"]


def detail(http: httpx.Client, uuid: str) -> dict[str, Any]:
    found: dict[str, Any] = data(http.get(f"/task/1/{uuid}"))  # 27
    return found


def steps(http: httpx.Client, uuid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data(http.get(f"/subtask/1/{uuid}"))  # 51
    return found


def reaches(http: httpx.Client, uuid: str, status: str) -> dict[str, Any]:
    """Poll the detail page's way until the task shows `status`."""

    def shown() -> dict[str, Any] | None:
        found = detail(http, uuid)
        return found if found["status"] == status else None

    return wait_until(shown, 30, what=f"task {uuid} {status}")


def listed(http: httpx.Client, **query: str) -> list[str]:
    """The uuids the history page lists for a query (25)."""
    return [row["uuid"] for row in data(http.get("/task/1", params={"limit": 1000, **query}))]


def log_of(http: httpx.Client, uuid: str, slave: str = "master") -> str:
    """The log a task or step log uuid names (the `{slave}` segment is not read)."""
    return "".join(row["log"] for row in data(http.get(f"/slave/{slave}/tasklog/{uuid}")))


def control(
    http: httpx.Client, method: str, uuid: str, step: dict[str, Any], word: str
) -> httpx.Response:
    """The detail page's buttons (53 POST, 54 PUT): the step's uuid and type, and the word."""
    body = {
        "taskuuid": uuid,
        "subtaskuuid": step["uuid"],
        "subtasktype": step["subtask_type"],
        "control": word,
    }
    return http.request(method, "/subtask/1", json=body)


def test_a_quick_command_answers_where_its_log_is(pages: Pages) -> None:
    http = pages.http
    body = {  # as quickentry/cmd sends it
        "name": "quick-page",
        "node_type": "builtin",
        "node_cont": "alpha",
        "scripts_type": "shell",
        "scripts_cont": "echo quick from $LC_WHERE",
        "scripts_argv": "",
        "timeout": 60,
        "deployenv": "always",
        "action": "always",
        "batches": "always",
    }

    answer = http.post("/task/1/plugin_cmd", json=body).json()  # 31
    submitted = answer["data"]
    done = wait_final(http, submitted["uuid"])
    log = data(http.get(f"/slave/{submitted['slave']}/tasklog/{submitted['loguuid']}"))
    row = next(r for r in data(http.get("/task/1", params={"taskuuid": submitted["uuid"]})))

    assert answer["stat"] is True and answer["uuid"] == submitted["uuid"]
    assert UUID.fullmatch(submitted["uuid"]) and submitted["slave"] == "alpha"
    # the detail page's own log uuid: uuid + jobuuid + jobtype.split("_")[1]
    assert done["jobtype"] == row["jobtype"] == "plugin_cmd"
    assert UUID.fullmatch(done["jobuuid"]) and row["jobuuid"] == done["jobuuid"]
    assert submitted["loguuid"] == done["uuid"] + done["jobuuid"] + done["jobtype"].split("_")[1]
    assert done["slave"].split(",") == ["alpha"]
    assert [(n["node"], n["log"]) for n in log] == [("alpha", "quick from alpha\n")]


def test_a_quick_copy_answers_where_its_log_is(pages: Pages) -> None:
    http = pages.http
    source = pages.tmp / "shipped.txt"
    source.write_text("shipped\n")
    body = {  # as quickentry/scp sends it: chown and chmod null when unset
        "name": "quick-copy",
        "user": "",
        "src_type": "builtin",
        "src": "alpha",
        "sp": str(source),
        "dst_type": "builtin",
        "dst": "beta",
        "dp": str(pages.tmp / "landed") + "/",
        "chown": None,
        "chmod": None,
        "timeout": 60,
        "deployenv": "always",
        "action": "always",
        "batches": "always",
    }

    answer = http.post("/task/1/plugin_scp", json=body).json()  # 32
    submitted = answer["data"]
    done = wait_final(http, submitted["uuid"])
    log = data(http.get(f"/slave/{submitted['slave']}/tasklog/{submitted['loguuid']}"))

    assert answer["stat"] is True and answer["uuid"] == submitted["uuid"]
    assert (done["status"], done["jobtype"]) == ("success", "plugin_scp")
    assert submitted["loguuid"] == done["uuid"] + done["jobuuid"] + "scp"
    assert submitted["slave"].split(",")[0] == "alpha"  # the fetch's; the places follow it
    assert done["slave"].split(",") == ["alpha", "beta"]
    assert sorted(n["node"] for n in log) == ["alpha", "beta"]  # the fetch and the place
    assert (pages.tmp / "landed" / "shipped.txt").read_text() == "shipped\n"


def test_a_job_paused_then_killed_reads_as_the_detail_page_shows_it(pages: Pages) -> None:
    http = pages.http
    job = create_job(
        http,
        "pause then sleep",
        [
            cmd("first", "true", nodes="alpha", pause="check the canary"),
            cmd("second", "echo started; sleep 600", nodes="beta"),
        ],
        permanent=True,
    )
    uuid = data(http.post("/task/1/job", json={"jobuuid": job}))["uuid"]  # 29

    paused = reaches(http, uuid, "waiting")
    at_pause = steps(http, uuid)
    waiting = listed(http, status="waiting")
    resumed = control(http, "PUT", uuid, at_pause[0], "next")  # 54: the confirm dialog
    second = f"{uuid}{at_pause[1]['uuid']}cmd"  # the step log's uuid, as sublog builds it
    wait_until(lambda: "started" in log_of(http, second), 30, what="step 2 started")
    running = steps(http, uuid)
    killed = http.delete(f"/slave/{paused['slave']}/killtask/{uuid}")  # 24
    ended = wait_final(http, uuid)
    after = steps(http, uuid)

    assert UUID.fullmatch(uuid)
    assert paused["jobtype"] == "jobs" and paused["slave"] == "alpha"
    assert [(s["status"], s["pause"]) for s in at_pause] == [
        ("success", "check the canary"),  # 51: the page shows its confirm button
        ("", ""),  # not run yet
    ]
    assert all(UUID.fullmatch(s["uuid"]) for s in at_pause)
    assert [s["subtask_type"] for s in at_pause] == ["cmd", "cmd"]
    assert at_pause[0]["extended"]["pause"] == "check the canary"
    assert uuid in waiting
    assert data(resumed)["status"] == "running"
    assert [(s["status"], s["pause"]) for s in running] == [("success", ""), ("running", "")]
    assert killed.json()["stat"] is True, killed.text
    assert (ended["status"], ended["reason"]) == ("fail", "killed by ops")
    assert ended["slave"].split(",") == ["alpha", "beta"]
    assert [s["status"] for s in after] == ["success", "fail"]
    assert uuid in listed(http, status="fail") and uuid not in listed(http, status="waiting")


def test_put_running_retries_the_failed_node(pages: Pages) -> None:
    http = pages.http
    fixed = pages.tmp / "fixed"
    runs = pages.tmp / "runs-beta"
    job = create_job(
        http,
        "flaky",
        [
            cmd(
                "flaky",
                f'echo run >> {pages.tmp}/runs-$LC_WHERE; test "$LC_WHERE" = alpha -o -e {fixed}',
                nodes="alpha,beta",
            )
        ],
    )
    uuid = data(http.post("/task/1/job", json={"jobuuid": job}))["uuid"]

    reaches(http, uuid, "waiting")
    step = steps(http, uuid)[0]
    refused = control(http, "PUT", uuid, step, "fail")  # POST's word, not PUT's
    fixed.touch()
    retried = control(http, "PUT", uuid, step, "running")  # 54: the retry button
    done = wait_final(http, uuid)

    assert step["status"] == "decision"  # the page shows retry / ignore / stop
    refusal(refused, 403, "control")
    assert retried.json()["stat"] is True, retried.text
    assert done["status"] == "success"
    assert runs.read_text().split() == ["run", "run"]
    assert [s["status"] for s in steps(http, uuid)] == ["success"]


def test_the_dashboard_counts(pages: Pages) -> None:
    http = pages.http

    def counts() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        return (  # 26, 48, 9
            data(http.get("/task/1/count")),
            data(http.get("/nodeinfo/1/count")),
            data(http.get("/jobs/1/count")),
        )

    tasks_before, nodes_before, jobs_before = counts()
    ok = data(http.post("/task/1/plugin_cmd", json=quick("true")))["uuid"]
    failed = data(http.post("/task/1/plugin_cmd", json=quick("exit 3")))["uuid"]
    wait_final(http, ok)
    wait_final(http, failed)
    data(http.post("/nodelist/1", json={"name": "dash1", "inip": "10.0.9.1"}))
    create_job(http, "kept", [cmd("k", "true", nodes="alpha")], permanent=True)
    create_job(http, "once", [cmd("o", "true", nodes="alpha")])
    tasks_after, nodes_after, jobs_after = counts()

    assert all(type(tasks_after[k]) is int for k in ("success", "fail", "running"))
    assert tasks_after["success"] == tasks_before["success"] + 1
    assert tasks_after["fail"] == tasks_before["fail"] + 1
    assert nodes_after == {"node": nodes_before["node"] + 1}
    assert jobs_after == {"permanent": jobs_before["permanent"] + 1}


def quick(script: str) -> dict[str, Any]:
    return {"name": "dash", "node_type": "builtin", "node_cont": "alpha", "scripts_cont": script}


def test_a_crontab_is_created_unavailable_and_fires_once_started(pages: Pages) -> None:
    http = pages.http
    job = create_job(http, "tick", [cmd("tick", "true", nodes="alpha")])
    before = data(http.get("/crontab/1/count"))  # 2
    body = {"name": "every second", "jobuuid": job, "cron": crontabs.EVERY_SECOND, "mutex": ""}

    made = data(http.post("/crontab/1", json=body))  # 4
    crontab = int(made["id"])
    created = data(http.get(f"/crontab/1/{crontab}"))  # 3
    stopped = data(http.get("/crontab/1/count"))
    crontabs.stays(lambda: crontabs.fires(http, crontab) == [], seconds=2)
    data(http.post(f"/crontab/1/{crontab}/status", json={"status": "available"}))  # 6
    started = data(http.get("/crontab/1/count"))
    crontabs.wait_fires(http, crontab, 1)
    data(http.post(f"/crontab/1/{crontab}/status", json={"status": "unavailable"}))

    assert created["status"] == "unavailable" and created["nexttime"] == ""
    assert stopped == {**before, "unavailable": before["unavailable"] + 1}
    assert started == {**before, "available": before["available"] + 1}
