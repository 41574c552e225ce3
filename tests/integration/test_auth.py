"""Who gets in: tokens on every REST route but health and on the Control services over gRPC,
project scope (401 vs 403; another project's rows by id are 404), project 0 (the shared one) a
project like any other, the browser session cookie, tokens shown once and never logged, and the
slaves' join token (the link and the file blobs).

OpenC3's routes answer every refusal HTTP 200 with `stat: false` (its pages read nothing else),
the true status in `X-Jobfleet-Status`: `refused` checks both."""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import grpc
import httpx
import pytest

from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    common_pb2,
    crontab_pb2,
    crontab_pb2_grpc,
    slave_pb2,
    slave_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)
from tests.integration.conftest import (
    Cluster,
    Gateway,
    Master,
    Proc,
    Processes,
    Services,
    credential_file,
)
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import refusal, submit, tasklog, true_status, wait_final
from tests.waiting import wait_until

SAMPLE = [
    ("GET", "/task/1"),
    ("GET", "/task/1/count"),
    ("POST", "/task/1/plugin_cmd"),
    ("GET", "/jobs/1"),
    ("POST", "/jobs/1"),
    ("DELETE", "/scripts/1/3"),
    ("GET", "/nodelist/1"),
    ("GET", "/userlist/1"),
    ("GET", "/fileserver/1"),
    ("POST", "/fileserver/1/upload"),
    ("GET", "/crontab/1"),
    ("GET", "/token/1/info"),
    ("POST", "/token/1"),
    ("POST", "/third/interface/query"),
]


def refused(reply: httpx.Response, status: int) -> str:
    """OpenC3's refusal standing for `status`: HTTP 200, `stat: false`, the status in the
    header, OpenC3's `code: 10000` when unauthenticated; its `info`."""
    assert reply.status_code == 200, reply.text
    info = refusal(reply, status)
    assert (reply.json().get("code") == 10000) == (status == 401), reply.text
    return info


def new_token(http: httpx.Client, project: int, describe: str = "ci") -> dict[str, object]:
    reply = http.post(f"/token/{project}", json={"describe": describe})
    assert reply.status_code == 200, reply.text
    data: dict[str, object] = reply.json()["data"]
    return data


@pytest.fixture
def gateway_only(
    start_master: Callable[..., Master], start_gateway: Callable[..., Gateway]
) -> tuple[Master, Gateway]:
    master = start_master()
    return master, start_gateway(master)


@dataclass(frozen=True)
class Shared:
    """The module's master, slave s1 and gateway, for tests that leave nothing behind that
    another could trip on: project 1's token, project 0's, project 0's job `heal`."""

    master: Master
    gateway: Gateway
    one: str
    zero: str


@pytest.fixture(scope="module")
def shared(module_services: Services) -> Iterator[Shared]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    with gateway.client() as admin:
        one, zero = (str(new_token(admin, project)["token"]) for project in (1, 0))
        create_job(admin, "heal", [cmd("h", "echo healed-in-project-0")], project=0)
    yield Shared(master, gateway, one, zero)


@pytest.mark.parametrize(("method", "path"), SAMPLE)
def test_without_credentials_every_route_is_401(shared: Shared, method: str, path: str) -> None:
    with shared.gateway.client(token="") as http:
        info = refused(http.request(method, path), 401)
        assert info == refused(http.request(method, f"/api/job{path}"), 401)
    assert info.startswith("token: credentials required: ")


def test_health_needs_no_credentials(shared: Shared) -> None:
    with shared.gateway.client(token="") as http:
        assert http.get("/health").status_code == 200


@pytest.mark.parametrize("how", ["authorization", "appkey"])
def test_a_wrong_token_is_401_and_not_echoed(shared: Shared, how: str) -> None:
    gateway = shared.gateway
    wrong = secrets.token_urlsafe(24)
    headers = (
        {"authorization": f"Token {wrong}"}
        if how == "authorization"
        else {"authorization": "", "appname": "ci", "appkey": wrong}
    )
    with gateway.client() as http:
        for method, path in SAMPLE[:5]:
            reply = http.request(method, path, headers=headers)
            info = refused(reply, 401)  # before the gateway's own checks of the (missing) body
            assert info == f"{'Authorization' if how == 'authorization' else how}: unknown token"
            assert wrong not in reply.text


def test_a_project_token_acts_on_its_project_only(gateway_only: tuple[Master, Gateway]) -> None:
    master, gateway = gateway_only
    other = master.create_project()
    with gateway.client() as admin:
        token = str(new_token(admin, 1)["token"])
    with gateway.client(token=token) as http:
        assert true_status(http.get("/task/1")) == 200
        assert true_status(http.get("/nodelist/1")) == 200
        assert true_status(http.get("/token/1/info")) == 200  # lists; minting takes the admin
        for method, path in [
            ("GET", f"/task/{other}"),
            ("GET", f"/nodelist/{other}"),
            ("GET", f"/token/{other}/info"),
        ]:
            assert "project" in refused(http.request(method, path), 403)
    # appname + appkey carry it too
    headers = {"appname": "ci", "appkey": token}
    with httpx.Client(base_url=gateway.url, headers=headers) as http:
        assert true_status(http.get("/jobs/1")) == 200
        refused(http.get(f"/jobs/{other}"), 403)


# --- project 0: the shared project (OpenC3's tree 0), a project like any other


