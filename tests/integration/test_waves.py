"""Step conditions and rolling waves through real processes: OpenC3's pages save a job and run
it with the run's context in its variables; the step whose condition does not hold is skipped
(status "" on the subtask view), a submission without the context is refused naming the field;
a step in waves of 2 over 5 nodes runs wave after wave, and a node failing in a wave stops the
step for a decision with the later waves not started, `ignore` going on with them.

One master, one slave `s1` and one gateway are shared by the module; n1..n5 are names for the
one test sshd (the cheapest five machines the fixtures give), `down` a node whose SSH port is
closed (it fails at once).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Services
from tests.integration.jobs import cmd, control, create_job, run_job, subtasks
from tests.integration.rest import refusal, wait_final
from tests.sshd import SshServer
from tests.waiting import wait_until

NODES = ["n1", "n2", "n3", "n4", "n5"]
SLOW = "sleep 0.3"


@dataclass
class Rollout:
    http: httpx.Client
    tasks: task_pb2_grpc.TaskServiceStub
    user: str

    def step(self, name: str, script: str, nodes: str = "n1", **extra: Any) -> dict[str, Any]:
        return cmd(name, script, nodes, user=self.user, **extra)

    def task(self, uuid: str) -> common_pb2.Task:
        found: common_pb2.Task = self.tasks.GetTask(
            task_pb2.GetTaskRequest(uuid=uuid), timeout=10
        ).task
        return found

    def until(self, uuid: str, status: int) -> common_pb2.Task:
        def reached() -> common_pb2.Task | None:
            task = self.task(uuid)
            return task if task.status == status else None

        return wait_until(reached, 60, what=f"task {uuid} status {status}")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def rollout(module_services: Services, sshd: SshServer) -> Iterator[Rollout]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    with master.channel() as channel, gateway.client() as http:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        for name in NODES:
            node = catalog_pb2.CreateNodeRequest(
                project_id=1, name=name, inip=sshd.host, ssh_port=sshd.port
            )
            catalog.CreateNode(node, timeout=10)
        down = catalog_pb2.CreateNodeRequest(
            project_id=1, name="down", inip="127.0.0.1", ssh_port=closed_port()
        )
        catalog.CreateNode(down, timeout=10)
        account = catalog_pb2.CreateAccountRequest(
            project_id=1, username=sshd.user, private_key=sshd.client_key.value
        )
        catalog.CreateAccount(account, timeout=10)
        yield Rollout(http, task_pb2_grpc.TaskServiceStub(channel), sshd.user)


def test_a_test_only_step_is_skipped_online_run_in_test_and_refused_without_context(
    rollout: Rollout,
) -> None:
    http = rollout.http
    steps = [rollout.step("always", "true"), rollout.step("test only", "true", deployenv="test")]
    job = create_job(http, "conditional", steps)

    online_job = task_pb2.SubmitJobRequest(
        project_id=1, job_uuid=job, variables={"_deployenv_": "online"}
    )
    dry = rollout.tasks.DryRun(task_pb2.DryRunRequest(job=online_job), timeout=10)
    online = wait_final(http, run_job(http, job, {"_deployenv_": "online"}))
    in_test = wait_final(http, run_job(http, job, {"_deployenv_": "test"}))
    missing = http.post("/task/1/job", json={"jobuuid": job, "variable": {}})
    bad_plan = http.post(
        "/jobs/1", json={"name": "bad", "data": [rollout.step("w", "true", batches="150%")]}
    )

    assert [s.skip_reason for s in dry.steps] == ["", "deployenv test, this run online"]
    assert online["status"] == in_test["status"] == "success"
    assert [s["status"] for s in subtasks(http, online["uuid"])] == ["success", ""]
    assert [s["status"] for s in subtasks(http, in_test["uuid"])] == ["success", "success"]
    assert len(rollout.task(online["uuid"]).executions) == 1  # the skipped step ran nowhere
    assert "_deployenv_" in refusal(missing, 400, "data[1].deployenv")
    refusal(bad_plan, 400, "data[0].batches")


def test_waves_of_two_over_five_nodes_run_one_after_another(rollout: Rollout) -> None:
    http = rollout.http
    steps = [
        rollout.step("roll", SLOW, ",".join(NODES), batches="2"),
        rollout.step("after", "true"),
    ]
    job = create_job(http, "rolling", steps)

    done = rollout.until(run_job(http, job), common_pb2.TASK_STATUS_SUCCESS)

    first = done.subtasks[0].uuid
    rolled = [e for e in sorted(done.executions, key=lambda e: e.id) if e.subtask_uuid == first]
    assert [e.node for e in rolled] == NODES
    waves = [rolled[0:2], rolled[2:4], rolled[4:5]]
    for before, after in zip(waves, waves[1:]):
        last_end = max(e.finished_at.ToNanoseconds() for e in before)
        first_start = min(e.started_at.ToNanoseconds() for e in after)
        assert first_start >= last_end, (before, after)


def test_a_failed_wave_waits_for_a_decision_and_ignore_goes_on(rollout: Rollout) -> None:
    http = rollout.http
    nodes = "n1,down,n3,n4,n5"
    job = create_job(http, "rolling down", [rollout.step("roll", "true", nodes, batches="2")])
    uuid = run_job(http, job)

    stopped = rollout.until(uuid, common_pb2.TASK_STATUS_DECISION)
    [step] = subtasks(http, uuid)
    answer = control(http, uuid, step, "ignore")
    done = rollout.until(uuid, common_pb2.TASK_STATUS_SUCCESS)

    assert sorted(e.node for e in stopped.executions) == ["down", "n1"]  # later waves not started
    assert stopped.subtasks[0].status == common_pb2.SUBTASK_STATUS_DECISION
    assert answer.json()["stat"] is True, answer.text
    assert [e.node for e in sorted(done.executions, key=lambda e: e.id)] == nodes.split(",")
    assert done.subtasks[0].status == common_pb2.SUBTASK_STATUS_IGNORE
    assert subtasks(http, uuid)[0]["status"] == "ignore"
