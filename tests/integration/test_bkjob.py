"""bk-job's `batch_get_job_instance_ip_log` (batch-get-job-instance-ip-log.txt) against a real
master, slave, sshd and gateway: a command step's output per host, a copy step's upload and
download logs with their real figures, both of bk-job's paths, refusals in its envelope, its
credentials header, and another project's token finding nothing.

Two hosts share 127.0.0.1 and differ by cloud area: the slave s1 itself (the address it
reported: it reaches the master over loopback; area 0) and vm7, a machine of the nodelist in
area 7 that s1 reaches over SSH (the test sshd on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Gateway, Services
from tests.integration.rest import FINAL, task, true_status, wait_final
from tests.sshd import SshServer

APIGW = "/api/v3/batch_get_job_instance_ip_log/"
ESB = "/api/c/compapi/v2/jobv3/batch_get_job_instance_ip_log/"
SLAVE = {"bk_cloud_id": 0, "ip": "127.0.0.1"}
VM7 = {"bk_cloud_id": 7, "ip": "127.0.0.1"}
SCRIPT = 'if [ -n "$SSH_CONNECTION" ]; then echo over ssh; else echo on the slave; fi; echo e >&2'
SOURCE_BYTES = 4097  # 4.001 KB in bk-job's words
STORED_BYTES = 1536  # 1.5 KB


@dataclass(frozen=True)
class Step:
    """A finished one-step task, by the ids bk-job's clients name it with (read from OpenC3's
    task and subtask rows)."""

    job_instance_id: int
    step_instance_id: int


@dataclass(frozen=True)
class Fleet:
    gateway: Gateway
    token: str
    """Project 1's token."""
    other: str
    """Project 2's token."""
    command: Step
    copy: Step
    from_store: Step
    source: Path
    dest: Path


def bkapi(token: str) -> dict[str, str]:
    return {"X-Bkapi-Authorization": json.dumps({"bk_app_code": "ci", "bk_app_secret": token})}


def ran(http: httpx.Client, route: str, body: dict[str, Any]) -> Step:
    """Run an ad-hoc task to its end; its ids as OpenC3's rows show them."""
    resp = http.post(f"/task/1/{route}", json={"name": route, "user": "root", **body})
    assert resp.status_code == 200 and resp.json()["stat"], resp.text
    uuid = resp.json()["uuid"]
    done = wait_final(http, uuid, timeout=120)
    assert done["status"] == "success", done
    [step] = http.get(f"/subtask/1/{uuid}").json()["data"]
    return Step(int(task(http, uuid)["id"]), int(step["id"]))