def task_in_project_zero(http: httpx.Client, uuid: str) -> dict[str, object]:
    """The task's row as the BPM pages poll it (`GET /task/0/:uuid`), once it has ended."""

    def ended() -> dict[str, object] | None:
        data: dict[str, object] = http.get(f"/api/job/task/0/{uuid}").json()["data"]
        return data if data["status"] in ("success", "fail") else None

    return wait_until(ended, 60, what=f"task {uuid} of project 0 ended")


def test_project_zero_is_reachable_by_the_admin_and_by_its_own_tokens(shared: Shared) -> None:
    """The self-healing page lists tree 0's jobs (`GET /jobs/0`, #8); the BPM pages run one by
    name there (#30), poll it (#27), read its steps (#51), list (#25) and redo (#28) it."""
    with shared.gateway.client(token=shared.zero) as zero, shared.gateway.client() as admin:
        assert [row["name"] for row in zero.get("/api/job/jobs/0").json()["data"]] == ["heal"]
        ran = zero.post("/api/job/task/0/job/byname", json={"jobname": "heal"}).json()
        assert ran["stat"] is True, ran
        assert task_in_project_zero(zero, ran["uuid"])["status"] == "success"
        steps = zero.get(f"/api/job/subtask/0/{ran['uuid']}").json()["data"]
        assert [step["status"] for step in steps] == ["success"]
        assert "healed-in-project-0" in tasklog(admin, ran["uuid"])["s1"]["log"]
        again = zero.post("/api/job/task/0/redo", json={"taskuuid": ran["uuid"]}).json()
        assert again["stat"] is True, again
        assert task_in_project_zero(zero, again["uuid"])["status"] == "success"
        listed = admin.get("/task/0").json()["data"]
        assert {ran["uuid"], again["uuid"]} <= {row["uuid"] for row in listed}
        # a token of project 0 is no admin: project 1 and minting stay closed to it
        assert refused(zero.get("/task/1"), 403).startswith("projectid: ")
        refused(zero.post("/token/0", json={"describe": "spare"}), 403)


def test_another_projects_token_is_refused_project_zero(shared: Shared) -> None:
    """Attack: a project-1 token naming the shared project. Refused 403 like any other
    project's, by the gateway's first question and by the master on each call (gRPC)."""
    with shared.gateway.client() as admin:
        before = admin.get("/task/0").json()["data"]
    command = {"name": "x", "node_cont": "s1", "scripts_cont": "echo from-project-1"}
    attacks = [
        ("GET", "/task/0", None),
        ("GET", "/api/job/jobs/0", None),
        ("GET", "/task/0/count", None),
        ("POST", "/api/job/task/0/job/byname", {"jobname": "heal"}),
        ("POST", "/task/0/plugin_cmd", command),
        ("DELETE", "/jobs/0/nosuchjob", None),
    ]
    with shared.gateway.client(token=shared.one) as one:
        for method, path, body in attacks:
            reply = one.request(method, path, json=body)
            info = refused(reply, 403)
            assert info == "projectid: this token is for project 1, not 0", (path, info)
            assert "heal" not in reply.text
    with shared.master.channel(token=shared.one) as channel:
        stubs = Stubs.over(channel)
        calls: tuple[Callable[[], object], ...] = (
            lambda: stubs.task.ListTasks(task_pb2.ListTasksRequest(project_id=0), timeout=10),
            lambda: stubs.catalog.ListJobs(catalog_pb2.ListJobsRequest(project_id=0), timeout=10),
        )
        for call in calls:
            with pytest.raises(grpc.RpcError) as denied:
                call()
            assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with shared.gateway.client() as admin:
        assert admin.get("/task/0").json()["data"] == before  # nothing ran there


# --- the browser session cookie: OpenC3's pages send nothing else


def page(shared: Shared, token: str, site: str = "same-origin") -> httpx.Client:
    """A browser page of the site: only its session cookie, no credentials header."""
    headers = {"Cookie": f"theme=dark; sid={token}", "Sec-Fetch-Site": site}
    return httpx.Client(base_url=shared.gateway.url, timeout=30.0, headers=headers)


def test_a_page_sending_only_its_session_cookie_lists_and_uploads(shared: Shared) -> None:
    with page(shared, shared.one) as browser:
        listed = browser.get("/api/job/task/1")
        uploaded = browser.post("/api/job/fileserver/1", files={"file": ("pg.txt", b"page")})
        files = browser.get("/api/job/fileserver/1").json()["data"]

    assert (listed.status_code, true_status(listed), listed.json()["stat"]) == (200, 200, True)
    assert uploaded.json()["stat"] is True, uploaded.text
    assert [f["name"] for f in files].count("pg.txt") == 1
    with page(shared, shared.one, site="cross-site") as elsewhere:  # another site's form
        forged = elsewhere.post("/api/job/fileserver/1", files={"file": ("x.txt", b"forged")})
        assert refused(forged, 403).startswith("sid: a request from another site")
        assert elsewhere.get("/api/job/task/1").json()["stat"] is True  # reading is harmless
    with shared.gateway.client() as admin:
        names = [f["name"] for f in admin.get("/fileserver/1").json()["data"]]
    assert "x.txt" not in names


def test_a_wrong_cookie_goes_to_the_login_and_another_projects_is_refused(
    shared: Shared,
) -> None:
    wrong = secrets.token_urlsafe(24)
    with page(shared, wrong) as browser:
        reply = browser.get("/api/job/task/1")
        assert refused(reply, 401) == "sid: unknown token"  # with `code: 10000`
        assert wrong not in reply.text
    with page(shared, shared.one) as browser:  # project 1's session on the shared project
        assert refused(browser.get("/api/job/jobs/0"), 403).startswith("projectid: ")


