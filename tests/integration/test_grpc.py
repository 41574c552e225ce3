"""The master's typed gRPC services: submit, follow live, health, reflection, error codes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Master, Proc


@pytest.fixture
def master(start_master: Callable[..., Master], start_slave: Callable[..., Proc]) -> Master:
    m = start_master()
    start_slave(m, "s1")
    return m


def command(script: str, **fields: Any) -> task_pb2.SubmitCommandRequest:
    base: dict[str, Any] = {
        "project_id": 1,
        "name": "grpc",
        "submitter": "tester",
        "nodes": ["s1"],
        "script_type": common_pb2.SCRIPT_TYPE_SHELL,
    }
    return task_pb2.SubmitCommandRequest(script=script, **{**base, **fields})


def test_follow_streams_output_live_until_the_end(master: Master) -> None:
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        task = stub.SubmitCommand(command("echo first; sleep 1.5; echo second"), timeout=10).task
        arrivals: list[tuple[float, bytes]] = []
        final = None
        for msg in stub.FollowTask(task_pb2.FollowTaskRequest(uuid=task.uuid), timeout=30):
            if msg.WhichOneof("body") == "output":
                arrivals.append((time.monotonic(), msg.output.data))
            elif msg.WhichOneof("body") == "task":
                final = (time.monotonic(), msg.task)

    assert final is not None and final[1].status == common_pb2.TASK_STATUS_SUCCESS
    assert b"".join(d for _, d in arrivals) == b"first\nsecond\n"
    first_at = next(t for t, d in arrivals if d.startswith(b"first"))
    assert final[0] - first_at > 1.0, "the first line came only at the end, not live"


def test_bad_request_is_invalid_argument_naming_the_field(master: Master) -> None:
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as err:
            stub.SubmitCommand(command("echo x", nodes=["ghost"]), timeout=10)
        listed = stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)

    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "nodes" in err.value.details() and "ghost" in err.value.details()
    assert ("jobfleet-field", "nodes") in tuple(err.value.trailing_metadata())
    assert listed.total == 0


def test_unknown_task_and_project_are_not_found(master: Master) -> None:
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        with pytest.raises(grpc.RpcError) as task_err:
            stub.GetTask(task_pb2.GetTaskRequest(uuid="nope"), timeout=10)
        with pytest.raises(grpc.RpcError) as project_err:
            stub.SubmitCommand(command("true", project_id=77), timeout=10)

    assert task_err.value.code() == grpc.StatusCode.NOT_FOUND
    assert project_err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "project_id" in project_err.value.details()


def test_health_and_reflection_are_served(master: Master) -> None:
    with master.channel() as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="jobfleet.v1.TaskService"), timeout=10
        )
        answers = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10
        )
        services = {s.name for a in answers for s in a.list_services_response.service}

    assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert {"jobfleet.v1.TaskService", "jobfleet.v1.SlaveLink", "grpc.health.v1.Health"} <= services
