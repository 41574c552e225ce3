"""The store as an operator lives with it: a master restarted on its database sees its data, an
older schema is upgraded with its data kept (both backends), and a master rides out a PostgreSQL
restart (PostgreSQL only: run under `scripts/pg run`, as scripts/test does)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import grpc
import httpx
import peewee
import pytest
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from master.db.connection import open_database
from master.db.schema import MIGRATIONS_DIR
from tests import pg
from tests.integration.conftest import Cluster, Databases, Gateway, Master, Proc, wait_attached
from tests.integration.rest import refusal, submit, task, tasklog, true_status, wait_final
from tests.waiting import wait_until

LEGACY_LOG = [b"old line 1\n", b"old line 2\n"]


def run_ok(http: httpx.Client, script: str) -> tuple[str, str]:
    """Submit a command on s1 and wait for it: (uuid, its output)."""
    uuid = submit(http, script)
    assert wait_final(http, uuid)["status"] == "success"
    return uuid, tasklog(http, uuid)["s1"]["log"]


def projects(master: Master) -> dict[str, int]:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        listed = stub.ListProjects(catalog_pb2.ListProjectsRequest(), timeout=10).projects
    return {p.name: p.id for p in listed}


def create_project(master: Master, name: str) -> int:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        request = catalog_pb2.CreateProjectRequest(name=name)
        return int(stub.CreateProject(request, timeout=10).project.id)


def test_a_master_restarted_on_its_database_sees_its_data(
    cluster: Cluster, start_master: Callable[..., Master]
) -> None:
    uuid, log = run_ok(cluster.http, "echo kept; echo twice")
    second = create_project(cluster.master, "second")
    assert cluster.master.proc.stop() == 0

    again = start_master("--listen", cluster.master.addr, data_dir=cluster.master.data_dir)
    after = task(cluster.http, uuid)

    assert after["status"] == "success" and log == "kept\ntwice\n"
    assert tasklog(cluster.http, uuid)["s1"]["log"] == log
    assert projects(again)["second"] == second == 2
    assert create_project(again, "third") == 3
    wait_attached(again, "s1")
    assert run_ok(cluster.http, "echo new")[1] == "new\n"


@dataclass
class Legacy:
    """A master started on a database that migration 0001 created and the first release filled."""

    master: Master
    url: str
    uuid: str
    execution_id: int


@pytest.fixture
def legacy(tmp_path: Path, databases: Databases, start_master: Callable[..., Master]) -> Legacy:
    data = tmp_path / "legacy"
    url = databases.url_for(data)
    uuid, execution_id = write_first_schema_data(url)
    return Legacy(start_master(data_dir=data), url, uuid, execution_id)


def test_an_upgrade_from_the_first_schema_keeps_the_data(
    legacy: Legacy, start_slave: Callable[..., Proc], start_gateway: Callable[..., Gateway]
) -> None:
    status = subprocess.run(
        [sys.executable, "-m", "master", "--db", legacy.url, "db", "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    with legacy.master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        listed = stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10).tasks
        log = stub.ReadLog(task_pb2.ReadLogRequest(execution_id=legacy.execution_id), timeout=10)

    assert [(t.uuid, t.name, t.status) for t in listed] == [
        (legacy.uuid, "legacy", common_pb2.TASK_STATUS_SUCCESS)
    ]
    assert log.data == b"".join(LEGACY_LOG) and log.complete
    assert projects(legacy.master) == {"global": 0, "default": 1, "legacy": 2}  # 0: upgraded
    assert create_project(legacy.master, "after-upgrade") == 3
    names = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert status.returncode == 0 and f"schema version {names[-1]}" in status.stdout, status
    assert f"({len(names)} of {len(names)} migrations applied)" in status.stdout
    start_slave(legacy.master, "s1")
    with start_gateway(legacy.master).client() as http:
        assert run_ok(http, "echo upgraded")[1] == "upgraded\n"


def test_a_task_of_the_first_schema_shows_in_full(legacy: Legacy) -> None:
    with legacy.master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        request = task_pb2.GetTaskRequest(project_id=1, uuid=legacy.uuid)
        old = stub.GetTask(request, timeout=10).task

    assert old.status == common_pb2.TASK_STATUS_SUCCESS and old.name == "legacy"
    assert [(e.id, e.node, e.exit_code, e.log_bytes) for e in old.executions] == [
        (legacy.execution_id, "old1", 0, sum(map(len, LEGACY_LOG)))
    ]


def write_first_schema_data(url: str) -> tuple[str, int]:
    """A database at migration 0001 holding a finished task with output: (uuid, execution id)."""
    database = open_database(url, pool_size=1)
    try:
        Runner(database, str(MIGRATIONS_DIR)).up(target="0001_initial")
        models = first_schema_models(database)
        with database.atomic():
            return insert_legacy_task(models)
    finally:
        cast(PooledDatabase, database).close_all()


def first_schema_models(database: peewee.Database) -> dict[str, Any]:
    """The tables as migration 0001 froze them."""
    first = Runner(database, str(MIGRATIONS_DIR)).migrations()[0].load()
    return {m.__name__: m for m in first._models(database)}


def insert_legacy_task(m: dict[str, Any]) -> tuple[str, int]:
    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    m["Project"].create(name="legacy")
    task = m["Task"].create(
        uuid="0" * 31 + "1", project=1, name="legacy", status="success",
        created_at=when, started_at=when, finished_at=when,
    )  # fmt: skip
    step = {
        "name": "legacy", "user": "", "nodes": ["old1"], "script_type": "shell",
        "script": "echo old", "args": [], "timeout_s": 60,
    }  # fmt: skip
    subtask = m["Subtask"].create(
        task=task, position=0, uuid="0" * 31 + "2", spec=json.dumps(step), status="success"
    )
    execution = m["Execution"].create(
        task=task, subtask=subtask, node="old1", slave="old1", status="success", exit_code=0,
        chunk_count=len(LEGACY_LOG), log_bytes=sum(map(len, LEGACY_LOG)),
        started_at=when, finished_at=when,
    )  # fmt: skip
    for seq, data in enumerate(LEGACY_LOG):
        m["LogChunk"].create(execution=execution, seq=seq, data=data)
    return str(task.uuid), int(execution.id)


@pytest.fixture
def postgresql(databases: Databases) -> None:
    if databases.backend != "postgresql":
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")


@pytest.mark.usefixtures("postgresql")
def test_a_master_rides_out_a_postgresql_outage(cluster: Cluster) -> None:
    http = cluster.http
    before, _ = run_ok(http, "echo before")

    pg.cluster("halt")
    try:
        write = http.post("/task/1/plugin_cmd", json=command("echo during"))
        code = grpc_list_tasks(cluster.master)
        log = cluster.master.proc.log
        wait_until(  # the master's own background work (the sweep) meets the outage too
            lambda: log.read_text().count("WARNING master.db.connection: ") > 3, 20, what="a sweep"
        )
        # a task polled within the last second (viewcache.FRESH_FOR) is answered from the
        # master's memory; after that, its read meets the outage
        reads: list[httpx.Response] = []

        def refused() -> bool:
            reads.append(http.get(f"/task/1/{before}"))
            return true_status(reads[-1]) == 503

        wait_until(refused, 10, what="a read of the database")
        read = reads[-1]
    finally:
        pg.cluster("start")

    refusal(read, 503)
    refusal(write, 503, "unavailable")
    assert code == grpc.StatusCode.UNAVAILABLE
    wait_until(lambda: true_status(http.get(f"/task/1/{before}")) == 200, 30, what="reads again")
    assert run_ok(http, "echo after")[1] == "after\n"
    assert cluster.master.proc.popen.poll() is None


@pytest.mark.usefixtures("postgresql")
def test_the_first_request_after_a_postgresql_restart_succeeds(cluster: Cluster) -> None:
    before, _ = run_ok(cluster.http, "echo before")
    for _ in range(3):  # every pooled connection has been used, so each one is now stale
        task(cluster.http, before)

    pg.cluster("restart")
    first = cluster.http.get(f"/task/1/{before}")

    assert true_status(first) == 200 and first.json()["data"]["status"] == "success", first.text
    assert run_ok(cluster.http, "echo after")[1] == "after\n"


def command(script: str) -> dict[str, str]:
    return {
        "name": "during",
        "node_type": "builtin",
        "node_cont": "s1",
        "scripts_type": "shell",
        "scripts_cont": script,
    }


def grpc_list_tasks(master: Master) -> grpc.StatusCode:
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        try:
            stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)
        except grpc.RpcError as exc:
            code: grpc.StatusCode = exc.code()
            return code
    return grpc.StatusCode.OK