def raw_answer(gateway: Gateway, head: str, body: bytes) -> tuple[int, str]:
    """Send a request's head and `body` -- maybe less than its Content-Length says -- on a socket
    of its own, then (sending nothing more) read the answer: (the status it stands for, `info`)
    of an OpenC3 refusal (HTTP 200)."""
    host, port = gateway.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)  # a gateway waiting for the rest of the body times out
            assert chunk, f"connection closed after {answer!r}"
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    head_lines, _, content = rest.partition(b"\r\n\r\n")
    fields = dict(line.split(b": ", 1) for line in head_lines.split(b"\r\n"))
    payload = json.loads(content)
    assert payload["stat"] is False and int(status_line.split()[1]) == 200
    return int(fields[b"x-jobfleet-status"]), str(payload["info"])


def test_a_bad_or_foreign_token_is_refused_before_the_body_is_read(
    gateway_only: tuple[Master, Gateway],
) -> None:
    master, gateway = gateway_only
    other = master.create_project()
    with gateway.client() as admin:
        token = str(new_token(admin, 1)["token"])
    wrong = secrets.token_urlsafe(24)
    deep = b'{"name": "n", "variable": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    attacks = [
        # (credentials header, project, Content-Length, the part of the body sent, status)
        (f"Authorization: Token {wrong}", 1, 500_000, b'{"name": "', 401),
        (f"Authorization: Token {wrong}", 1, 100 << 20, b"", 401),
        (f"appname: x\r\nappkey: {wrong}", 1, 9, b"{not json", 401),
        (f"Authorization: Token {wrong}", 1, len(deep), deep, 401),
        ("X-Nothing: 1", 1, 500_000, b'{"name": "', 401),
        (f"Authorization: Token {token}", other, 500_000, b'{"name": "', 403),
        (f"Authorization: Token {token}", other, 9, b"{not json", 403),
    ]
    for credentials, project, length, sent, status in attacks:
        head = (
            f"POST /task/{project}/plugin_cmd HTTP/1.1\r\nHost: gw\r\n{credentials}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )

        answered, info = raw_answer(gateway, head, sent)

        assert (answered, credentials) == (status, credentials), info
        assert wrong not in info and token not in info
        if status == 403:
            assert info.startswith("projectid: ")
    with gateway.client() as admin:
        for project in (1, other):
            assert admin.get(f"/task/{project}").json()["data"] == []


def test_tokens_are_listed_without_their_secret_and_deleted(
    gateway_only: tuple[Master, Gateway],
) -> None:
    master, gateway = gateway_only
    with gateway.client() as admin:
        created = new_token(admin, 1, "deploys")
        token = str(created["token"])
        assert len(token) == 32 and token.isalnum()
        listed = admin.get("/token/1/info").json()
        assert listed["total"] == 1 and listed["data"][0]["id"] == created["id"]
        assert listed["data"][0]["describe"] == "deploys"
        assert "token" not in listed["data"][0] and token not in str(listed)
        assert admin.get("/token/1/info", params={"token": token}).json()["total"] == 1
        assert admin.get("/token/1/info", params={"token": "b" * 32}).json()["total"] == 0
        chosen = "c" * 32
        reply = admin.post("/token/1", json={"token": chosen, "describe": "mine"})
        assert reply.json()["data"]["token"] == chosen
        refused(admin.post("/token/1", json={"token": chosen}), 409)
        assert "token: " in refused(admin.post("/token/1", json={"token": "short;rm"}), 400)
        assert admin.delete(f"/token/1/{created['id']}").json() == {"stat": True, "data": 1}
        refused(admin.delete(f"/token/1/{created['id']}"), 404)
    with gateway.client(token=token) as http:
        refused(http.get("/task/1"), 401)  # deleted: no longer gets in
    assert token not in master.proc.log.read_text()


def test_token_upload_records_the_token_not_its_secret(
    gateway_only: tuple[Master, Gateway],
) -> None:
    _, gateway = gateway_only
    with gateway.client() as admin:
        created = new_token(admin, 1)
    token = str(created["token"])
    with httpx.Client(base_url=gateway.url, headers={"token": token}) as http:
        reply = http.post("/fileserver/1/upload", files={"f": ("a.txt", b"hi")})
        assert reply.status_code == 200, reply.text
        assert reply.json()["data"][0]["create_user"] == f"token{created['id']}@token"
        assert token not in reply.text
        refused(http.post("/fileserver/1", files={"f": ("b.txt", b"x")}), 401)
    with httpx.Client(base_url=gateway.url, headers={"token": "d" * 32}) as http:
        refused(http.post("/fileserver/1/upload", files={"f": ("a.txt", b"hi")}), 401)


def test_no_token_appears_in_any_log(cluster: Cluster, processes_tmp: Path) -> None:
    with cluster.gateway.client() as admin:
        token = str(new_token(admin, 1)["token"])
    with cluster.gateway.client(token=token) as http:
        http.get("/task/1")
        http.get("/task/99")
    with cluster.gateway.client(token="e" * 32) as http:
        http.get("/task/1")
    logs = list(processes_tmp.glob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text(errors="replace")
        assert cluster.master.token not in text, log
        assert token not in text, log
        assert "e" * 32 not in text, log


@pytest.fixture
def processes_tmp(cluster: Cluster) -> Path:
    return cluster.master.proc.log.parent


def test_grpc_needs_a_token(start_master: Callable[..., Master]) -> None:
    master = start_master()
    with master.channel(token="") as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as missing:
            stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)
        assert missing.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with master.channel(token="f" * 32) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as wrong:
            stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)
        assert wrong.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "f" * 32 not in str(wrong.value.details())
    other = master.create_project()
    with master.channel() as channel:
        made = auth_pb2_grpc.TokenServiceStub(channel).CreateToken(
            auth_pb2.CreateTokenRequest(project_id=1), timeout=10
        )
    with master.channel(token=made.secret) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)
        with pytest.raises(grpc.RpcError) as foreign:
            stub.ListTasks(task_pb2.ListTasksRequest(project_id=other), timeout=10)
        assert foreign.value.code() == grpc.StatusCode.PERMISSION_DENIED
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.RpcError) as admin_only:
            catalog.CreateProject(catalog_pb2.CreateProjectRequest(name="x"), timeout=10)
        assert admin_only.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with master.channel(token="") as channel:  # each call is checked, not the method once
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as after:
            stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)
        assert after.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_master_without_an_admin_token_lets_no_control_call_in(
    start_master: Callable[..., Master],
) -> None:
    master = start_master(env={"JOBFLEET_ADMIN_TOKEN": ""})
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused_call:
            stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=10)
        assert refused_call.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_slaves_need_the_join_token(
    start_master: Callable[..., Master], start_slave: Callable[..., Proc]
) -> None:
    join = secrets.token_urlsafe(16)
    master = start_master(env={"JOBFLEET_JOIN_TOKEN": join})
    start_slave(master, "good", env={"JOBFLEET_JOIN_TOKEN": join})
    stranger = start_slave(
        master, "stranger", env={"JOBFLEET_JOIN_TOKEN": "wrong-token-123"}, wait=False
    )
    anonymous = start_slave(master, "anonymous", env={"JOBFLEET_JOIN_TOKEN": ""}, wait=False)
    wait_until(
        lambda: (
            "enrolment of slave stranger refused: a wrong join token" in master.proc.log.read_text()
            and "enrolment of slave anonymous refused: no join token" in master.proc.log.read_text()
        ),
        30,
        what="refusals logged",
    )
    with master.channel() as channel:
        slaves = (
            catalog_pb2_grpc.CatalogServiceStub(channel)
            .ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=10)
            .slaves
        )
    assert {s.name for s in slaves if s.attached} == {"good"}
    for proc in (master.proc, stranger, anonymous):
        text = proc.log.read_text()
        assert join not in text and "wrong-token-123" not in text


