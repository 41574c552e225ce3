"""A task's run options acted on by real processes (gRPC, as OpsGrat's launch fields reach the
master): `forks` bounds how many executions of a step run at once, and a kill ends those still
queued without ever sending them; `check` is a dry run that touches no machine and says what
would run.

One master and one slave `s1` are shared by the module; five nodes n1..n5 are names for the
one test sshd (the cheapest five machines the fixtures give), logged into as its account.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Master, Services
from tests.sshd import SshServer
from tests.waiting import wait_until

NODES = ["n1", "n2", "n3", "n4", "n5"]
FINAL = {common_pb2.TASK_STATUS_SUCCESS, common_pb2.TASK_STATUS_FAIL, common_pb2.TASK_STATUS_KILLED}
SENT = {common_pb2.EXECUTION_STATUS_PENDING, common_pb2.EXECUTION_STATUS_RUNNING}


@dataclass
class Fleet:
    tasks: task_pb2_grpc.TaskServiceStub
    user: str
    key: str

    def command(
        self, script: str, nodes: list[str], forks: int = 0, check: bool = False
    ) -> common_pb2.Task:
        ask = task_pb2.SubmitCommandRequest(
            project_id=1,
            name="window",
            user=self.user,
            nodes=nodes,
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script=script,
            timeout_seconds=120,
            options=common_pb2.RunOptions(forks=forks, check=check),
        )
        task: common_pb2.Task = self.tasks.SubmitCommand(ask, timeout=30).task
        return task

    def get(self, task_uuid: str) -> common_pb2.Task:
        ask = task_pb2.GetTaskRequest(uuid=task_uuid)
        task: common_pb2.Task = self.tasks.GetTask(ask, timeout=10).task
        return task

    def final(self, task_uuid: str, timeout: float = 60) -> common_pb2.Task:
        def ended() -> common_pb2.Task | None:
            task = self.get(task_uuid)
            return task if task.status in FINAL else None

        return wait_until(ended, timeout, what=f"task {task_uuid} ended")

    def log(self, execution_id: int) -> str:
        ask = task_pb2.ReadLogRequest(execution_id=execution_id)
        data: bytes = self.tasks.ReadLog(ask, timeout=10).data
        return data.decode()


@pytest.fixture(scope="module")
def fleet(module_services: Services, sshd: SshServer) -> Iterator[Fleet]:
    master: Master = module_services.start_master()
    module_services.start_slave(master, "s1")
    key = sshd.client_key.value
    with master.channel() as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        for name in NODES:
            ask = catalog_pb2.CreateNodeRequest(
                project_id=1, name=name, inip=sshd.host, ssh_port=sshd.port
            )
            catalog.CreateNode(ask, timeout=10)
        account = catalog_pb2.CreateAccountRequest(
            project_id=1, username=sshd.user, private_key=key
        )
        catalog.CreateAccount(account, timeout=10)
        yield Fleet(task_pb2_grpc.TaskServiceStub(channel), sshd.user, key)


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most spans (start, end) overlapping at any instant."""
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    running = peak = 0
    for _, step in events:  # at a tie an end (-1) sorts before a start
        running += step
        peak = max(peak, running)
    return peak


def test_forks_two_over_five_nodes_never_runs_more_than_two_at_once(fleet: Fleet) -> None:
    script = 'echo "start $(date +%s.%N)"; sleep 0.5; echo "end $(date +%s.%N)"'

    submitted = fleet.command(script, NODES, forks=2)
    done = fleet.final(submitted.uuid)

    runs = sorted(done.executions, key=lambda e: e.id)
    printed = [fleet.log(e.id).split() for e in runs]
    spans = [(float(words[1]), float(words[3])) for words in printed]
    recorded = [
        (e.started_at.ToNanoseconds() / 1e9, e.finished_at.ToNanoseconds() / 1e9) for e in runs
    ]
    assert done.status == common_pb2.TASK_STATUS_SUCCESS, done.reason
    assert [e.node for e in runs] == NODES
    assert sum(e.status in SENT for e in submitted.executions) == 2  # the rest queued
    assert [e.status for e in submitted.executions].count(common_pb2.EXECUTION_STATUS_QUEUED) == 3
    assert most_at_once(spans) == 2, spans
    assert most_at_once(recorded) == 2, recorded
    starts = sorted(s for s, _ in spans)
    assert starts[2] >= min(e for _, e in spans)  # the third waited for one to end
    assert (done.options.forks, done.options.check) == (2, False)


