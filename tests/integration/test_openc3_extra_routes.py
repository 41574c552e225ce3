"""The routes OpenC3's own pages and scripts call beyond its document, called as they call them
and read as they read them: jobs by name (flow pages, `c3mc-job-dump`), the file page's uploads
and downloads, the job edit page's variable calls, the quick-entry sendfile page.

And the attacks on them: another project's token, a download link without credentials or with
a key forged or carried to another project, a `../` path to remove.

One master, gateway and slave `s1` (this machine, serving project 1 only) for the module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Gateway, Services
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import refusal

A, B = 1, 2


@dataclass
class World:
    gateway: Gateway
    admin: httpx.Client
    a: httpx.Client
    """Project A's token: what A's pages and scripts send."""
    a_token: str
    a_token_id: int
    b: httpx.Client
    """Project B's token."""


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1", "--projects", str(A))
    gateway = module_services.start_gateway(master)
    assert master.create_project("b") == B
    with gateway.client() as admin:
        a_made = ok(admin.post(f"/token/{A}", json={"describe": "a"}))
        b_made = ok(admin.post(f"/token/{B}", json={"describe": "b"}))
        a_token = str(a_made["token"])
        with gateway.client(a_token) as a, gateway.client(str(b_made["token"])) as b:
            yield World(gateway, admin, a, a_token, int(a_made["id"]), b)


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["stat"] is True, body
    return body.get("data")


def job_by_name(http: httpx.Client, name: str, project: int = A) -> dict[str, Any]:
    data: dict[str, Any] = ok(http.get(f"/jobs/{project}/byname", params={"name": name}))
    return data


def variables(http: httpx.Client, job_uuid: str, project: int = A) -> dict[str, str]:
    return {v["name"]: v["value"] for v in ok(http.get(f"/variable/{project}/{job_uuid}"))}


def flow_job(http: httpx.Client, name: str) -> str:
    """A flow's job as OpenC3 keeps one: two steps on the machines of `$ip`, a variable,
    monitor settings."""
    on_ip = {"nodes": "ip", "node_type": "variable"}
    steps = [cmd("build", "make", **on_ip), cmd("ship", "./ship ${version}", **on_ip)]
    uuid = create_job(http, name, steps)
    saved = {"jobuuid": uuid, "data": [{"name": "version", "value": "1.0", "describe": "v"}]}
    ok(http.post(f"/variable/{A}/update", json=saved))
    ok(http.post(f"/variable/{A}/update_mon", json={"jobuuid": uuid, "mon_ids": "7", "status": 1}))
    return uuid


# --- jobs by name


