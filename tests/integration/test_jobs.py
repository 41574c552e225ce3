"""Jobs of many steps over REST: order, pause, decisions, variables, byname, redo, third."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.jobs import cmd, control, create_job, run_job, subtasks, wait_status
from tests.integration.rest import refusal, tasklog, true_status, wait_final


@dataclass
class Fleet:
    http: httpx.Client
    tmp: Path


@pytest.fixture
def fleet(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> Iterator[Fleet]:
    """A master, slaves alpha and beta (each sets LC_WHERE, which reaches its commands as LC_*
    variables do), and a gateway."""
    master = start_master()
    start_slave(master, "alpha", env={"LC_WHERE": "alpha"})
    start_slave(master, "beta", env={"LC_WHERE": "beta"})
    with start_gateway(master).client() as http:
        yield Fleet(http, tmp_path)


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_steps_run_in_order_and_wait_at_the_pause(fleet: Fleet) -> None:
    trail = fleet.tmp / "trail"
    job = create_job(
        fleet.http,
        "three steps",
        [
            cmd("one", f"echo one-$LC_WHERE >> {trail}", nodes="alpha,beta"),
            cmd("two", f"echo two-$LC_WHERE >> {trail}", nodes="beta", pause="check the canary"),
            cmd("three", f"echo three-$LC_WHERE >> {trail}", nodes="alpha"),
        ],
    )

    uuid = run_job(fleet.http, job)
    wait_status(fleet.http, uuid, "waiting")
    steps = subtasks(fleet.http, uuid)

    assert sorted(lines(trail)[:2]) == ["one-alpha", "one-beta"]
    assert lines(trail)[2:] == ["two-beta"]
    assert [s["status"] for s in steps] == ["success", "success", ""]
    assert steps[1]["pause"] == "check the canary"

    resp = control(fleet.http, uuid, steps[1], "next")

    assert resp.status_code == 200, resp.text
    assert wait_final(fleet.http, uuid)["status"] == "success"
    assert lines(trail)[3:] == ["three-alpha"]
    assert [s["status"] for s in subtasks(fleet.http, uuid)] == ["success"] * 3
    assert subtasks(fleet.http, uuid)[1]["pause"] == ""


def flaky_job(fleet: Fleet) -> tuple[str, Path]:
    """Step 1 fails on beta until the file `fixed` exists; step 2 marks that it ran."""
    fixed, after = fleet.tmp / "fixed", fleet.tmp / "after"
    job = create_job(
        fleet.http,
        "flaky",
        [
            cmd(
                "flaky",
                f'echo run >> {fleet.tmp}/runs-$LC_WHERE; test "$LC_WHERE" = alpha -o -e {fixed}',
                nodes="alpha,beta",
            ),
            cmd("after", f"echo ran > {after}", nodes="alpha"),
        ],
    )
    return job, fixed


@pytest.mark.parametrize(
    ("word", "task_status", "step_status", "second_ran"),
    [
        ("next", "fail", "fail", True),
        ("fail", "fail", "fail", False),
        ("ignore", "success", "ignore", True),
    ],
)
def test_a_failed_node_waits_for_control(
    fleet: Fleet, word: str, task_status: str, step_status: str, second_ran: bool
) -> None:
    job, _ = flaky_job(fleet)
    uuid = run_job(fleet.http, job)
    wait_status(fleet.http, uuid, "waiting")
    first = subtasks(fleet.http, uuid)[0]
    assert first["status"] == "decision"

    resp = control(fleet.http, uuid, first, word)

    assert resp.status_code == 200, resp.text
    assert wait_final(fleet.http, uuid)["status"] == task_status
    assert subtasks(fleet.http, uuid)[0]["status"] == step_status
    assert (fleet.tmp / "after").exists() == second_ran


def test_running_reruns_only_the_failed_node(fleet: Fleet) -> None:
    job, fixed = flaky_job(fleet)
    uuid = run_job(fleet.http, job)
    wait_status(fleet.http, uuid, "waiting")
    fixed.touch()

    resp = control(fleet.http, uuid, subtasks(fleet.http, uuid)[0], "running")

    assert resp.status_code == 200, resp.text
    assert wait_final(fleet.http, uuid)["status"] == "success"
    assert lines(fleet.tmp / "runs-alpha") == ["run"]
    assert lines(fleet.tmp / "runs-beta") == ["run", "run"]
    assert (fleet.tmp / "after").exists()


def test_controls_that_change_nothing_are_refused(fleet: Fleet) -> None:
    job = create_job(fleet.http, "plain", [cmd("only", "sleep 2", nodes="alpha")])
    uuid = run_job(fleet.http, job)
    step = subtasks(fleet.http, uuid)[0]

    refused = [control(fleet.http, uuid, step, w) for w in ("fail", "ignore", "running", "next")]
    put_fail = fleet.http.put(
        "/subtask/1",
        json={
            "taskuuid": uuid,
            "subtaskuuid": step["uuid"],
            "subtasktype": "cmd",
            "control": "fail",
        },
    )

    assert [r.json()["stat"] for r in refused] == [False] * 4
    assert all(400 <= true_status(r) < 500 for r in refused)
    refusal(put_fail, 403, "control")
    assert wait_final(fleet.http, uuid)["status"] == "success"


def test_variables_substitute_and_a_missing_one_is_refused(fleet: Fleet) -> None:
    job = create_job(
        fleet.http,
        "greet",
        [cmd("greet", 'echo "${greeting}, ${who}"', nodes="${targets}", node_type="builtin")],
    )
    resp = fleet.http.post(
        "/variable/1/update",
        json={
            "jobuuid": job,
            "data": [
                {"name": "greeting", "value": "hello", "describe": "word"},
                {"name": "who", "value": "", "describe": "must be given"},
                {"name": "targets", "value": "alpha", "describe": ""},
            ],
        },
    )
    assert resp.status_code == 200, resp.text
    before = len(fleet.http.get("/task/1").json()["data"])

    refused = fleet.http.post("/task/1/job", json={"jobuuid": job})
    uuid = run_job(fleet.http, job, {"who": "operator"})

    refusal(refused, 400, "who")
    assert len(fleet.http.get("/task/1").json()["data"]) == before + 1
    assert wait_final(fleet.http, uuid)["status"] == "success"
    assert tasklog(fleet.http, uuid)["alpha"]["log"] == "hello, operator\n"


def test_byname_with_a_caller_uuid_is_idempotent(fleet: Fleet) -> None:
    create_job(fleet.http, "named", [cmd("only", "echo once", nodes="alpha")])
    body = {"jobname": "named", "uuid": "callerchosen42", "variable": {}}

    first = fleet.http.post("/task/1/job/byname", json=body)
    second = fleet.http.post("/task/1/job/byname", json=body)

    assert first.status_code == second.status_code == 200, second.text
    assert first.json()["uuid"] == second.json()["uuid"] == "callerchosen42"
    wait_final(fleet.http, "callerchosen42")
    listed = fleet.http.get("/task/1", params={"taskuuid": "callerchosen42"}).json()["data"]
    assert len(listed) == 1


def test_redo_runs_a_finished_task_again(fleet: Fleet) -> None:
    job = create_job(
        fleet.http, "again", [cmd("only", f"echo x >> {fleet.tmp}/again", nodes="alpha")]
    )
    first = run_job(fleet.http, job)
    wait_final(fleet.http, first)

    resp = fleet.http.post("/task/1/redo", json={"taskuuid": first})

    assert resp.status_code == 200, resp.text
    second = resp.json()["uuid"]
    assert second != first
    assert wait_final(fleet.http, second)["status"] == "success"
    assert lines(fleet.tmp / "again") == ["x", "x"]
    assert fleet.http.get("/task/1/count").json()["data"]["success"] == 2


def test_third_party_interface(fleet: Fleet) -> None:
    create_job(fleet.http, "deploy", [cmd("go", "echo ${version}; sleep 30", nodes="beta")])
    params = {"jobname": "deploy", "variable": {"version": "1.2.3"}}

    names = fleet.http.post("/third/option/jobname", json={"project_id": 1}).json()["data"]
    needed = fleet.http.post(
        "/third/option/variable", json={"project_id": 1, "jobname": "deploy"}
    ).json()["data"]
    dry = fleet.http.post(
        "/third/interface/dry-run", json={"project_id": 1, "uuid": "third1", "params": params}
    )
    invoked = [
        fleet.http.post(
            "/third/interface/invoke", json={"project_id": 1, "uuid": "third1", "params": params}
        )
        for _ in range(2)
    ]

    assert "deploy" in names
    assert [v["name"] for v in needed] == ["version"]
    assert dry.status_code == 200, dry.text
    assert "1.2.3" in str(dry.json()["data"]) and "beta" in str(dry.json()["data"])
    assert [r.status_code for r in invoked] == [200, 200], invoked[1].text
    assert len(fleet.http.get("/task/1", params={"taskuuid": "third1"}).json()["data"]) == 1
    wait_status(fleet.http, "third1", "running")
    query = fleet.http.post("/third/interface/query", json={"uuid": "third1"}).json()
    stop = fleet.http.post("/third/interface/stop", json={"uuid": "third1"})
    assert query["data"]["status"] == "running"
    assert stop.status_code == 200, stop.text
    done = wait_final(fleet.http, "third1")
    assert (done["status"], done["reason"]) == ("fail", "stopped by api")


def test_one_subtask_and_the_task_list_filters(fleet: Fleet) -> None:
    job = create_job(fleet.http, "filtered", [cmd("only", "exit 0", nodes="alpha")])
    done = run_job(fleet.http, job)
    wait_final(fleet.http, done)
    failing = fleet.http.post(
        "/task/1/plugin_cmd",
        headers={"appname": "robot"},
        json={
            "name": "oops",
            "node_type": "builtin",
            "node_cont": "beta",
            "scripts_cont": "exit 1",
        },
    )
    failed = failing.json()["uuid"]
    wait_final(fleet.http, failed)
    step = subtasks(fleet.http, done)[0]

    one = fleet.http.get(f"/subtask/1/{done}/{step['uuid']}")
    missing = fleet.http.get(f"/subtask/1/{done}/0123456789abcdef0123456789abcdef")

    def listed(**params: str) -> list[str]:
        rows = fleet.http.get("/task/1", params=params).json()["data"]
        return sorted(r["uuid"] for r in rows)

    assert one.status_code == 200 and one.json()["data"]["uuid"] == step["uuid"]
    assert one.json()["data"]["extended"]["scripts_cont"] == "exit 0"
    refusal(missing, 404)
    assert listed(status="fail") == [failed]
    assert listed(user="robot") == [failed]
    assert listed(name="filt") == [done]
    assert listed(time_start="2000-01-01", time_end="2000-01-02") == []
    assert listed(time_start="2000-01-01") == sorted([done, failed])