@pytest.fixture(scope="module")
def fleet(
    module_services: Services, sshd: SshServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    other_project = master.create_project("other")
    tmp = tmp_path_factory.mktemp("bkjob")
    source, dest = tmp / "1.log", tmp / "dest"
    source.write_bytes(b"x" * SOURCE_BYTES)
    with gateway.client() as http:
        for path, body in [
            ("/userlist/1", {"username": "root", "private_key": sshd.client_key.value}),
            ("/nodelist/1", {"name": "vm7", "inip": sshd.host, "sshport": sshd.port,
                             "bk_cloud_id": 7}),
        ]:  # fmt: skip
            assert http.post(path, json=body).json()["stat"], path
        stored = http.post("/fileserver/1", files={"file": ("fs.txt", b"y" * STORED_BYTES)})
        assert stored.json()["stat"], stored.text
        tokens = [http.post(f"/token/{p}", json={}).json()["data"]["token"] for p in (1, 2)]
        assert other_project == 2
        command = ran(http, "plugin_cmd", {"node_cont": "s1,vm7", "scripts_cont": SCRIPT})
        copy = ran(
            http,
            "plugin_scp",
            {"src": "s1", "sp": str(source), "dst": "vm7", "dp": f"{dest}/1.log"},
        )
        from_store = ran(
            http,
            "plugin_scp",
            {"src_type": "fileserver", "src": "", "sp": "fs.txt", "dst": "vm7",
             "dp": f"{dest}/fs.txt"},
        )  # fmt: skip
    yield Fleet(gateway, tokens[0], tokens[1], command, copy, from_store, source, dest)


def ask(
    fleet: Fleet,
    step: Step,
    hosts: list[dict[str, Any]],
    path: str = APIGW,
    token: str = "",
    **fields: Any,
) -> httpx.Response:
    body = {
        "bk_scope_type": "biz",
        "bk_scope_id": "1",
        "job_instance_id": step.job_instance_id,
        "step_instance_id": step.step_instance_id,
        "ip_list": hosts,
        **fields,
    }
    headers = bkapi(token or fleet.token)
    return httpx.post(fleet.gateway.url + path, json=body, headers=headers, timeout=30)


def answered(resp: httpx.Response) -> dict[str, Any]:
    """bk-job's success envelope; its `data`."""
    assert (resp.status_code, true_status(resp)) == (200, 200), resp.text
    payload = resp.json()
    assert (payload["result"], payload["code"], payload["message"]) == (True, 0, ""), payload
    assert len(payload["job_request_id"]) == 32
    data: dict[str, Any] = payload["data"]
    return data


def refused(resp: httpx.Response, status: int, code: int, field: str) -> str:
    """bk-job's refusal: HTTP 200, `result: false`, its code, the field named; the message."""
    assert (resp.status_code, true_status(resp)) == (200, status), resp.text
    payload = resp.json()
    assert (payload["result"], payload["code"], payload["data"]) == (False, code, None), payload
    message = str(payload["message"])
    assert message.startswith(f"{field}: "), message
    return message


def test_a_command_step_answers_each_hosts_own_output(fleet: Fleet) -> None:
    data = answered(ask(fleet, fleet.command, [VM7, SLAVE]))

    assert data == {
        "log_type": 1,
        "job_instance_id": fleet.command.job_instance_id,
        "task_instance_id": fleet.command.job_instance_id,
        "step_instance_id": fleet.command.step_instance_id,
        "script_task_logs": [
            {**VM7, "log_content": "over ssh\ne\n"},
            {**SLAVE, "log_content": "on the slave\ne\n"},
        ],
    }


def test_a_copy_step_answers_the_upload_on_its_source_and_the_download_on_its_destination(
    fleet: Fleet,
) -> None:
    data = answered(ask(fleet, fleet.copy, [SLAVE, VM7], path=ESB))

    assert (data["log_type"], data["step_instance_id"]) == (2, fleet.copy.step_instance_id)
    source, destination = data["file_task_logs"]
    assert {k: source[k] for k in SLAVE} == SLAVE
    [upload] = source["file_logs"]
    assert upload["mode"] == 0 and upload["status"] == 4
    assert (upload["src_ip"], upload["src_path"]) == (SLAVE, str(fleet.source))
    assert "dest_ip" not in upload
    assert upload["size"] == "4.001 KB"
    assert (
        f"] FileName: {fleet.source} FileSize: 4.001 KB State: source agent success upload "
        in (upload["log_content"])
    )
    assert upload["log_content"].endswith("Progress: 100% StatusDesc: source agent success "
                                          "upload file Detail: success upload")  # fmt: skip
    assert {k: destination[k] for k in VM7} == VM7
    [download] = destination["file_logs"]
    assert (download["mode"], download["status"], download["size"]) == (1, 4, "4.001 KB")
    assert (download["src_ip"], download["dest_ip"]) == (SLAVE, VM7)
    assert download["dest_path"] == f"{fleet.dest}/1.log"
    assert "State: dest agent success download file" in download["log_content"]
    assert (fleet.dest / "1.log").stat().st_size == SOURCE_BYTES


def test_a_copy_from_the_file_server_has_only_downloads_and_no_source_host(fleet: Fleet) -> None:
    data = answered(ask(fleet, fleet.from_store, [VM7]))

    [download] = data["file_task_logs"][0]["file_logs"]
    assert (download["mode"], download["status"], download["size"]) == (1, 4, "1.5 KB")
    assert (download["src_ip"], download["src_path"]) == ({"bk_cloud_id": 0, "ip": ""}, "fs.txt")
    no_upload = ask(fleet, fleet.from_store, [SLAVE])
    refused(no_upload, 404, 1244002, "ip_list[0]")


def test_both_paths_answer_alike_with_or_without_the_trailing_slash(fleet: Fleet) -> None:
    answers = [
        answered(ask(fleet, fleet.command, [SLAVE], path=path))
        for path in (APIGW, APIGW.rstrip("/"), ESB, ESB.rstrip("/"))
    ]

    assert all(data == answers[0] for data in answers)


def test_openc3s_rows_show_the_ids_bk_job_clients_name(fleet: Fleet) -> None:
    with fleet.gateway.client() as http:
        tasks = http.get("/task/1").json()["data"]
        uuid = next(t["uuid"] for t in tasks if t["id"] == fleet.command.job_instance_id)
        steps = http.get(f"/subtask/1/{uuid}").json()["data"]

    assert [s["id"] for s in steps] == [fleet.command.step_instance_id]
    assert all(t["status"] in FINAL for t in tasks)


def test_an_unknown_instance_step_or_host_is_refused_naming_it(fleet: Fleet) -> None:
    gone = Step(fleet.command.job_instance_id + 1000, fleet.command.step_instance_id)
    elsewhere = Step(fleet.command.job_instance_id, fleet.copy.step_instance_id)

    assert "not found" in refused(ask(fleet, gone, [SLAVE]), 404, 1244006, "job_instance_id")
    refused(ask(fleet, elsewhere, [SLAVE]), 404, 1244007, "step_instance_id")
    stranger = {"bk_cloud_id": 3, "ip": "127.0.0.1"}
    message = refused(ask(fleet, fleet.command, [SLAVE, stranger]), 404, 1244002, "ip_list[1]")
    assert "3:127.0.0.1" in message
    bad = ask(fleet, fleet.command, [{"ip": "vm7"}])
    refused(bad, 400, 1241007, "ip_list[0].ip")
    refused(ask(fleet, fleet.command, [SLAVE], bk_scope_type="biz_set"), 400, 1241007,
            "bk_scope_type")  # fmt: skip


def test_credentials_come_in_bk_jobs_header_and_a_wrong_secret_is_refused(fleet: Fleet) -> None:
    wrong = ask(fleet, fleet.command, [SLAVE], token="not-a-token-" + "x" * 20)
    refused(wrong, 401, 1240005, "X-Bkapi-Authorization")
    body = {
        "bk_app_code": "ci",
        "bk_app_secret": fleet.token,  # ESB's way: not read
        "bk_scope_id": "1",
        "job_instance_id": fleet.command.job_instance_id,
        "step_instance_id": fleet.command.step_instance_id,
        "ip_list": [SLAVE],
    }
    in_body = httpx.post(fleet.gateway.url + ESB, json=body, timeout=30)
    assert "in the body (ESB's way) are not read" in refused(
        in_body, 401, 1240005, "X-Bkapi-Authorization"
    )
    malformed = httpx.post(
        fleet.gateway.url + APIGW,
        json=body,
        headers={"X-Bkapi-Authorization": "bk_app_secret=" + fleet.token},
        timeout=30,
    )
    refused(malformed, 401, 1240005, "X-Bkapi-Authorization")


def test_another_projects_token_cannot_read_the_instance(fleet: Fleet) -> None:
    """The attack: project 2's token asks for project 1's instance, in its own scope (not found,
    as an id that does not exist) and in project 1's (refused)."""
    in_own_scope = ask(fleet, fleet.command, [SLAVE], token=fleet.other, bk_scope_id="2")
    in_victims = ask(fleet, fleet.command, [SLAVE], token=fleet.other)

    refused(in_own_scope, 404, 1244006, "job_instance_id")
    refused(in_victims, 403, 9900403, "bk_scope_id")
    for resp in (in_own_scope, in_victims):
        assert "on the slave" not in resp.text
    assert answered(ask(fleet, fleet.command, [SLAVE]))  # project 1's token reads it
