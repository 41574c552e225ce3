"""One run, five doors: a run started through OpenC3's `plugin_cmd`, through a job, by a
crontab or through OpsGrat's POST is listed by OpsGrat's job and log views, bk-job's host logs
and cloud-act2's records, and every door tells the same status, times and per-host output. A
kill through OpenC3 reads as each document's own word; another project's token finds nothing of
it anywhere.

One master, slaves `s1` and `s2` (the hosts, at the inner IPs their node rows give them) and a
gateway serve the module.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration import crontabs, jobs
from tests.integration.conftest import Gateway, Services
from tests.integration.rest import submit, true_status
from tests.waiting import wait_until

WAIT = 60.0
HOSTS = {"s1": "10.9.0.1", "s2": "10.9.0.2"}
SCRIPT = "echo views-out; echo views-err >&2"
KILLED = {"openc3": "fail", "opsgrat": "failed", "cloudact2": "cancelled"}


@dataclass
class Doors:
    gateway: Gateway
    http: httpx.Client
    """The admin token."""
    other: httpx.Client
    """A token of another project."""
    other_project: int
    runs: dict[str, str]
    """How a run was started -> its task uuid."""


@pytest.fixture(scope="module")
def doors(module_services: Services) -> Iterator[Doors]:
    master = module_services.start_master()
    for name in HOSTS:
        module_services.start_slave(master, name)
    gateway = module_services.start_gateway(master)
    with gateway.client() as http:
        for name, ip in HOSTS.items():
            made = http.post("/nodelist/1", json={"name": name, "inip": ip})
            assert made.json()["stat"] is True, made.text
        other_project = master.create_project()
        made = http.post(f"/token/{other_project}", json={"describe": "other project"}).json()
        assert made["stat"] is True, made
        with gateway.client(token=str(made["data"]["token"])) as other:
            yield Doors(gateway, http, other, other_project, start_runs(http))


def start_runs(http: httpx.Client) -> dict[str, str]:
    """The same script on both hosts, started through each door that starts runs."""
    runs = {"plugin_cmd": submit(http, SCRIPT, nodes="s1,s2")}
    job = jobs.create_job(http, "views", [jobs.cmd("say", SCRIPT, nodes="s1,s2")])
    runs["job"] = jobs.run_job(http, job)
    crontab = crontabs.create(http, "views-every-second", job)
    fired = crontabs.wait_fires(http, crontab, 1, timeout=WAIT)
    crontabs.set_status(http, crontab, "unavailable")
    runs["crontab"] = next(f["taskuuid"] for f in fired if f["outcome"] == "started")
    launched = http.post(
        "/api/job/job/",
        json={"module": "shell", "arguments": SCRIPT, "inventory_str": "s1,s2", "project": 1},
    )
    assert launched.status_code == 201, launched.text
    runs["opsgrat"] = str(launched.json()["uuid"])
    for uuid in runs.values():
        wait_openc3(http, uuid, {"success", "fail"})
    return runs


def wait_openc3(http: httpx.Client, uuid: str, statuses: set[str]) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        row: dict[str, Any] = http.get(f"/task/1/{uuid}").json()["data"]
        return row if row["status"] in statuses else None

    return wait_until(reached, WAIT, what=f"task {uuid} in {statuses}")


def unix(text: str) -> int:
    """OpenC3's `YYYY-MM-DD HH:MM:SS` (UTC) as unix seconds."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


def opsgrat_row(http: httpx.Client, task_id: int) -> dict[str, Any]:
    resp = http.get(f"/api/job/job/{task_id}/")
    assert resp.status_code == 200, resp.text
    row: dict[str, Any] = resp.json()
    return row


def opsgrat_logs(http: httpx.Client, task_id: int) -> dict[str, str]:
    """The run's output rows by node."""
    resp = http.get("/api/job/log/", params={"job": task_id, "limit": 100})
    assert resp.status_code == 200, resp.text
    return {r["node"]: r["log"] for r in resp.json()["results"] if not r["note"]}


def bkjob_logs(http: httpx.Client, task_id: int, step_id: int) -> dict[str, str]:
    """bk-job's script logs of the step on both hosts, by IP."""
    body = {
        "bk_scope_type": "biz",
        "bk_scope_id": "1",
        "job_instance_id": task_id,
        "step_instance_id": step_id,
        "ip_list": [{"bk_cloud_id": 0, "ip": ip} for ip in HOSTS.values()],
    }
    answer = http.post("/api/v3/batch_get_job_instance_ip_log/", json=body).json()
    assert answer["result"] is True, answer
    assert answer["data"]["log_type"] == 1, answer
    return {log["ip"]: log["log_content"] for log in answer["data"]["script_task_logs"]}


