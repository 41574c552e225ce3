"""A working day on OpenC3's own pages, replayed in order against jobfleet, as the browser sends
it: every call under `/api/job/`, the only credentials OpenC3's session cookie, bodies as the
AngularJS pages build them; each answer read for exactly the fields the page reads
(shared/openc3-client-calls.md, the `#n` of each call in the comments).

The day: a visitor without a session is sent to the login; an operator adds an account, two
machines and a group, writes a script, uploads a file and downloads it, saves a job of a cmd, a
cite and an scp step, runs it and watches its log socket, confirms a pause, retries a failed
node, kills a run, starts and stops a crontab, makes and deletes a token, and the
`c3mc-job-load` script loads the job, edits it and saves it back. The dashboard's counts follow.

One master, slave `s1` and gateway serve the module.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.integration.conftest import Gateway, Services
from tests.waiting import wait_until

PREFIX = "/api/job"
WAIT = 60.0


@dataclass
class Day:
    gateway: Gateway
    page: httpx.Client
    """The browser: `/api/job/...`, OpenC3's session cookie `sid` and nothing else."""
    tmp: Path


@pytest.fixture(scope="module")
def day(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    session = {"sid": gateway.token}
    with httpx.Client(base_url=gateway.url + PREFIX, cookies=session, timeout=30) as page:
        yield Day(gateway, page, tmp_path_factory.mktemp("day"))


def ok(resp: httpx.Response) -> dict[str, Any]:
    """The pages' check: a 2xx answer whose `stat` is true (else `swal(response.data.info)`)."""
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert body["stat"] is True, body
    return body


def data(resp: httpx.Response) -> Any:
    return ok(resp)["data"]


def row_named(rows: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    found = [r for r in rows if r[key] == value]
    assert len(found) == 1, rows
    return found[0]


def has(row: dict[str, Any], fields: str) -> None:
    """The row carries every field the page shows."""
    assert set(fields.split()) <= set(row), (fields, row)


def task_of(page: httpx.Client, uuid: str) -> dict[str, Any]:
    found: dict[str, Any] = data(page.get(f"/task/1/{uuid}"))  # #27
    return found


def until_status(page: httpx.Client, uuid: str, *words: str) -> dict[str, Any]:
    """Poll as the detail page does, until the task shows one of `words`."""

    def reached() -> dict[str, Any] | None:
        found = task_of(page, uuid)
        return found if found["status"] in words else None

    return wait_until(reached, WAIT, what=f"task {uuid} {words}")


def subtasks(page: httpx.Client, uuid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data(page.get(f"/subtask/1/{uuid}"))  # #51
    for row in rows:
        has(row, "uuid subtask_type status pause nodecount starttime finishtime extended")
    return rows


def cmd(name: str, **fields: Any) -> dict[str, Any]:
    """A cmd step as plugin/cmd.controller.js posts it."""
    return {
        "plugin_type": "cmd",
        "name": name,
        "user": "",
        "node_type": "builtin",
        "node_cont": "s1",
        "scripts_type": "shell",
        "scripts_cont": "true",
        "scripts_argv": " ",
        "timeout": 60,
        "pause": "",
        "deployenv": "always",
        "action": "always",
        "batches": "always",
        **fields,
    }


def save_job(page: httpx.Client, name: str, steps: list[dict[str, Any]]) -> str:
    body = {"name": name, "mon_status": False, "mon_ids": "", "permanent": "permanent"}
    return str(ok(page.post("/jobs/1", json={**body, "data": steps}))["uuid"])  # #11


def run(page: httpx.Client, job_uuid: str) -> str:
    return str(ok(page.post("/task/1/job", json={"jobuuid": job_uuid}))["uuid"])  # #29


def control(page: httpx.Client, uuid: str, step: dict[str, Any], word: str) -> None:
    """The detail page's confirm and retry buttons (#54)."""
    body = {
        "taskuuid": uuid,
        "subtaskuuid": step["uuid"],
        "subtasktype": step["subtask_type"],
        "control": word,
    }
    ok(page.put("/subtask/1", json=body))


def watch(day: Day, slave: str, uuid: str) -> str:
    """The log area: the socket on the task's `slave`, every frame to its close, as text."""
    url = day.gateway.url.replace("http://", "ws://") + f"{PREFIX}/slave/{slave}/ws?uuid={uuid}"
    frames: list[str] = []
    deadline = time.monotonic() + WAIT
    with connect(url, additional_headers={"Cookie": f"sid={day.gateway.token}"}) as socket:
        while True:
            try:
                frame = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
            except ConnectionClosed:
                return "<br>".join(frames)
            assert isinstance(frame, str)
            frames.append(frame)


def test_a_working_day_on_openc3s_pages(day: Day) -> None:
    page, url = day.page, day.gateway.url

    # Morning: no session yet. The auth interceptor reads `code` 10000 and goes to the login.
    with httpx.Client(base_url=url + PREFIX, timeout=30) as visitor:
        anonymous = visitor.get("/jobs/1")
    assert anonymous.status_code == 200
    assert anonymous.json()["stat"] is False and anonymous.json()["code"] == 10000

    # An account, two machines (one with both addresses), a group of the one with a slave.
    ok(page.post("/userlist/1", json={"username": "deploy"}))  # #37
    account = row_named(data(page.get("/userlist/1")), "username", "deploy")  # #36
    has(account, "id username create_user create_time")
    ok(page.post("/nodelist/1", json={"name": "web1::10.0.0.1::192.0.2.1"}))  # #40
    ok(page.post("/nodelist/1", json={"name": "10.0.0.2"}))
    machines = data(page.get("/nodelist/1"))  # #39
    web1, bare = row_named(machines, "name", "web1"), row_named(machines, "name", "10.0.0.2")
    has(web1, "id name inip exip create_user create_time")
    assert (web1["inip"], web1["exip"], bare["inip"]) == ("10.0.0.1", "192.0.2.1", "10.0.0.2")
    ok(page.delete(f"/nodelist/1/{bare['id']}"))  # #41
    ok(page.post("/nodegroup/1", json={"name": "web", "plugin": "node", "params": "s1"}))  # #16
    group = row_named(data(page.get("/nodegroup/1")), "name", "web")  # #14
    has(group, "id name plugin create_user create_time")
    picked = data(page.get(f"/nodegroup/1/{group['id']}"))  # #15
    assert (picked["plugin"], picked["params"].split(",")) == ("node", ["s1"])

    # A script to cite, and a file for the copy step: uploaded, listed, downloaded.
    ok(page.post("/scripts/1", json={"name": "greet", "type": "shell", "cont": "echo hi $1"}))
    script = row_named(data(page.get("/scripts/1")), "name", "greet")  # #19
    has(script, "id name type projectid create_user create_time edit_user edit_time")
    assert script["projectid"] == 1  # the page offers edit and delete on its own tree's rows
    assert data(page.get(f"/scripts/1/{script['id']}"))["cont"] == "echo hi $1"  # #20
    content = b"the day's notes\n"
    ok(page.post("/fileserver/1", files={"file": ("notes.txt", content)}))  # #43
    stored = row_named(data(page.get("/fileserver/1")), "name", "notes.txt")  # #42
    has(stored, "id name size create_user create_time edit_user edit_time")
    link = data(page.get("/fileserver/1/download", params={"name": "notes.txt"}))
    downloaded = page.get(f"/download/{link}")
    assert (stored["size"], downloaded.content) == (len(content), content)

    # The job: a cmd on the group (its id, a number), a cite of the script, a copy of the file.
    into = day.tmp / "landed"
    steps = [
        cmd("hello", node_type="group", node_cont=group["id"], scripts_cont="echo from-$1",
            scripts_argv="group"),
        cmd("cited", scripts_type="cite", scripts_cont=script["id"], scripts_argv="cited"),
        {
            "plugin_type": "scp", "name": "notes", "user": "", "src_type": "fileserver",
            "src": "", "sp": "notes.txt", "dst_type": "group", "dst": group["id"],
            "dp": f"{into}/", "chown": None, "chmod": "644", "timeout": 60, "pause": "",
            "scp_delete": False, "deployenv": "always", "action": "always", "batches": "always",
        },
    ]  # fmt: skip
    job_uuid = save_job(page, "release", steps)
    job = row_named(data(page.get("/jobs/1")), "uuid", job_uuid)  # #8
    has(job, "id uuid name stepcount hasvariable create_user create_time edit_user edit_time")
    assert (job["stepcount"], job["hasvariable"]) == (3, 0)  # the crontab dialog may offer it

    # Run it and watch the log socket to the end.
    uuid = run(page, job_uuid)
    started = task_of(page, uuid)
    assert started["jobtype"] == "jobs" and started["slave"]
    log = watch(day, started["slave"], uuid)
    ended = until_status(page, uuid, "success", "fail")
    assert ended["status"] == "success", ended
    assert "from-group" in log and "hi cited" in log
    assert (into / "notes.txt").read_bytes() == content
    done = subtasks(page, uuid)
    assert [(s["subtask_type"], s["status"]) for s in done] == [
        ("cmd", "success"),
        ("cmd", "success"),
        ("scp", "success"),
    ]

    # A release with a pause: it waits until someone confirms.
    paused_job = save_job(page, "canary", [cmd("canary", pause="check"), cmd("rest")])
    uuid = run(page, paused_job)
    until_status(page, uuid, "waiting")
    at_pause = subtasks(page, uuid)
    assert [(s["status"], bool(s["pause"])) for s in at_pause] == [("success", True), ("", False)]
    control(page, uuid, at_pause[0], "next")
    assert until_status(page, uuid, "success", "fail")["status"] == "success"

    # A node fails once; the retry button runs it again.
    marker = day.tmp / "tried-once"
    flaky = f"test -e {marker} || {{ touch {marker}; exit 3; }}"
    uuid = run(page, save_job(page, "flaky", [cmd("flaky", scripts_cont=flaky)]))
    until_status(page, uuid, "waiting")
    failed = subtasks(page, uuid)[0]
    assert failed["status"] == "decision"
    control(page, uuid, failed, "running")
    assert until_status(page, uuid, "success", "fail")["status"] == "success"

    # A quick command run from the cmd page, then killed from its detail page.
    quick = {
        "name": "long", "user": "", "node_type": "builtin", "node_cont": "s1",
        "scripts_type": "shell", "scripts_cont": "echo start; sleep 60", "scripts_argv": " ",
        "timeout": 120,
    }  # fmt: skip
    submitted = ok(page.post("/task/1/plugin_cmd", json=quick))  # #31
    answer = submitted["data"]
    assert answer["uuid"] == submitted["uuid"] and answer["slave"]
    assert answer["loguuid"].startswith(answer["uuid"]) and answer["loguuid"].endswith("cmd")
    wait_until(lambda: task_of(page, answer["uuid"])["status"] == "running", WAIT, what="run")
    ok(page.delete(f"/slave/{answer['slave']}/killtask/{answer['uuid']}"))  # #24
    killed = until_status(page, answer["uuid"], "success", "fail")
    assert killed["status"] == "fail" and killed["reason"].startswith("killed by ")

    # A crontab: created stopped, started, stopped, deleted.
    cron = {"name": "nightly", "jobuuid": job_uuid, "cron": "0 3 * * *", "mutex": ""}
    ok(page.post("/crontab/1", json=cron))  # #4
    entry = row_named(data(page.get("/crontab/1")), "name", "nightly")  # #1
    has(entry, "id name cron status create_user create_time edit_user edit_time")
    assert entry["status"] == "unavailable"
    ok(page.post(f"/crontab/1/{entry['id']}/status", json={"status": "available"}))  # #6
    counted = data(page.get("/crontab/1/count"))  # #2
    ok(page.post(f"/crontab/1/{entry['id']}/status", json={"status": "unavailable"}))
    assert (counted["available"], counted["unavailable"]) == (1, 0)
    assert data(page.get(f"/crontab/1/{entry['id']}"))["status"] == "unavailable"  # #3
    ok(page.delete(f"/crontab/1/{entry['id']}"))  # #7

    # The token page: a token for the upload curl line, listed, deleted.
    made = {"token": "0123456789abcdef0123456789abcdef", "describe": "ci", "isjob": False}
    ok(page.post("/token/1", json={**made, "jobname": ""}))  # #46
    token = row_named(data(page.post("/token/1/info")), "describe", "ci")  # #45
    has(token, "id describe create_user create_time isjob jobname")
    ok(page.delete(f"/token/1/{token['id']}"))  # #47
    assert all(t["describe"] != "ci" for t in data(page.post("/token/1/info")))

    # Evening: c3mc-job-load saves the job back as dumped, its name edited, each step's type
    # taken from `uuids` (appname/appkey, as the scripts authenticate).
    script_headers = {"appname": "c3mc", "appkey": day.gateway.token}
    with httpx.Client(base_url=url + PREFIX, headers=script_headers, timeout=30) as cli:
        dumped = data(cli.get(f"/jobs/1/{job_uuid}"))  # #10
        kinds = [u.split("_")[0] for u in dumped["uuids"].split(",")]
        bare_steps = [{k: v for k, v in s.items() if k != "plugin_type"} for s in dumped["data"]]
        loaded = {**dumped, "name": "release v2", "permanent": 1, "data": bare_steps}
        ok(cli.post(f"/jobs/1/{job_uuid}", json=loaded))  # #12
        again = data(cli.get(f"/jobs/1/{job_uuid}"))
    assert kinds == ["cmd", "cmd", "scp"]
    assert again["name"] == "release v2" and again["uuids"] == dumped["uuids"]
    assert again["data"] == dumped["data"]

    # The dashboard.
    tasks = data(page.get("/task/1/count"))  # #26
    assert tasks["success"] >= 3 and tasks["fail"] >= 1
    assert data(page.get("/jobs/1/count"))["permanent"] >= 3  # #9
    assert data(page.get("/nodeinfo/1/count"))["node"] >= 1  # #48