# --- project scope by id: another project's rows are not found, and stay as they were.
# One world of two projects per test; each case of the table is a subtest, checked to leave
# the second project's rows (and its running task) as they were.


@dataclass(frozen=True)
class Other:
    """The second project's rows, made with the admin token."""

    project: int
    task: str
    subtask: str
    execution: int
    job: str
    node: int
    group: int
    account: int
    script: int
    crontab: int
    file: int
    sha256: str
    token: int
    job_of_one: str
    """A job of project 1, for requests that must name a valid one."""


@dataclass(frozen=True)
class Stubs:
    task: task_pb2_grpc.TaskServiceStub
    catalog: catalog_pb2_grpc.CatalogServiceStub
    crontab: crontab_pb2_grpc.CrontabServiceStub
    tokens: auth_pb2_grpc.TokenServiceStub

    @classmethod
    def over(cls, channel: grpc.Channel) -> Stubs:
        return cls(
            task_pb2_grpc.TaskServiceStub(channel),
            catalog_pb2_grpc.CatalogServiceStub(channel),
            crontab_pb2_grpc.CrontabServiceStub(channel),
            auth_pb2_grpc.TokenServiceStub(channel),
        )


@dataclass(frozen=True)
class TwoProjects:
    cluster: Cluster
    token: str
    """A token of project 1."""
    other: Other


B_OUTPUT = "output-of-the-second-project"


def made_id(reply: httpx.Response) -> int:
    assert reply.status_code == 200, reply.text
    return int(reply.json()["data"]["id"])


def make_other(cluster: Cluster) -> Other:
    http, project = cluster.http, cluster.master.create_project()
    job = create_job(http, "b-job", [cmd("b", "echo b")], project=project)
    task = submit(http, f"echo {B_OUTPUT}; sleep 60", project=project)
    node = made_id(http.post(f"/nodelist/{project}", json={"name": "b-web", "inip": "10.9.9.9"}))
    body = {"name": "b-group", "plugin": "list", "params": "b-web"}
    group = made_id(http.post(f"/nodegroup/{project}", json=body))
    account = made_id(http.post(f"/userlist/{project}", json={"username": "bdeploy"}))
    body = {"name": "b-script", "type": "shell", "cont": "echo b-script"}
    script = made_id(http.post(f"/scripts/{project}", json=body))
    body = {"name": "b-cron", "jobuuid": job, "cron": "0 0 1 1 *"}
    crontab = int(http.post(f"/crontab/{project}", json=body).json()["data"]["id"])
    # created unavailable: started, so that an attack stopping it would show
    started = http.post(f"/crontab/{project}/{crontab}/status", json={"status": "available"})
    assert started.status_code == 200, started.text
    reply = http.post(f"/fileserver/{project}", files={"f": ("b.txt", b"b-file-bytes")})
    assert reply.status_code == 200, reply.text
    token = int(str(new_token(http, project, "b-token")["id"]))
    with cluster.master.channel() as channel:
        admin = Stubs.over(channel)
        admin.catalog.SaveVariable(
            catalog_pb2.SaveVariableRequest(project_id=project, job_uuid=job, name="v", value="1"),
            timeout=10,
        )
        ask_files = catalog_pb2.ListFilesRequest(project_id=project)
        stored = admin.catalog.ListFiles(ask_files, timeout=10).files
        found = admin.task.GetTask(task_pb2.GetTaskRequest(uuid=task), timeout=10).task
    wait_until(lambda: B_OUTPUT in log_of(cluster.master, found.executions[0].id), 30)
    return Other(
        project,
        task,
        found.subtasks[0].uuid,
        found.executions[0].id,
        job,
        node,
        group,
        account,
        script,
        crontab,
        stored[0].id,
        stored[0].sha256,
        token,
        create_job(http, "a-job", [cmd("a", "echo a")]),
    )