def test_a_flows_job_is_read_copied_and_deleted_by_name(world: World) -> None:
    uuid = flow_job(world.a, "_ci_7_")

    # c3mc-job-dump: appname/appkey headers, reads data.uuid; the flow page reads data.data
    url = world.gateway.url
    with httpx.Client(base_url=url, headers={"appname": "job", "appkey": world.a_token}) as cli:
        dumped = job_by_name(cli, "_ci_7_")
    assert dumped["uuid"] == uuid
    assert [(s["name"], s["scripts_cont"]) for s in dumped["data"]] == [
        ("build", "make"),
        ("ship", "./ship ${version}"),
    ]
    assert job_by_name(world.a, "_ci_8_") == {}  # a flow without a job: no steps, no refusal

    ok(world.a.post(f"/jobs/{A}/copy/byname", json={"fromname": "_ci_7_", "toname": "_ci_9_"}))
    copy = job_by_name(world.a, "_ci_9_")
    assert [s["name"] for s in copy["data"]] == ["build", "ship"]
    assert {s["uuid"] for s in copy["data"]}.isdisjoint(s["uuid"] for s in dumped["data"])
    assert variables(world.a, copy["uuid"]) == {"ip": "", "version": "1.0"}
    assert (copy["mon_ids"], copy["mon_status"]) == ("7", 1)

    # copyProjectToTemplate / ByTemplate: between projects, the admin's session
    copied = {"fromname": "_ci_7_", "toname": "_ci_70_", "toprojectid": B}
    ok(world.admin.post(f"/jobs/{A}/copy/byname", json=copied))
    assert variables(world.b, job_by_name(world.b, "_ci_70_", B)["uuid"], B) == {
        "ip": "",
        "version": "1.0",
    }
    back = {"fromname": "_ci_70_", "toname": "_ci_71_", "fromprojectid": B}
    ok(world.admin.post(f"/jobs/{A}/copy/byname", json=back))
    assert job_by_name(world.a, "_ci_71_")["data"]
    create_job(world.a, "on s1", [cmd("here", "true", nodes="s1")])
    elsewhere = {"fromname": "on s1", "toname": "on s1", "toprojectid": B}
    resp = world.admin.post(f"/jobs/{A}/copy/byname", json=elsewhere)
    refusal(resp, 400, "data[0].node_cont")  # s1 is no machine of B's
    assert job_by_name(world.b, "on s1", B) == {}

    taken = {"fromname": "_ci_7_", "toname": "_ci_9_"}
    refusal(world.a.post(f"/jobs/{A}/copy/byname", json=taken), 409, "toname")
    missing = {"fromname": "_ci_404_", "toname": "_ci_405_"}  # a flow without a job
    assert ok(world.a.post(f"/jobs/{A}/copy/byname", json=missing)) == {}
    assert job_by_name(world.a, "_ci_405_") == {}

    assert ok(world.a.delete(f"/jobs/{A}/_ci_9_/byname")) == 1
    assert job_by_name(world.a, "_ci_9_") == {}
    assert ok(world.a.delete(f"/jobs/{A}/_ci_9_/byname")) == 0  # the flow page deletes anyway


def test_a_project_token_copies_reads_and_deletes_only_its_own_projects_jobs(
    world: World,
) -> None:
    flow_job(world.a, "_ci_20_")
    before = ok(world.b.get(f"/jobs/{B}/count"))

    for body, field in [
        ({"fromname": "_ci_20_", "toname": "stolen", "fromprojectid": A}, "fromprojectid"),
        ({"fromname": "_ci_20_", "toname": "stolen", "fromprojectid": 0}, "fromprojectid"),
        ({"fromname": "mine", "toname": "planted", "toprojectid": A}, "toprojectid"),
    ]:
        refusal(world.b.post(f"/jobs/{B}/copy/byname", json=body), 403, field)
    refusal(
        world.b.post(f"/jobs/{A}/copy/byname", json={"fromname": "_ci_20_", "toname": "x"}), 403
    )
    assert job_by_name(world.b, "_ci_20_", B) == {}  # A's job is no job of B's
    assert ok(world.b.delete(f"/jobs/{B}/_ci_20_/byname")) == 0
    refusal(world.b.delete(f"/jobs/{A}/_ci_20_/byname"), 403)

    assert ok(world.b.get(f"/jobs/{B}/count")) == before
    assert job_by_name(world.a, "_ci_20_")["name"] == "_ci_20_"


# --- the file page


