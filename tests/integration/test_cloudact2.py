"""cloud-act2's job records (shared/spec/job-record-api.txt) as a client of cloud-act2 reads
them: runs started through OpenC3's routes, read as records (`/api/v1/job/record`), their host
results (`.../result`) and pages of them (`.../page`), in cloud-act2's envelope
`{status, message, content}` with true HTTP statuses.

One master, two slaves (s1, s2: each runs what names it) and a gateway for the module. The
paging test runs in a project of its own, so its counts are its own.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Gateway, Master, Services
from tests.integration.jobs import cmd, create_job, run_job
from tests.integration.rest import refusal, submit, true_status
from tests.waiting import wait_until

RECORD = "/api/v1/job/record"
RESULT = "/api/v1/job/record/result"
PAGE = "/api/v1/job/record/page"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # RFC 3339, UTC, to the second


@dataclass(frozen=True)
class Act2:
    master: Master
    gateway: Gateway
    admin: httpx.Client
    one: httpx.Client
    """Project 1's token."""
    one_token: str


@pytest.fixture(scope="module")
def act2(module_services: Services) -> Iterator[Act2]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    module_services.start_slave(master, "s2")
    gateway = module_services.start_gateway(master)
    with gateway.client() as admin:
        token = new_token(admin, 1)
        with gateway.client(token=token) as one:
            yield Act2(master, gateway, admin, one, token)


def new_token(admin: httpx.Client, project: int) -> str:
    resp = admin.post(f"/token/{project}", json={"describe": "cloud-act2 client"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["token"])


def content(resp: httpx.Response) -> Any:
    """A success's `content`, in cloud-act2's envelope."""
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["message"]) == ("success", ""), body
    return body["content"]


def record(http: httpx.Client, uuid: str) -> dict[str, Any]:
    info: dict[str, Any] = content(http.get(RECORD, params={"id": uuid}))
    return info


def done(http: httpx.Client, uuid: str, timeout: float = 60) -> dict[str, Any]:
    """The record once it is done, polled as cloud-act2's client polls it (`executeStatus`)."""

    def finished() -> dict[str, Any] | None:
        info = record(http, uuid)
        return info if info["executeStatus"] == "done" else None

    return wait_until(finished, timeout, what=f"record {uuid} done")