def log_of(master: Master, execution: int) -> str:
    with master.channel() as channel:
        ask = task_pb2.ReadLogRequest(execution_id=execution)
        return str(task_pb2_grpc.TaskServiceStub(channel).ReadLog(ask, timeout=10).data.decode())


def assert_untouched(master: Master, b: Other) -> None:
    """Every row of the second project is there as made; its task still runs."""
    with master.channel() as channel:
        admin = Stubs.over(channel)
        task = admin.task.GetTask(task_pb2.GetTaskRequest(uuid=b.task), timeout=10).task
        assert task.status == common_pb2.TASK_STATUS_RUNNING, task
        assert task.executions[0].status == common_pb2.EXECUTION_STATUS_RUNNING
        assert B_OUTPUT in log_of(master, b.execution)
        p, cat = b.project, admin.catalog
        job = cat.GetJob(catalog_pb2.GetJobRequest(project_id=p, uuid=b.job), timeout=10).job
        assert job.name == "b-job" and [s.name for s in job.steps] == ["b"]
        ask_vars = catalog_pb2.ListVariablesRequest(project_id=p, job_uuid=b.job)
        variables = cat.ListVariables(ask_vars, timeout=10).variables
        assert [(v.name, v.value) for v in variables] == [("v", "1")]
        ask_script = catalog_pb2.GetScriptRequest(project_id=p, id=b.script)
        script = cat.GetScript(ask_script, timeout=10).script
        assert (script.name, script.content) == ("b-script", "echo b-script")
        nodes = cat.ListNodes(catalog_pb2.ListNodesRequest(project_id=p), timeout=10).nodes
        assert [(n.id, n.name) for n in nodes] == [(b.node, "b-web")]
        ask_group = catalog_pb2.GetNodeGroupRequest(project_id=p, id=b.group)
        group = cat.GetNodeGroup(ask_group, timeout=10).group
        assert (group.name, group.params) == ("b-group", "b-web")
        ask_accounts = catalog_pb2.ListAccountsRequest(project_id=p)
        accounts = cat.ListAccounts(ask_accounts, timeout=10).accounts
        assert [(a.id, a.username) for a in accounts] == [(b.account, "bdeploy")]
        files = cat.ListFiles(catalog_pb2.ListFilesRequest(project_id=p), timeout=10).files
        assert [(f.id, f.name) for f in files] == [(b.file, "b.txt")]
        ask_cron = crontab_pb2.GetCrontabRequest(project_id=p, id=b.crontab)
        cron = admin.crontab.GetCrontab(ask_cron, timeout=10).crontab
        assert (cron.name, cron.cron) == ("b-cron", "0 0 1 1 *")
        assert cron.status == crontab_pb2.CRONTAB_STATUS_AVAILABLE
        ask_tokens = auth_pb2.ListTokensRequest(project_id=p)
        assert [t.id for t in admin.tokens.ListTokens(ask_tokens, timeout=10).tokens] == [b.token]


@pytest.fixture
def two_projects(cluster: Cluster) -> Iterator[TwoProjects]:
    other = make_other(cluster)
    token = str(new_token(cluster.http, 1, "project one")["token"])
    yield TwoProjects(cluster, token, other)
    reply = cluster.http.delete(f"/slave/s1/killtask/{other.task}")  # not left to teardown
    assert reply.status_code == 200, reply.text


STEP = common_pb2.Step(
    name="x",
    cmd=common_pb2.CmdStep(
        nodes=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="s1"),
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script="id",
    ),
)
"""A valid step in either project (s1 is a slave)."""
NOT_FOUND = grpc.StatusCode.NOT_FOUND
DENIED = grpc.StatusCode.PERMISSION_DENIED
GrpcCall = Callable[[Stubs, Other], object]

