"""Approval steps as OpenC3's pages use them: a job waiting for its approvers (shown `waiting`),
going on when they agree, stopping when one refuses or time runs out; a quick approval.

And the attacks: a forged token, a token used twice, one approver's token answering for another
or for another step, another project's token on the approval routes, a project token posing as
an approver. Links are read from the notices the steps enqueued (approval_links.py).

One master, gateway and slave `s1` (serving project 1) for the module.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.approval_links import link_for, notice_for, token_of
from tests.integration.conftest import Gateway, Services
from tests.integration.jobs import cmd, control, create_job, run_job, subtasks, wait_status
from tests.integration.rest import refusal, task

A, B = 1, 2


@dataclass
class World:
    gateway: Gateway
    db: str
    admin: httpx.Client
    a: httpx.Client
    b: httpx.Client
    anyone: httpx.Client
    """No credentials: an approver's browser."""


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1", "--projects", str(A))
    gateway = module_services.start_gateway(master)
    assert master.create_project("b") == B
    db = master.args[master.args.index("--db") + 1]
    with gateway.client() as admin:
        a_token = ok(admin.post(f"/token/{A}", json={"describe": "a"}))["token"]
        b_token = ok(admin.post(f"/token/{B}", json={"describe": "b"}))["token"]
        with (
            gateway.client(a_token) as a,
            gateway.client(b_token) as b,
            gateway.client("") as anyone,
        ):
            yield World(gateway, db, admin, a, b, anyone)


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["stat"] is True, body
    return body.get("data")


def approval(name: str, approver: str, **extra: Any) -> dict[str, Any]:
    return {
        "plugin_type": "approval",
        "name": name,
        "approver": approver,
        "cont": "ship ${version}, asked by ${submitter} at ${stepname}",
        "everyone": "off",
        "relaxed": "off",
        "timeout": "",
        "pause": "",
        **extra,
    }


def answer(w: World, token: str, opinion: str, uuid: str = "") -> httpx.Response:
    body = {"token": token, "opinion": opinion, **({"uuid": uuid} if uuid else {})}
    return w.anyone.post("/approval/answer", json=body)


def test_a_job_waits_for_its_approver_then_goes_on(world: World) -> None:
    w = world
    steps = [cmd("one", "echo one"), approval("gate", "alice"), cmd("two", "echo two")]
    job = create_job(w.a, "gated", steps)
    assert [s["plugin_type"] for s in ok(w.a.get(f"/jobs/{A}/{job}"))["data"]][1] == "approval"
    uuid = run_job(w.a, job, {"version": "1.2"})

    wait_status(w.a, uuid, "waiting")
    gate = subtasks(w.a, uuid)[1]
    assert gate["status"] == "running"
    assert "approvers" in refusal(control(w.a, uuid, gate, "next"), 409)
    assert "approvers" in refusal(control(w.a, uuid, gate, "ignore"), 409)
    notice = notice_for(w.db, "alice", uuid)
    assert notice["cont"] == "ship 1.2, asked by api at gate"
    link = str(notice["link"])

    page = w.anyone.get("/approval/answer", params={"token": token_of(link)})
    assert page.status_code == 200 and "ship 1.2" in page.text and 'method="post"' in page.text
    assert task(w.a, uuid)["status"] == "waiting"  # looking changed nothing

    forged = refusal(answer(w, "A" * 43, "agree"), 404, "token")
    ok(answer(w, token_of(link), "agree", str(notice["uuid"])))
    assert refusal(answer(w, token_of(link), "agree"), 404, "token") == forged  # no oracle
    browser = {"accept": "text/html"}
    again = w.anyone.get("/approval/answer", params={"token": token_of(link)}, headers=browser)
    assert again.headers["x-jobfleet-status"] == "404" and "already used" in again.text
    done = wait_status(w.a, uuid, "success")
    assert [s["status"] for s in subtasks(w.a, uuid)] == ["success", "success", "success"]
    assert done["status"] == "success"


def test_a_refusal_stops_the_task_and_time_running_out_fails_it(world: World) -> None:
    w = world
    refused_job = create_job(w.a, "refused", [approval("gate", "bob"), cmd("after", "echo no")])
    refused = run_job(w.a, refused_job, {"version": "1"})
    ok(answer(w, token_of(link_for(w.db, "bob", refused)), "refuse"))
    wait_status(w.a, refused, "refuse")
    assert [s["status"] for s in subtasks(w.a, refused)] == ["refuse", ""]

    late_job = create_job(w.a, "late", [approval("gate", "carl", timeout=2), cmd("x", "true")])
    late = run_job(w.a, late_job, {"version": "1"})
    link = link_for(w.db, "carl", late)
    assert wait_status(w.a, late, "fail")["status"] == "fail"
    assert [s["status"] for s in subtasks(w.a, late)] == ["fail", ""]
    refusal(answer(w, token_of(link), "agree"), 404, "token")  # the step has ended


