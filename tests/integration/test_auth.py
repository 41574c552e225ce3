"""Who gets in: tokens on every REST route but health and on the Control services over gRPC,
project scope (401 vs 403), tokens shown once and never logged, and the slaves' join token."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
import pytest
from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)

from tests.integration.conftest import Cluster, Gateway, Master, Proc
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
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["stat"] is False and body["info"]
    return str(body["info"])


def new_token(http: httpx.Client, project: int, describe: str = "ci") -> dict[str, object]:
    reply = http.post(f"/token/{project}", json={"describe": describe})
    assert reply.status_code == 200, reply.text
    data: dict[str, object] = reply.json()["data"]
    return data


def second_project(master: Master) -> int:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        ask = catalog_pb2.CreateProjectRequest(name="second")
        return int(stub.CreateProject(ask, timeout=10).project.id)


@pytest.fixture
def gateway_only(
    start_master: Callable[..., Master], start_gateway: Callable[..., Gateway]
) -> tuple[Master, Gateway]:
    master = start_master()
    return master, start_gateway(master)


@pytest.mark.parametrize(("method", "path"), SAMPLE)
def test_without_credentials_every_route_is_401(
    gateway_only: tuple[Master, Gateway], method: str, path: str
) -> None:
    _, gateway = gateway_only
    with gateway.client(token="") as http:
        info = refused(http.request(method, path), 401)
    assert info.startswith("token: ")


def test_health_needs_no_credentials(gateway_only: tuple[Master, Gateway]) -> None:
    _, gateway = gateway_only
    with gateway.client(token="") as http:
        assert http.get("/health").status_code == 200


@pytest.mark.parametrize("how", ["authorization", "appkey"])
def test_a_wrong_token_is_401_and_not_echoed(
    gateway_only: tuple[Master, Gateway], how: str
) -> None:
    _, gateway = gateway_only
    wrong = secrets.token_urlsafe(24)
    headers = (
        {"authorization": f"Token {wrong}"}
        if how == "authorization"
        else {"authorization": "", "appname": "ci", "appkey": wrong}
    )
    with gateway.client() as http:
        for method, path in SAMPLE[:5]:
            reply = http.request(method, path, headers=headers)
            if reply.status_code == 400:  # the gateway's own syntax checks come first
                continue
            refused(reply, 401)
            assert wrong not in reply.text


def test_a_project_token_acts_on_its_project_only(gateway_only: tuple[Master, Gateway]) -> None:
    master, gateway = gateway_only
    other = second_project(master)
    with gateway.client() as admin:
        token = str(new_token(admin, 1)["token"])
    with gateway.client(token=token) as http:
        assert http.get("/task/1").status_code == 200
        assert http.get("/nodelist/1").status_code == 200
        assert http.post("/token/1", json={}).status_code == 200
        for method, path in [
            ("GET", f"/task/{other}"),
            ("GET", f"/nodelist/{other}"),
            ("GET", f"/token/{other}/info"),
            ("POST", f"/token/{other}"),
        ]:
            assert "project" in refused(http.request(method, path), 403)
    # appname + appkey carry it too
    headers = {"appname": "ci", "appkey": token}
    with httpx.Client(base_url=gateway.url, headers=headers) as http:
        assert http.get("/jobs/1").status_code == 200
        refused(http.get(f"/jobs/{other}"), 403)


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
    other = second_project(master)
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
    anonymous = start_slave(master, "anonymous", wait=False)
    wait_until(
        lambda: (
            "slave 'stranger' refused: a wrong join token" in master.proc.log.read_text()
            and "slave 'anonymous' refused: no join token" in master.proc.log.read_text()
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