GRPC_CASES: list[tuple[str, GrpcCall, grpc.StatusCode]] = [
    (
        "ReadLog",
        lambda s, b: s.task.ReadLog(task_pb2.ReadLogRequest(execution_id=b.execution)),
        NOT_FOUND,
    ),
    (
        "ReadLog-naming-the-project",
        lambda s, b: s.task.ReadLog(
            task_pb2.ReadLogRequest(execution_id=b.execution, project_id=b.project)
        ),
        DENIED,
    ),
    (
        "FollowTask",
        lambda s, b: list(s.task.FollowTask(task_pb2.FollowTaskRequest(uuid=b.task))),
        NOT_FOUND,
    ),
    ("GetTask", lambda s, b: s.task.GetTask(task_pb2.GetTaskRequest(uuid=b.task)), NOT_FOUND),
    ("KillTask", lambda s, b: s.task.KillTask(task_pb2.KillTaskRequest(uuid=b.task)), NOT_FOUND),
    (
        "ControlSubtask",
        lambda s, b: s.task.ControlSubtask(
            task_pb2.ControlSubtaskRequest(
                task_uuid=b.task,
                subtask_uuid=b.subtask,
                control=task_pb2.SUBTASK_CONTROL_FAIL,
            )
        ),
        NOT_FOUND,
    ),
    ("RedoTask", lambda s, b: s.task.RedoTask(task_pb2.RedoTaskRequest(uuid=b.task)), NOT_FOUND),
    (
        "SubmitJob",
        lambda s, b: s.task.SubmitJob(task_pb2.SubmitJobRequest(project_id=1, job_uuid=b.job)),
        NOT_FOUND,
    ),
    (
        "DryRun",
        lambda s, b: s.task.DryRun(
            task_pb2.DryRunRequest(job=task_pb2.SubmitJobRequest(job_uuid=b.job))
        ),
        NOT_FOUND,
    ),
    (
        "DryRun-naming-the-project",
        lambda s, b: s.task.DryRun(
            task_pb2.DryRunRequest(
                job=task_pb2.SubmitJobRequest(project_id=b.project, job_uuid=b.job)
            )
        ),
        DENIED,
    ),
    ("GetJob", lambda s, b: s.catalog.GetJob(catalog_pb2.GetJobRequest(uuid=b.job)), NOT_FOUND),
    (
        "UpdateJob",
        lambda s, b: s.catalog.UpdateJob(
            catalog_pb2.UpdateJobRequest(project_id=1, uuid=b.job, name="taken", steps=[STEP])
        ),
        NOT_FOUND,
    ),
    (
        "DeleteJob",
        lambda s, b: s.catalog.DeleteJob(catalog_pb2.DeleteJobRequest(uuid=b.job)),
        NOT_FOUND,
    ),
    (
        "SaveVariable",
        lambda s, b: s.catalog.SaveVariable(
            catalog_pb2.SaveVariableRequest(job_uuid=b.job, name="v", value="2")
        ),
        NOT_FOUND,
    ),
    (
        "DeleteVariable",
        lambda s, b: s.catalog.DeleteVariable(
            catalog_pb2.DeleteVariableRequest(job_uuid=b.job, name="v")
        ),
        NOT_FOUND,
    ),
    (
        "ListVariables",
        lambda s, b: s.catalog.ListVariables(catalog_pb2.ListVariablesRequest(job_uuid=b.job)),
        NOT_FOUND,
    ),
    (
        "GetScript",
        lambda s, b: s.catalog.GetScript(catalog_pb2.GetScriptRequest(id=b.script)),
        NOT_FOUND,
    ),
    (
        "UpdateScript",
        lambda s, b: s.catalog.UpdateScript(
            catalog_pb2.UpdateScriptRequest(
                id=b.script, name="x", type=common_pb2.SCRIPT_TYPE_SHELL, content="id"
            )
        ),
        NOT_FOUND,
    ),
    (
        "DeleteScript",
        lambda s, b: s.catalog.DeleteScript(catalog_pb2.DeleteScriptRequest(id=b.script)),
        NOT_FOUND,
    ),
    (
        "DeleteNode",
        lambda s, b: s.catalog.DeleteNode(catalog_pb2.DeleteNodeRequest(id=b.node)),
        NOT_FOUND,
    ),
    (
        "GetNodeGroup",
        lambda s, b: s.catalog.GetNodeGroup(catalog_pb2.GetNodeGroupRequest(id=b.group)),
        NOT_FOUND,
    ),
    (
        "UpdateNodeGroup",
        lambda s, b: s.catalog.UpdateNodeGroup(
            catalog_pb2.UpdateNodeGroupRequest(id=b.group, name="x", params="s1")
        ),
        NOT_FOUND,
    ),
    (
        "DeleteNodeGroup",
        lambda s, b: s.catalog.DeleteNodeGroup(catalog_pb2.DeleteNodeGroupRequest(id=b.group)),
        NOT_FOUND,
    ),
    (
        "ResolveNodeGroup",
        lambda s, b: s.catalog.ResolveNodeGroup(catalog_pb2.ResolveNodeGroupRequest(id=b.group)),
        NOT_FOUND,
    ),
    (
        "DeleteAccount",
        lambda s, b: s.catalog.DeleteAccount(catalog_pb2.DeleteAccountRequest(id=b.account)),
        NOT_FOUND,
    ),
    (
        "DeleteFile",
        lambda s, b: s.catalog.DeleteFile(catalog_pb2.DeleteFileRequest(id=b.file)),
        NOT_FOUND,
    ),
    (
        "GetCrontab",
        lambda s, b: s.crontab.GetCrontab(crontab_pb2.GetCrontabRequest(id=b.crontab)),
        NOT_FOUND,
    ),
    (
        "UpdateCrontab",
        lambda s, b: s.crontab.UpdateCrontab(
            crontab_pb2.UpdateCrontabRequest(
                id=b.crontab, name="x", job_uuid=b.job_of_one, cron="* * * * *"
            )
        ),
        NOT_FOUND,
    ),
    (
        "SetCrontabStatus",
        lambda s, b: s.crontab.SetCrontabStatus(
            crontab_pb2.SetCrontabStatusRequest(
                id=b.crontab, status=crontab_pb2.CRONTAB_STATUS_UNAVAILABLE
            )
        ),
        NOT_FOUND,
    ),
    (
        "DeleteCrontab",
        lambda s, b: s.crontab.DeleteCrontab(crontab_pb2.DeleteCrontabRequest(id=b.crontab)),
        NOT_FOUND,
    ),
    (
        "DeleteToken",  # only the admin deletes tokens, of any project
        lambda s, b: s.tokens.DeleteToken(auth_pb2.DeleteTokenRequest(id=b.token)),
        DENIED,
    ),
]