def test_a_dry_run_touches_nothing_and_says_what_would_run(fleet: Fleet) -> None:
    marker = Path(f"/tmp/jobfleet-check-{uuid.uuid4().hex}")
    where = Path(f"/tmp/jobfleet-check-dir-{uuid.uuid4().hex}")

    ran = fleet.final(fleet.command(f"touch {marker}", ["n1"], check=True).uuid)
    scp = common_pb2.ScpStep(
        user=fleet.user,
        src=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="n1"),
        src_path="/etc/hostname",
        dst=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="n2,n3"),
        dst_path=f"{where}/",
        chmod="0600",
    )
    ask = task_pb2.SubmitCopyRequest(
        project_id=1, name="dry copy", scp=scp, options=common_pb2.RunOptions(check=True)
    )
    copied = fleet.final(fleet.tasks.SubmitCopy(ask, timeout=30).task.uuid)

    [run] = ran.executions
    said = fleet.log(run.id)
    assert ran.status == common_pb2.TASK_STATUS_SUCCESS, ran.reason
    assert not marker.exists()
    assert ran.options.check
    assert run.status == common_pb2.EXECUTION_STATUS_SUCCESS
    for line in (f"touch {marker}", "on n1", f"account: {fleet.user}", "interpreter: bash"):
        assert line in said, said
    assert "nothing was sent to any machine" in said
    assert fleet.key.strip().splitlines()[1] not in said  # no secret in the output

    assert copied.status == common_pb2.TASK_STATUS_SUCCESS, copied.reason
    assert not where.exists()
    fetch, _, place = sorted(copied.executions, key=lambda e: e.id)
    assert [e.node for e in (fetch, place)] == ["n1", "n3"]
    assert "copy this from n1" in fleet.log(fetch.id)
    placed = fleet.log(place.id)
    for line in ("source: n1:/etc/hostname", f"destination: n3:{where}/", "mode: 0600"):
        assert line in placed, placed


def test_a_dry_run_of_a_copy_from_the_file_server_checks_the_file_is_there(fleet: Fleet) -> None:
    before = fleet.tasks.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10).total
    scp = common_pb2.ScpStep(
        user=fleet.user,
        src=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_FILESERVER),
        src_path="never-uploaded.tgz",
        dst=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="n1"),
        dst_path="/tmp/",
    )
    ask = task_pb2.SubmitCopyRequest(
        project_id=1, name="dry copy", scp=scp, options=common_pb2.RunOptions(check=True)
    )

    with pytest.raises(grpc.RpcError) as err:
        fleet.tasks.SubmitCopy(ask, timeout=30)

    after = fleet.tasks.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10).total
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "scp.src_path" in err.value.details()
    assert after == before


def test_a_kill_ends_queued_executions_killed_and_never_sends_them(fleet: Fleet) -> None:
    ran = Path(f"/tmp/jobfleet-window-{uuid.uuid4().hex}")
    submitted = fleet.command(f"echo $$ >> {ran}; echo up; sleep 60", NODES[:3], forks=1)

    def first_running() -> bool:
        rows = fleet.get(submitted.uuid).executions
        return rows[0].status == common_pb2.EXECUTION_STATUS_RUNNING and fleet.log(rows[0].id) != ""

    wait_until(first_running, 30, what="the first execution running")
    fleet.tasks.KillTask(task_pb2.KillTaskRequest(uuid=submitted.uuid, reason="halt"), timeout=10)
    done = fleet.final(submitted.uuid)

    try:
        started = ran.read_text().split()
    finally:
        ran.unlink(missing_ok=True)
    rows = sorted(done.executions, key=lambda e: e.id)
    assert done.status == common_pb2.TASK_STATUS_KILLED
    assert [(e.node, e.status) for e in rows] == [
        ("n1", common_pb2.EXECUTION_STATUS_KILLED),
        ("n2", common_pb2.EXECUTION_STATUS_KILLED),
        ("n3", common_pb2.EXECUTION_STATUS_KILLED),
    ]
    assert len(started) == 1  # only n1 ever ran
    assert [(e.HasField("started_at"), e.log_bytes, e.reason) for e in rows[1:]] == [
        (False, 0, "halt"),
        (False, 0, "halt"),
    ]


def test_a_bound_out_of_range_is_refused_naming_it_and_writes_nothing(fleet: Fleet) -> None:
    before = fleet.tasks.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10).total

    codes = []
    for forks in (-1, 10001):
        with pytest.raises(grpc.RpcError) as err:
            fleet.command("true", ["n1"], forks=forks)
        codes.append((err.value.code(), "options.forks" in err.value.details()))

    after = fleet.tasks.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10).total
    assert codes == [(grpc.StatusCode.INVALID_ARGUMENT, True)] * 2
    assert after == before