def results(http: httpx.Client, uuid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = content(http.get(RESULT, params={"id": uuid}))
    return rows


def test_a_command_run_reads_as_a_record_with_a_result_per_host(act2: Act2) -> None:
    uuid = submit(act2.admin, "echo out; echo err >&2", nodes="s1,s2", timeout=30)

    info = done(act2.one, uuid)

    assert (info["id"], info["execute_status"], info["result_status"]) == (uuid, "done", "success")
    assert json.loads(info["hosts"]) == ["s1", "s2"]
    assert (info["module_name"], info["script_type"]) == ("script", "shell")
    assert (info["script"], info["timeout"], info["callback"]) == ("echo out; echo err >&2", 30, "")
    parameters = json.loads(info["parameters"])
    assert (parameters["pattern"], parameters["script"], parameters["timeout"]) == (
        "script",
        "echo out; echo err >&2",
        30,
    )
    assert TIME.match(info["start_time"]) and TIME.match(info["end_time"]), info
    assert info["start_time"] <= info["end_time"]
    # cloud-act2's own keys, which its Go client reads
    assert (info["executeStatus"], info["resultStatus"], info["pattern"]) == (
        "done",
        "success",
        "script",
    )
    rows = results(act2.one, uuid)
    assert [(row["hostId"], row["status"], row["recordId"]) for row in rows] == [
        ("s1", "success", uuid),
        ("s2", "success", uuid),
    ]
    for row in rows:
        assert row["entityId"] == row["hostId"] and row["idcName"] == "0"
        assert row["hostIp"] == row["hostId"] or ipaddress.ip_address(row["hostIp"])
        assert TIME.match(row["startTime"]) and TIME.match(row["endTime"]), row
        assert "out\n" in row["stdout"] and row["message"] == ""


def test_results_keep_stdout_and_stderr_apart(act2: Act2) -> None:
    """Needs the master and slaves to keep the streams apart (ReadLog's `stderr` filter)."""
    uuid = submit(act2.admin, "echo out; echo err >&2", nodes="s1,s2")
    done(act2.admin, uuid)

    rows = results(act2.admin, uuid)

    assert [(row["hostId"], row["stdout"], row["stderr"]) for row in rows] == [
        ("s1", "out\n", "err\n"),
        ("s2", "out\n", "err\n"),
    ]


def test_a_job_of_two_steps_is_one_record_with_a_row_per_execution(act2: Act2) -> None:
    steps = [
        cmd("first", "echo one", nodes="s1", timeout=20),
        cmd("second", "echo two", nodes="s2"),
    ]
    job = create_job(act2.admin, "two-steps", steps)
    uuid = run_job(act2.admin, job, {"v": "x"})

    info = done(act2.admin, uuid)

    assert (info["result_status"], info["module_name"], info["script"]) == ("success", "job", "")
    assert info["timeout"] == 80 and json.loads(info["hosts"]) == ["s1", "s2"]
    parameters = json.loads(info["parameters"])
    assert [(s["name"], s["pattern"], s["script"]) for s in parameters["steps"]] == [
        ("first", "script", "echo one"),
        ("second", "script", "echo two"),
    ]
    assert parameters["env"] == {"v": "x"}
    rows = results(act2.admin, uuid)
    assert [(row["hostId"], row["stdout"], row["attempt"]) for row in rows] == [
        ("s1", "one\n", 1),
        ("s2", "two\n", 1),
    ]
    assert rows[0]["stepId"] < rows[1]["stepId"]


def test_a_killed_run_reads_cancelled_and_a_timed_out_one_timeout(act2: Act2) -> None:
    killed = submit(act2.admin, "echo started; sleep 600", nodes="s1", timeout=600)
    timed_out = submit(act2.admin, "sleep 30", nodes="s2", timeout=1)
    wait_until(lambda: "started" in results(act2.admin, killed)[0]["stdout"], 30, what="it started")
    assert record(act2.admin, killed)["execute_status"] == "doing"
    assert record(act2.admin, killed)["result_status"] == ""

    resp = act2.admin.delete(f"/slave/s1/killtask/{killed}")

    assert true_status(resp) == 200, resp.text
    info = done(act2.admin, killed)
    assert (info["result_status"], info["resultStatus"]) == ("cancelled", "cancelled")
    [row] = results(act2.admin, killed)
    assert (row["status"], row["message"]) == ("cancelled", "killed by api")
    assert done(act2.admin, timed_out)["result_status"] == "timeout"
    assert [row["status"] for row in results(act2.admin, timed_out)] == ["timeout"]


def test_pages_count_records_and_list_their_executions_newest_first(act2: Act2) -> None:
    project = act2.master.create_project("paged")
    uuids = [
        submit(act2.admin, f"echo n{n}", nodes="s1", project=project, name=f"n{n}")
        for n in range(5)
    ]
    with act2.gateway.client(token=new_token(act2.admin, project)) as http:
        for uuid in uuids:
            done(http, uuid)

        def page(**query: Any) -> dict[str, Any]:
            found: dict[str, Any] = content(http.get(PAGE, params=query))
            return found

        first, last, beyond = (page(pageNo=n, pageSize=2) for n in (1, 3, 4))
        assert [first[k] for k in ("pageNo", "pageSize", "pageCount", "totalCount")] == [1, 2, 3, 5]
        assert [row["recordId"] for row in first["list"]] == [uuids[4], uuids[3]]
        assert [row["stdout"] for row in first["list"]] == ["n4\n", "n3\n"]
        assert [row["recordId"] for row in last["list"]] == [uuids[0]]  # the partial last page
        assert (beyond["list"], beyond["pageCount"], beyond["totalCount"]) == ([], 3, 5)
        default = page()  # cloud-act2's defaults: page 1, 10 a page (0 reads the same)
        assert (default["pageNo"], default["pageSize"], len(default["list"])) == (1, 10, 5)
        assert page(pageNo=0, pageSize=0) == default
        for query, name in [
            ({"pageNo": "abc"}, "pageNo"),
            ({"pageNo": "-1"}, "pageNo"),
            ({"pageSize": "101"}, "pageSize"),
            ({"pageSize": "2.5"}, "pageSize"),
        ]:
            resp = http.get(PAGE, params=query)
            assert resp.json()["status"] == "error"
            refusal(resp, 400, name)
    every = content(act2.admin.get(PAGE, params={"pageSize": 100}))
    assert every["totalCount"] > 5  # the admin sees every project's records
    only = content(act2.admin.get(PAGE, params={"projectId": project}))
    assert {row["recordId"] for row in only["list"]} == set(uuids)


def test_a_project_token_reads_its_own_records_only(act2: Act2) -> None:
    other = act2.master.create_project("other")
    theirs = submit(act2.admin, "echo theirs", nodes="s1", project=other)
    mine = submit(act2.admin, "echo mine", nodes="s1")
    done(act2.admin, theirs)
    done(act2.one, mine)

    for path in (RECORD, RESULT):
        refusal(act2.one.get(path, params={"id": theirs}), 404, "id")
        assert true_status(act2.admin.get(path, params={"id": theirs})) == 200
        refusal(act2.one.get(path, params={"id": "Nosuchrecord1"}), 404, "id")
        refusal(act2.one.get(path), 400, "id")
        refusal(act2.one.get(path, params={"id": "../etc"}), 400, "id")
        refusal(act2.one.get(path, params={"id": mine, "projectId": other}), 403, "projectId")
    listed = content(act2.one.get(PAGE, params={"pageSize": 100}))
    assert mine in {row["recordId"] for row in listed["list"]}
    assert theirs not in {row["recordId"] for row in listed["list"]}
    with act2.gateway.client(token="") as anonymous:
        refusal(anonymous.get(RECORD, params={"id": mine}), 401, "token")
    # cloud-act2's own clients send `Authorization: Basic`: the password is the token
    with httpx.Client(base_url=act2.gateway.url, auth=("act2", act2.one_token)) as basic:
        assert record(basic, mine)["id"] == mine
        refusal(basic.get(RECORD, params={"id": theirs}), 404, "id")