def test_another_projects_rows_by_id_are_refused_over_grpc(
    two_projects: TwoProjects, subtests: pytest.Subtests
) -> None:
    master, b = two_projects.cluster.master, two_projects.other
    with master.channel(token=two_projects.token) as channel:
        stubs = Stubs.over(channel)
        for name, call, code in GRPC_CASES:
            with subtests.test(msg=name):
                with pytest.raises(grpc.RpcError) as refused_call:
                    call(stubs, b)
                assert refused_call.value.code() == code, refused_call.value.details()
                assert B_OUTPUT not in str(refused_call.value.details())
                assert_untouched(master, b)


RestCall = Callable[[httpx.Client, Other], httpx.Response]

REST_CASES: list[tuple[str, RestCall, int]] = [
    ("tasklog", lambda h, b: h.get(f"/slave/s1/tasklog/{b.task}"), 404),
    ("killtask", lambda h, b: h.delete(f"/slave/s1/killtask/{b.task}"), 404),
    ("subtasks", lambda h, b: h.get(f"/subtask/1/{b.task}"), 404),
    (
        "subtask-control",
        lambda h, b: h.post(
            "/subtask/1", json={"taskuuid": b.task, "subtaskuuid": b.subtask, "control": "fail"}
        ),
        404,
    ),
    ("redo", lambda h, b: h.post("/task/1/redo", json={"taskuuid": b.task}), 404),
    ("third-query", lambda h, b: h.post("/third/interface/query", json={"uuid": b.task}), 404),
    ("third-stop", lambda h, b: h.post("/third/interface/stop", json={"uuid": b.task}), 404),
    (
        "third-dry-run",
        lambda h, b: h.post(
            "/third/interface/dry-run",
            json={"project_id": b.project, "params": {"jobname": "b-job"}},
        ),
        403,
    ),
    ("job-get", lambda h, b: h.get(f"/jobs/1/{b.job}"), 404),
    ("job-delete", lambda h, b: h.delete(f"/jobs/1/{b.job}"), 404),
    ("variables", lambda h, b: h.get(f"/variable/1/{b.job}"), 404),
    ("node-delete", lambda h, b: h.delete(f"/nodelist/1/{b.node}"), 404),
    (
        "group-update",
        lambda h, b: h.post(f"/nodegroup/1/{b.group}", json={"name": "x", "params": "s1"}),
        404,
    ),
    ("group-delete", lambda h, b: h.delete(f"/nodegroup/1/{b.group}"), 404),
    ("account-delete", lambda h, b: h.delete(f"/userlist/1/{b.account}"), 404),
    ("script-get", lambda h, b: h.get(f"/scripts/1/{b.script}"), 404),
    ("script-delete", lambda h, b: h.delete(f"/scripts/1/{b.script}"), 404),
    ("crontab-get", lambda h, b: h.get(f"/crontab/1/{b.crontab}"), 404),
    (
        "crontab-status",
        lambda h, b: h.post(f"/crontab/1/{b.crontab}/status", json={"status": "unavailable"}),
        404,
    ),
    ("crontab-delete", lambda h, b: h.delete(f"/crontab/1/{b.crontab}"), 404),
    ("file-delete", lambda h, b: h.delete(f"/fileserver/1/{b.file}"), 404),
    ("token-delete", lambda h, b: h.delete(f"/token/1/{b.token}"), 403),  # the admin's
    ("node-delete-naming-the-project", lambda h, b: h.delete(f"/nodelist/{b.project}/1"), 403),
]


def test_another_projects_rows_by_id_are_refused_over_rest(
    two_projects: TwoProjects, subtests: pytest.Subtests
) -> None:
    cluster, b = two_projects.cluster, two_projects.other
    with cluster.gateway.client(token=two_projects.token) as http:
        for name, call, status in REST_CASES:
            with subtests.test(msg=name):
                reply = call(http, b)
                refused(reply, status)
                assert B_OUTPUT not in reply.text
                assert_untouched(cluster.master, b)
        with subtests.test(msg="task"):  # an unknown task is `norun` on this route
            reply = http.get(f"/task/1/{b.task}")
            assert reply.json() == {"stat": True, "data": {"status": "norun"}}
            assert_untouched(cluster.master, b)


