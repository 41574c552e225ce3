"""The same job operations over the master's typed gRPC services."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Master, Proc
from tests.waiting import wait_until


@pytest.fixture
def master(start_master: Callable[..., Master], start_slave: Callable[..., Proc]) -> Master:
    m = start_master()
    start_slave(m, "s1")
    return m


def step(name: str, script: str, pause: str = "") -> common_pb2.Step:
    return common_pb2.Step(
        name=name,
        pause=pause,
        cmd=common_pb2.CmdStep(
            nodes=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="s1"),
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script=script,
        ),
    )


def test_job_with_a_pause_over_grpc(master: Master) -> None:
    with master.channel() as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        tasks = task_pb2_grpc.TaskServiceStub(channel)
        job = catalog.CreateJob(
            catalog_pb2.CreateJobRequest(
                project_id=1,
                name="g",
                steps=[step("a", "echo a", pause="look"), step("b", "echo b")],
                actor="tester",
            ),
            timeout=10,
        ).job
        task = tasks.SubmitJob(
            task_pb2.SubmitJobRequest(project_id=1, job_uuid=job.uuid), timeout=10
        ).task

        def status() -> int:
            got = tasks.GetTask(task_pb2.GetTaskRequest(uuid=task.uuid), timeout=10).task
            return int(got.status)

        wait_until(lambda: status() == common_pb2.TASK_STATUS_WAITING, what="paused")
        with pytest.raises(grpc.RpcError) as refused:
            tasks.ControlSubtask(
                task_pb2.ControlSubtaskRequest(
                    project_id=1,
                    task_uuid=task.uuid,
                    subtask_uuid=job.steps[0].uuid,
                    control=task_pb2.SUBTASK_CONTROL_FAIL,
                ),
                timeout=10,
            )
        tasks.ControlSubtask(
            task_pb2.ControlSubtaskRequest(
                project_id=1,
                task_uuid=task.uuid,
                subtask_uuid=job.steps[0].uuid,
                control=task_pb2.SUBTASK_CONTROL_NEXT,
            ),
            timeout=10,
        )
        wait_until(lambda: status() == common_pb2.TASK_STATUS_SUCCESS, what="success")

    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert [s.uuid for s in job.steps] == [s.uuid for s in task.subtasks]