def test_the_file_page_uploads_and_opens_a_download_and_the_token_curl_line_uploads(
    world: World,
) -> None:
    content = b"release 1.2\n" * 1000
    ok(world.a.post(f"/uploadv2/fileserver/{A}", files={"file": ("rel 1.2.tar.gz", content)}))
    listed = {row["name"]: row for row in ok(world.a.get(f"/fileserver/{A}"))}
    assert listed["rel 1.2.tar.gz"]["size"] == len(content)

    link = world.a.get(f"/fileserver/{A}/download", params={"name": "rel 1.2.tar.gz"})
    opened = world.a.get("/download/" + ok(link))  # the page: window.open(".../download/" + data)
    assert opened.status_code == 200 and opened.content == content
    assert opened.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''rel%201.2.tar.gz" in opened.headers["content-disposition"]

    # the token page's curl lines: `-H 'token: ...'`, and the strict one with ?checkmd5=
    url = f"/uploadv2/fileserver/{A}/upload"
    with httpx.Client(base_url=world.gateway.url, headers={"token": world.a_token}) as curl:
        made = ok(curl.post(url, files={"file": ("ci.txt", b"built\n")}))
        assert made[0]["create_user"] == f"token{world.a_token_id}@token"
        right = hashlib.md5(b"strict\n").hexdigest()
        ok(curl.post(url, params={"checkmd5": right}, files={"file": ("strict.txt", b"strict\n")}))
        wrong = {"checkmd5": hashlib.md5(b"other").hexdigest()}
        resp = curl.post(url, params=wrong, files={"file": ("bent.txt", b"strict\n")})
        refusal(resp, 400, "checkmd5")
    names = {row["name"] for row in ok(world.a.get(f"/fileserver/{A}"))}
    assert {"ci.txt", "strict.txt"} <= names and "bent.txt" not in names


def test_a_download_key_is_no_way_around_credentials_nor_into_another_project(
    world: World,
) -> None:
    ok(world.a.post(f"/fileserver/{A}", files={"file": ("secret.txt", b"a's secret\n")}))
    ok(world.b.post(f"/fileserver/{B}", files={"file": ("mine.txt", b"b's file\n")}))
    data = ok(world.a.get(f"/fileserver/{A}/download", params={"name": "secret.txt"}))
    _, key = data.split("/")
    b_data = ok(world.b.get(f"/fileserver/{B}/download", params={"name": "mine.txt"}))
    b_id, b_expires, b_mac = b_data.split("/")[1].split(".")
    a_id = key.split(".")[0]

    with httpx.Client(base_url=world.gateway.url) as anonymous:
        refusal(anonymous.get(f"/download/{A}/{key}"), 401)
    refusal(world.b.get(f"/download/{A}/{key}"), 403)
    refusal(world.b.get(f"/download/{B}/{key}"), 404, "key")  # A's key in B's project
    refusal(world.b.get(f"/download/{B}/{a_id}.{b_expires}.{b_mac}"), 404, "key")
    forged = f"{b_id}.{int(b_expires) + 86400}.{b_mac}"  # B's own key, made to last a day more
    refusal(world.b.get(f"/download/{B}/{forged}"), 404, "key")
    assert world.a.get(f"/download/{A}/{key}").content == b"a's secret\n"

    ok(world.a.post(f"/fileserver/{A}", files={"file": ("secret.txt", b"rotated\n")}))
    refusal(world.a.get(f"/download/{A}/{key}"), 404, "key")  # the key was for other bytes


# --- the job edit page and the small-application page