def test_file_blobs_take_a_slaves_own_credential_for_its_own_copies(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    processes: Processes,
    tmp_path: Path,
) -> None:
    master = start_master()
    start_slave(master, "s1")
    source, target = tmp_path / "src.txt", tmp_path / "dst" / "src.txt"
    source.write_bytes(b"copied through the master")
    with start_gateway(master).client() as admin:
        token = str(new_token(admin, 1)["token"])
        body = {"name": "copy", "src_type": "builtin", "src": "s1", "sp": str(source)}
        body |= {"dst_type": "builtin", "dst": "s1", "dp": str(target), "timeout": "60"}
        uuid = admin.post("/task/1/plugin_scp", json=body).json()["uuid"]
        assert wait_final(admin, uuid)["status"] == "success"  # the slave's blobs got through
    assert target.read_bytes() == b"copied through the master"
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    ask = slave_pb2.DownloadBlobRequest(sha256=digest)
    credential = credential_file(processes, "s1").read_text().strip()
    as_slave = (("authorization", f"Token {credential}"), ("jobfleet-slave", "s1"))
    refused: list[tuple[tuple[str, str], ...]] = [
        (("authorization", f"Token {t}"),) for t in (token, master.join_token)
    ]
    refused += [(), (as_slave[0], ("jobfleet-slave", "s2")), as_slave]  # its copy is over
    with master.channel(token="") as channel:
        files = slave_pb2_grpc.FileServiceStub(channel)
        for metadata in refused:
            with pytest.raises(grpc.RpcError) as download:
                list(files.DownloadBlob(ask, metadata=metadata, timeout=10))
            assert download.value.code() == grpc.StatusCode.PERMISSION_DENIED
            upload = iter([slave_pb2.UploadBlobRequest(data=b"x", last=True)])
            with pytest.raises(grpc.RpcError) as stored:
                files.UploadBlob(upload, metadata=metadata, timeout=10)
            assert stored.value.code() == grpc.StatusCode.PERMISSION_DENIED
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.RpcError) as control:
            catalog.ListSlaves(catalog_pb2.ListSlavesRequest(), metadata=as_slave, timeout=10)
        assert control.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with master.channel() as channel:  # the admin's tools read any blob
        got = slave_pb2_grpc.FileServiceStub(channel).DownloadBlob(ask, timeout=10)
        assert b"".join(r.data for r in got) == b"copied through the master"
    assert credential not in master.proc.log.read_text()


def test_a_project_token_can_neither_mint_nor_delete_tokens(
    gateway_only: tuple[Master, Gateway],
) -> None:
    master, gateway = gateway_only
    project = master.create_project()
    with gateway.client() as admin:
        owners, leaked = new_token(admin, project, "owners"), new_token(admin, project, "leaked")
    spare = "s" * 32
    with gateway.client(token=str(leaked["token"])) as http:
        # a spare before its own revocation, and the owners locked out: both refused
        assert "admin" in refused(http.post(f"/token/{project}", json={"token": spare}), 403)
        refused(http.post(f"/token/{project}", json={"describe": "spare"}), 403)
        refused(http.delete(f"/token/{project}/{owners['id']}"), 403)
        refused(http.delete(f"/token/{project}/{leaked['id']}"), 403)
        listed = http.get(f"/token/{project}/info").json()["data"]
        made = cast(list[int], [owners["id"], leaked["id"]])  # ids are numbers
        assert sorted(t["id"] for t in listed) == sorted(made)
    with master.channel(token=str(leaked["token"])) as channel:
        stub = auth_pb2_grpc.TokenServiceStub(channel)
        calls: tuple[Callable[[], object], ...] = (
            lambda: stub.CreateToken(auth_pb2.CreateTokenRequest(project_id=project), timeout=10),
            lambda: stub.DeleteToken(auth_pb2.DeleteTokenRequest(id=int(str(owners["id"])))),
        )
        for call in calls:
            with pytest.raises(grpc.RpcError) as minted:
                call()
            assert minted.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with gateway.client() as admin:  # the owners revoke the leaked token: it is gone for good
        assert admin.delete(f"/token/{project}/{leaked['id']}").json()["stat"] is True
        assert [t["id"] for t in admin.get(f"/token/{project}/info").json()["data"]] == [
            owners["id"]
        ]
    for token, status in ((leaked["token"], 401), (spare, 401), (owners["token"], 200)):
        with gateway.client(token=str(token)) as http:
            assert true_status(http.get(f"/task/{project}")) == status


def invoke(http: httpx.Client, project: int, uuid: str) -> httpx.Response:
    body = {"project_id": project, "uuid": uuid, "params": {"jobname": "same"}}
    return http.post("/third/interface/invoke", json=body)


def test_task_uuids_are_a_namespace_per_project(cluster: Cluster) -> None:
    master, gateway = cluster.master, cluster.gateway
    b = master.create_project()
    for project in (1, b):
        create_job(cluster.http, "same", [cmd("s", f"echo project-{project}")], project=project)
    a_token, b_token = (str(new_token(cluster.http, p)["token"]) for p in (1, b))
    with gateway.client(token=a_token) as a, gateway.client(token=b_token) as other:
        # the same caller-chosen uuid works in both projects, each its own task
        assert true_status(invoke(a, 1, "Shared1")) == 200
        assert true_status(invoke(other, b, "Shared1")) == 200
        for http, project in ((a, 1), (other, b)):
            wait_until(lambda: f"project-{project}" in tasklog(http, "Shared1")["s1"]["log"], 30)
        # A's uuid is no business of B's: unknown to it, and free for it to use
        body = {"jobname": "same", "uuid": "Aonly1"}
        assert true_status(a.post("/task/1/job/byname", json=body)) == 200
        refused(other.post("/third/interface/query", json={"uuid": "Aonly1"}), 404)
        refused(other.get("/slave/s1/tasklog/Aonly1"), 404)
        assert true_status(other.post(f"/task/{b}/job/byname", json=body)) == 200  # was 409
        wait_final(a, "Aonly1")
        assert "project-1" in tasklog(a, "Aonly1")["s1"]["log"]  # A's task is still A's
    with master.channel() as channel:  # the admin naming no project: the uuid is ambiguous
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as ambiguous:
            stub.GetTask(task_pb2.GetTaskRequest(uuid="Shared1"), timeout=10)
        assert ambiguous.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        ask = task_pb2.GetTaskRequest(project_id=b, uuid="Shared1")
        assert stub.GetTask(ask, timeout=10).task.project_id == b