def record(http: httpx.Client, uuid: str) -> dict[str, Any]:
    resp = http.get("/api/v1/job/record", params={"id": uuid})
    assert resp.status_code == 200, resp.text
    found: dict[str, Any] = content(resp.json())
    return found


def record_results(http: httpx.Client, uuid: str) -> list[dict[str, Any]]:
    resp = http.get("/api/v1/job/record/result", params={"id": uuid})
    assert resp.status_code == 200, resp.text
    found: list[dict[str, Any]] = content(resp.json())
    return found


def content(body: dict[str, Any]) -> Any:
    """cloud-act2's payload: its envelope's `content`."""
    assert body["status"] == "success", body
    return body["content"]


def paged_records(http: httpx.Client) -> set[str]:
    """The record ids of cloud-act2's first page of 100 (its rows are per host, by record)."""
    page = http.get("/api/v1/job/record/page", params={"pageNo": 1, "pageSize": 100})
    assert page.status_code == 200, page.text
    return {item["recordId"] for item in content(page.json())["list"]}


@pytest.mark.parametrize("door", ["plugin_cmd", "job", "crontab", "opsgrat"])
def test_a_run_reads_the_same_through_every_door(doors: Doors, door: str) -> None:
    http, uuid = doors.http, doors.runs[door]
    task = wait_openc3(http, uuid, {"success"})
    step = jobs.subtasks(http, uuid)[0]

    run = opsgrat_row(http, task["id"])
    assert (run["state"], run["uuid"]) == ("successful", uuid)
    assert (run["start_time"], run["finish_time"]) == (
        unix(task["starttime"]),
        unix(task["finishtime"]),
    )
    listed = http.get("/api/job/job/", params={"limit": 1000}).json()["results"]
    assert task["id"] in {row["id"] for row in listed}

    logs = opsgrat_logs(http, task["id"])
    assert set(logs) == set(HOSTS)
    for node, log in logs.items():
        assert f"[{node}] views-out" in log and f"[{node}] views-err" in log, log

    by_ip = bkjob_logs(http, task["id"], step["id"])
    assert set(by_ip) == set(HOSTS.values())
    for log in by_ip.values():
        assert log.index("views-out") < log.index("views-err"), log

    info = record(http, uuid)
    assert (info["execute_status"], info["result_status"]) == ("done", "success"), info
    results = record_results(http, uuid)
    assert sorted(r["hostIp"] for r in results) == sorted(HOSTS.values()), results
    for result in results:
        assert (result["stdout"], result["stderr"]) == ("views-out\n", "views-err\n"), result
    assert uuid in paged_records(http)


def test_a_kill_through_one_door_is_each_documents_own_word(doors: Doors) -> None:
    http = doors.http
    uuid = submit(http, "echo started; sleep 60", nodes="s1,s2")
    wait_openc3(http, uuid, {"running"})
    wait_until(
        lambda: "started" in opsgrat_logs(http, http.get(f"/task/1/{uuid}").json()["data"]["id"])
        .get("s1", ""),
        WAIT,
        what="the run printed",
    )
    killed = http.delete(f"/slave/s1/killtask/{uuid}").json()
    assert killed["stat"] is True, killed
    task = wait_openc3(http, uuid, {"fail"})
    assert task["status"] == KILLED["openc3"]
    assert opsgrat_row(http, task["id"])["state"] == KILLED["opsgrat"]
    assert record(http, uuid)["result_status"] == KILLED["cloudact2"]
    step = jobs.subtasks(http, uuid)[0]
    assert all("started" in log for log in bkjob_logs(http, task["id"], step["id"]).values())


def test_another_projects_token_finds_the_run_through_no_door(doors: Doors) -> None:
    http, other = doors.http, doors.other
    uuid = doors.runs["plugin_cmd"]
    task = http.get(f"/task/1/{uuid}").json()["data"]
    step = jobs.subtasks(http, uuid)[0]

    assert other.get(f"/api/job/job/{task['id']}/").status_code == 404
    assert task["id"] not in {r["id"] for r in other.get("/api/job/job/").json()["results"]}
    assert other.get("/api/job/log/", params={"job": task["id"]}).json()["results"] == []
    body = {
        "bk_scope_type": "biz",
        "bk_scope_id": str(doors.other_project),
        "job_instance_id": task["id"],
        "step_instance_id": step["id"],
        "ip_list": [{"bk_cloud_id": 0, "ip": HOSTS["s1"]}],
    }
    answer = other.post("/api/v3/batch_get_job_instance_ip_log/", json=body)
    assert answer.json()["result"] is False and true_status(answer) == 404, answer.text
    assert other.get("/api/v1/job/record", params={"id": uuid}).status_code == 404
    assert other.get("/api/v1/job/record/result", params={"id": uuid}).status_code == 404
    assert uuid not in paged_records(other)
