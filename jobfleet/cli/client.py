"""Talking to the master over gRPC: wait for a slave, submit a command, follow it live."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TextIO

import grpc

from jobfleet.followed import MAX_RESUMES, Relayed
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc

STATUS_WORD = {v: k.removeprefix("TASK_STATUS_").lower() for k, v in common_pb2.TaskStatus.items()}
EXEC_WORD = {
    v: k.removeprefix("EXECUTION_STATUS_").lower() for k, v in common_pb2.ExecutionStatus.items()
}


def wait_for_slave(channel: grpc.Channel, name: str, timeout: float = 30.0) -> None:
    stub = catalog_pb2_grpc.CatalogServiceStub(channel)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        slaves = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=5).slaves
        if any(s.name == name and s.attached for s in slaves):
            return
        time.sleep(0.1)
    raise TimeoutError(f"slave {name} did not attach within {timeout:g} s")


def follow(channel: grpc.Channel, uuid: str, out: TextIO = sys.stdout) -> common_pb2.Task:
    """Print each node's output as it arrives, prefixed with the node; return the final task."""
    stub = task_pb2_grpc.TaskServiceStub(channel)
    partial: dict[int, str] = {}
    final = common_pb2.Task()
    for msg in replies(stub, task_pb2.FollowTaskRequest(uuid=uuid)):
        kind = msg.WhichOneof("body")
        if kind == "output":
            text = partial.pop(msg.output.execution_id, "") + msg.output.data.decode(
                "utf-8", "replace"
            )
            *lines, rest = text.split("\n")
            for line in lines:
                print(f"[{msg.output.node}] {line}", file=out, flush=True)
            if rest:
                partial[msg.output.execution_id] = rest
        elif kind == "execution":
            e = msg.execution
            if e.status not in (
                common_pb2.EXECUTION_STATUS_PENDING,
                common_pb2.EXECUTION_STATUS_RUNNING,
            ):
                rest = partial.pop(e.id, "")
                if rest:
                    print(f"[{e.node}] {rest}", file=out, flush=True)
                reason = f" ({e.reason})" if e.reason else ""
                print(
                    f"[{e.node}] -- {EXEC_WORD[e.status]}, exit code {e.exit_code}{reason}",
                    file=out,
                    flush=True,
                )
        elif kind == "task":
            final = msg.task
    return final


def replies(
    stub: task_pb2_grpc.TaskServiceStub, ask: task_pb2.FollowTaskRequest
) -> Iterator[task_pb2.FollowTaskResponse]:
    """FollowTask's replies, the stream opened again when its master dies (UNAVAILABLE: with
    several masters the channel has moved to another), nothing handed on twice."""
    relayed = Relayed()
    resumes = 0
    while True:
        relayed.new_stream()
        try:
            for reply in stub.FollowTask(ask):
                fresh = relayed.fresh(reply)
                if fresh is not None:
                    yield fresh
            return
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE or resumes >= MAX_RESUMES:
                raise
            resumes += 1