def test_everyone_and_tokens_bound_to_their_approver_and_step(world: World) -> None:
    w = world
    steps = [
        approval("both", "carol,dave", everyone="on"),
        approval("again", "carol"),
    ]
    uuid = run_job(w.a, create_job(w.a, "both", steps), {"version": "2"})
    carol = notice_for(w.db, "carol", uuid)
    dave = notice_for(w.db, "dave", uuid)
    ok(answer(w, token_of(str(carol["link"])), "agree"))
    time.sleep(0.5)  # give a wrong decision the time to happen
    assert task(w.a, uuid)["status"] == "waiting"  # dave has not agreed yet

    refusal(answer(w, token_of(str(dave["link"])), "agree", str(carol["uuid"])), 404, "token")
    ok(answer(w, token_of(str(dave["link"])), "agree", str(dave["uuid"])))
    second = notice_for(w.db, "carol", uuid, count=2)
    assert second["step"] != carol["step"]
    # carol's first token, offered for her row of the second step
    refusal(answer(w, token_of(str(carol["link"])), "agree", str(second["uuid"])), 404, "token")
    ok(answer(w, token_of(str(second["link"])), "agree"))
    wait_status(w.a, uuid, "success")


def test_other_projects_and_project_tokens_cannot_answer(world: World) -> None:
    w = world
    uuid = run_job(w.a, create_job(w.a, "guarded", [approval("gate", "frank")]), {"version": "3"})
    row = notice_for(w.db, "frank", uuid)
    assert row["uuid"] in [r["uuid"] for r in ok(w.a.get("/approval"))]
    assert row["uuid"] not in [r["uuid"] for r in ok(w.b.get("/approval"))]
    assert "link" in refusal(
        w.b.post("/approval", json={"uuid": row["uuid"], "opinion": "agree"}), 403
    )
    refusal(w.a.post("/approval", json={"uuid": row["uuid"], "opinion": "agree"}), 403)
    quick = {"name": "q", "cont": "ok?", "approver": "gina"}
    refusal(w.b.post(f"/task/{A}/plugin_approval", json=quick), 403)
    assert task(w.a, uuid)["status"] == "waiting"

    answered = ok(w.admin.post("/approval", json={"uuid": row["uuid"], "opinion": "agree"}))
    assert answered["assist"] == "api" and answered["opinion"] == "agree"
    wait_status(w.a, uuid, "success")


def test_the_quick_approval(world: World) -> None:
    w = world
    body = {
        "name": "release",
        "cont": "release <b>2.0</b>?",
        "approver": "hana",
        "everyone": "on",
        "relaxed": "off",
        "timeout": "",
        "deployenv": "always",
        "action": "always",
        "batches": "always",
    }
    refusal(
        w.a.post(f"/task/{A}/plugin_approval", json={**body, "deployenv": "test"}), 400, "deployenv"
    )
    refusal(
        w.a.post(f"/task/{A}/plugin_approval", json={**body, "relaxed": "maybe"}), 400, "relaxed"
    )
    data = ok(w.a.post(f"/task/{A}/plugin_approval", json=body))
    uuid = data["uuid"]
    assert (
        data["loguuid"].startswith(uuid) and data["loguuid"].endswith("approval") and data["slave"]
    )
    wait_status(w.a, uuid, "waiting")
    link = link_for(w.db, "hana", uuid)
    page = w.anyone.get("/approval/answer", params={"token": token_of(link)})
    assert "release &lt;b&gt;2.0&lt;/b&gt;?" in page.text
    row = next(r for r in ok(w.a.get("/approval")) if r["taskuuid"] == uuid)
    span = time.mktime(time.strptime(row["deadline"], "%Y-%m-%d %H:%M:%S")) - time.mktime(
        time.strptime(row["create_time"], "%Y-%m-%d %H:%M:%S")
    )
    assert 86399 <= span <= 86401  # a quick approval's default: a day
    ok(answer(w, token_of(link), "agree"))
    wait_status(w.a, uuid, "success")

    auto = ok(
        w.a.post(f"/task/{A}/plugin_approval", json={**body, "approver": "api", "relaxed": "on"})
    )
    wait_status(w.a, auto["uuid"], "success")  # the submitter approving itself, relaxed
