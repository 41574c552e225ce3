"""A follow stream resumed on another master hands on only what the client has not had."""

from __future__ import annotations

from gateway.follow import Relayed
from jobfleet.v1 import common_pb2, task_pb2

RUNNING, SUCCESS = common_pb2.EXECUTION_STATUS_RUNNING, common_pb2.EXECUTION_STATUS_SUCCESS


def output(eid: int, data: bytes, stderr: bool = False) -> task_pb2.FollowTaskResponse:
    log = task_pb2.LogData(execution_id=eid, node="n", data=data, stderr=stderr)
    return task_pb2.FollowTaskResponse(output=log)


def status(eid: int, value: common_pb2.ExecutionStatus) -> task_pb2.FollowTaskResponse:
    return task_pb2.FollowTaskResponse(execution=common_pb2.Execution(id=eid, status=value))


def handed_on(relayed: Relayed, replies: list[task_pb2.FollowTaskResponse]) -> list[object]:
    out: list[object] = []
    for reply in replies:
        fresh = relayed.fresh(reply)
        if fresh is None:
            continue
        body = fresh.WhichOneof("body")
        if body == "output":
            out.append((fresh.output.execution_id, fresh.output.stderr, fresh.output.data))
        else:
            out.append((fresh.execution.id, fresh.execution.status))
    return out


def test_a_replayed_log_is_skipped_up_to_the_byte_already_sent() -> None:
    relayed = Relayed()
    relayed.new_stream()
    first = [status(1, RUNNING), output(1, b"1\n2\n"), output(1, b"e", True), output(2, b"x")]
    assert handed_on(relayed, first) == [
        (1, RUNNING),
        (1, False, b"1\n2\n"),
        (1, True, b"e"),
        (2, False, b"x"),
    ]
    relayed.new_stream()  # the master died; another replays the stored log, chunked its own way
    replay = [
        status(1, RUNNING),
        output(1, b"1\n"),
        output(1, b"2\n3\n"),
        output(1, b"e", True),
        output(1, b"rr", True),
        output(2, b"xy"),
        status(1, SUCCESS),
    ]
    assert handed_on(relayed, replay) == [
        (1, False, b"3\n"),
        (1, True, b"rr"),
        (2, False, b"y"),
        (1, SUCCESS),
    ]
    relayed.new_stream()
    assert handed_on(relayed, [*replay, output(1, b"4\n")]) == [(1, False, b"4\n")]