def test_the_job_edit_pages_variable_token_monitor_and_delete_by_id(world: World) -> None:
    uuid = flow_job(world.a, "edit me")
    job = ok(world.a.get(f"/jobs/{A}/{uuid}"))
    extra = [{"name": "_authorization_", "value": "x", "describe": "app"}]
    ok(world.a.post(f"/variable/{A}/update", json={"jobuuid": uuid, "data": extra}))

    token = ok(world.admin.get(f"/variable/{A}/{uuid}/token", params={"name": "version"}))
    assert len(token) == 64 and token == token.lower()
    again = ok(world.admin.get(f"/variable/{A}/{uuid}/token", params={"name": "version"}))
    other = ok(world.admin.get(f"/variable/{A}/{uuid}/token", params={"name": "_authorization_"}))
    assert again == token != other
    resp = world.a.get(f"/variable/{A}/{uuid}/token", params={"name": "version"})
    refusal(resp, 403, "admin")  # a standing credential: the admin's to mint
    resp = world.admin.get(f"/variable/{A}/{uuid}/token", params={"name": "nope"})
    refusal(resp, 404, "name")

    saved = ok(world.a.post(f"/variable/{A}/update_mon", json={"jobuuid": uuid, "mon_ids": "3,4"}))
    assert (saved["mon_ids"], saved["mon_status"]) == ("3,4", 0)
    ok(world.a.post(f"/variable/{A}/update_mon", json={"jobuuid": uuid, "status": True}))
    assert ok(world.a.get(f"/jobs/{A}/{uuid}"))["mon_status"] == 1
    bad = {"jobuuid": uuid, "mon_ids": "3;reboot"}
    refusal(world.a.post(f"/variable/{A}/update_mon", json=bad), 400, "mon_ids")

    # B's token names A's job by its row id: nothing of A's is touched
    by_id = f"/variable/byid/{job['id']}"
    assert ok(world.b.delete(by_id, params={"name": "version"})) == 0
    assert variables(world.a, uuid) == {"ip": "", "version": "1.0", "_authorization_": "x"}
    assert ok(world.a.delete(by_id, params={"name": "_authorization_"})) == 1
    assert ok(world.a.delete(by_id, params={"name": "_authorization_"})) == 0
    assert variables(world.a, uuid) == {"ip": "", "version": "1.0"}
    refusal(world.a.delete(by_id, params={"name": "a;b"}), 400, "name")


# --- the quick-entry sendfile page


@pytest.fixture
def box(tmp_path: Path) -> Path:
    """A directory on s1 (this machine): a file, a directory, a link; a victim beside it."""
    root = tmp_path / "box"
    (root / "sub").mkdir(parents=True)
    (root / "old.log").write_text("old\n")
    (root / "ln").symlink_to(root / "old.log")
    (tmp_path / "victim").write_text("keep me\n")
    return root


def sendfile(http: httpx.Client, act: str, path: str, project: int = A) -> httpx.Response:
    query = {"sudo": "root", "path": f"s1{path}"}
    if act == "list":
        return http.get(f"/sendfile/list/{project}", params=query)
    return http.post(f"/sendfile/unlink/{project}", params=query)


def test_the_sendfile_page_lists_a_machines_directory_and_removes_a_file(
    world: World, box: Path
) -> None:
    rows = ok(sendfile(world.a, "list", str(box)))
    assert rows[0] == {"type": "parent", "info": "..", "path": ".."}
    kinds = {row["path"]: row["type"] for row in rows[1:] if row["path"]}
    assert kinds == {"old.log": "file", "sub": "dir", "ln": "link"}
    assert all(row["host"] == "s1" for row in rows[1:])

    removed = ok(sendfile(world.a, "unlink", f"{box}/old.log"))
    assert removed["path"] == f"{box}/old.log" and not (box / "old.log").exists()
    info = refusal(sendfile(world.a, "list", f"{box}/gone"), 400, "path")
    assert "No such file" in info
    refusal(sendfile(world.a, "unlink", f"{box}/sub"), 400, "path")  # rm takes no directory
    assert (box / "sub").is_dir()


def test_sendfile_takes_no_dot_dot_and_no_other_projects_machine(world: World, box: Path) -> None:
    victim = box.parent / "victim"
    tasks_before = ok(world.admin.get(f"/task/{A}", params={"name": "rm "}))

    for path in (f"{box}/sub/../../victim", f"{box}/./../victim"):
        refusal(sendfile(world.a, "unlink", path), 400, "path")
    refusal(sendfile(world.b, "unlink", str(victim)), 403)  # A's page with B's token
    refusal(sendfile(world.b, "unlink", str(victim), B), 400, "path")  # s1 is no machine of B's
    refusal(sendfile(world.b, "list", str(box), B), 400, "path")

    assert victim.read_text() == "keep me\n"
    assert ok(world.admin.get(f"/task/{A}", params={"name": "rm "})) == tasks_before
