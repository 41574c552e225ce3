"""Two step inputs OpenC3's pages send: a cmd step citing a stored script (`scripts_type:
cite`, the id in `scripts_cont`), and an scp step copying from a machine into the project's
file server (`dst_type: fileserver`), as a job and as quick tasks.

Tried as a user and as an attacker would: another project's token cites project 1's script
(refused exactly as a script that does not exist, over REST and gRPC); a job whose cited script
is deleted fails that step with the reason. One master (file store capped at 64 KiB), gateway
and slave `s1` (agent mode: the node is the slave's own machine) are shared by the module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from jobfleet.v1 import task_pb2, task_pb2_grpc
from tests.integration.conftest import Master, Services
from tests.integration.rest import refusal, task, wait_final
from tests.waiting import wait_until

A, B = 1, 2
CAP = 64 * 1024


@dataclass
class World:
    master: Master
    a: httpx.Client
    """Project 1's caller, as the admin; its submitter is `alice` (the `appname` header)."""
    b: httpx.Client
    """Project 2's token."""
    b_token: str
    script: int
    """Project 1's stored script: `echo cited "$@"`."""


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master("--max-upload-bytes", str(CAP))
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    assert master.create_project("b") == B
    with gateway.client() as admin:
        b_token = str(admin.post(f"/token/{B}", json={"describe": "b"}).json()["data"]["token"])
    with gateway.client() as a, gateway.client(b_token) as b:
        a.headers["appname"] = "alice"
        body = {"name": "greet", "type": "shell", "cont": 'echo cited "$@"\n'}
        made = a.post(f"/scripts/{A}", json=body)
        assert made.status_code == 200, made.text
        yield World(master, a, b, b_token, int(made.json()["data"]["id"]))


def cite(script: Any, **fields: Any) -> dict[str, Any]:
    """A cmd step citing `script` as OpenC3's job page sends it (the id a number)."""
    return {
        "plugin_type": "cmd",
        "name": "cited",
        "node_type": "builtin",
        "node_cont": "s1",
        "scripts_type": "cite",
        "scripts_cont": script,
        "scripts_argv": "from-a-job",
        "timeout": 60,
        **fields,
    }


def keep(path: Path, dp: str = "/tmp/abc/") -> dict[str, Any]:
    """A copy into the file server as OpenC3's send-file page sends it: `dst` the machine again,
    `dp` a directory (the file keeps its name)."""
    return {
        "name": f"sendfile_download_{path}",
        "src_type": "builtin",
        "src": "s1",
        "sp": str(path),
        "dst_type": "fileserver",
        "dst": "s1",
        "dp": dp,
        "chown": "root",
        "chmod": "644",
        "timeout": 60,
        "user": "root",
    }


def started(resp: httpx.Response) -> str:
    assert resp.status_code == 200 and resp.json()["stat"] is True, resp.text
    return str(resp.json()["uuid"])


def new_job(
    http: httpx.Client, project: int, steps: list[dict[str, Any]], name: str = "cite"
) -> httpx.Response:
    return http.post(
        f"/jobs/{project}", json={"name": name, "permanent": "permanent", "data": steps}
    )


def logs(http: httpx.Client, uuid: str) -> str:
    """Every step's output on s1, in order."""
    rows = http.get(f"/slave/s1/tasklog/{uuid}").json()["data"]
    return "".join(str(row["log"]) for row in rows)


def stored_files(http: httpx.Client) -> dict[str, dict[str, Any]]:
    """The file server's rows as the file page reads them."""
    rows = http.get(f"/fileserver/{A}").json()["data"]
    return {row["name"]: row for row in rows}


def test_a_job_runs_a_cited_script_then_keeps_a_file_and_shows_its_steps_as_sent(
    world: World, tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("nightly report\n")
    made = new_job(
        world.a, A, [cite(world.script), {"plugin_type": "scp", **keep(report, "r.txt")}]
    )
    job = started(made)

    shown = world.a.get(f"/jobs/{A}/{job}").json()["data"]["data"]
    uuid = started(world.a.post(f"/task/{A}/job", json={"jobuuid": job}))
    done = wait_final(world.a, uuid)

    assert (shown[0]["scripts_type"], shown[0]["scripts_cont"]) == ("cite", str(world.script))
    assert (shown[1]["dst_type"], shown[1]["dp"]) == ("fileserver", "r.txt")
    assert done["status"] == "success", done
    assert "cited from-a-job\n" in logs(world.a, uuid)
    row = stored_files(world.a)["r.txt"]
    assert (row["size"], row["create_user"]) == (len("nightly report\n"), "alice")
    assert row["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()


def test_a_quick_task_runs_a_cited_script(world: World) -> None:
    body = {
        "name": "q",
        "node_cont": "s1",
        "scripts_type": "cite",
        "scripts_cont": str(world.script),
    }
    uuid = started(world.a.post(f"/task/{A}/plugin_cmd", json={**body, "scripts_argv": "quick"}))

    assert wait_final(world.a, uuid)["status"] == "success"
    assert logs(world.a, uuid) == "cited quick\n"


def test_another_projects_script_is_cited_in_vain_as_one_that_does_not_exist(
    world: World,
) -> None:
    missing = world.script + 1000
    step = {**cite(0), "node_cont": "s1"}

    def answers(script: int) -> list[str]:
        saved = new_job(world.b, B, [{**step, "scripts_cont": script}])
        quick = world.b.post(
            f"/task/{B}/plugin_cmd",
            json={"name": "q", "node_cont": "s1", "scripts_type": "cite", "scripts_cont": script},
        )
        return [
            refusal(saved, 400, "data[0].scripts_cont").replace(str(script), "N"),
            refusal(quick, 400, "scripts_cont").replace(str(script), "N"),
        ]

    with world.master.channel(world.b_token) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        ask = task_pb2.SubmitCommandRequest(
            project_id=B, name="q", nodes=["s1"], script_id=world.script
        )
        with pytest.raises(grpc.RpcError) as over_grpc:
            stub.SubmitCommand(ask, timeout=30)

    assert answers(world.script) == answers(missing)
    assert f"no script {world.script} in project {B}" in str(over_grpc.value.details())
    assert over_grpc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert world.b.get(f"/task/{B}").json()["data"] == []  # nothing ran


def test_a_job_whose_cited_script_was_deleted_fails_that_step_with_the_reason(
    world: World,
) -> None:
    body = {"name": "doomed", "type": "shell", "cont": "echo doomed\n"}
    doomed = int(world.a.post(f"/scripts/{A}", json=body).json()["data"]["id"])
    job = started(new_job(world.a, A, [cite(doomed)], "doomed"))
    assert world.a.delete(f"/scripts/{A}/{doomed}").json()["stat"] is True

    uuid = started(world.a.post(f"/task/{A}/job", json={"jobuuid": job}))

    def decided() -> dict[str, Any] | None:
        rows: list[dict[str, Any]] = world.a.get(f"/subtask/{A}/{uuid}").json()["data"]
        return rows[0] if rows[0]["status"] == "decision" else None

    step = wait_until(decided, 60, what="the step waits for a decision")
    [node] = task(world.a, uuid)["nodes"]
    stop = {"taskuuid": uuid, "subtaskuuid": step["uuid"], "subtasktype": "cmd", "control": "fail"}
    assert world.a.post(f"/subtask/{A}", json=stop).json()["stat"] is True
    assert (step["extended"]["scripts_type"], step["extended"]["scripts_cont"]) == (
        "cite",
        str(doomed),
    )
    assert node["reason"] == (
        f"the cited script is gone: no script {doomed} in project {A} or the shared project 0"
    )
    assert wait_final(world.a, uuid)["status"] == "fail"


def test_a_file_kept_by_a_quick_copy_is_listed_and_goes_back_out_whole(
    world: World, tmp_path: Path
) -> None:
    source = tmp_path / "app.log"
    source.write_bytes(bytes(range(256)) * 16)
    out = tmp_path / "back"

    kept = wait_final(world.a, started(world.a.post(f"/task/{A}/plugin_scp", json=keep(source))))
    row = stored_files(world.a)["app.log"]
    back = {
        **{"name": "back", "src_type": "fileserver", "sp": "app.log"},
        **{"dst_type": "builtin", "dst": "s1", "dp": f"{out}/", "timeout": 60},
    }
    returned = wait_final(world.a, started(world.a.post(f"/task/{A}/plugin_scp", json=back)))

    assert (kept["status"], returned["status"]) == ("success", "success")
    assert row["size"] == 4096
    assert (out / "app.log").read_bytes() == source.read_bytes()


def test_a_copy_into_the_file_server_fails_naming_the_file_it_could_not_keep(
    world: World, tmp_path: Path
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (CAP + 1))
    missing = tmp_path / "missing.log"
    bad_name = world.a.post(f"/task/{A}/plugin_scp", json=keep(missing, "logs/app.log"))

    results = {
        path.name: wait_final(
            world.a, started(world.a.post(f"/task/{A}/plugin_scp", json=keep(path)))
        )
        for path in (big, missing)
    }

    refusal(bad_name, 400, "dp")
    assert {name: r["status"] for name, r in results.items()} == {
        "big.bin": "fail",
        "missing.log": "fail",
    }
    assert f"larger than the {CAP} byte cap" in results["big.bin"]["reason"]
    assert f"no such file or directory: {missing}" in results["missing.log"]["reason"]
    assert {"big.bin", "missing.log"}.isdisjoint(stored_files(world.a))
