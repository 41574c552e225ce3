from __future__ import annotations

import datetime as dt

from jobfleet.v1 import common_pb2, slave_pb2
from slave import convert
from slave.messages import (
    Blob,
    Chunk,
    FetchRequest,
    Hello,
    KillRequest,
    OutputAck,
    PlaceRequest,
    Result,
    ResultAck,
    RunRequest,
    ScriptType,
    Status,
    Welcome,
)

T0 = dt.datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=dt.UTC)


def test_run_command_becomes_a_plain_request() -> None:
    proto = slave_pb2.MasterMessage(
        run=slave_pb2.RunCommand(
            execution_id=9,
            script_type=common_pb2.SCRIPT_TYPE_PERL,
            script="print 1",
            args=["a"],
            user="deploy",
            timeout={"seconds": 90, "nanos": 500_000_000},
            env={"K": "V"},
        )
    )
    assert convert.from_proto(proto) == RunRequest(
        9, ScriptType.PERL, "print 1", ("a",), "deploy", 90.5, {"K": "V"}
    )


def test_zero_timeout_means_none_and_unknown_script_type_is_kept_as_none() -> None:
    request = convert.from_proto(slave_pb2.MasterMessage(run=slave_pb2.RunCommand(execution_id=1)))
    assert isinstance(request, RunRequest)
    assert (request.timeout, request.script_type) == (None, None)


def test_other_master_messages() -> None:
    M = slave_pb2.MasterMessage
    assert convert.from_proto(M(kill=slave_pb2.KillCommand(execution_id=3, reason="r"))) == (
        KillRequest(3, "r")
    )
    acks = M(output_ack=slave_pb2.OutputAck(execution_id=3, seqs=[0, 2]))
    assert convert.from_proto(acks) == OutputAck(3, (0, 2))
    assert convert.from_proto(M(result_ack=slave_pb2.ResultAck(execution_id=3))) == ResultAck(3)
    welcome = M(welcome=slave_pb2.Welcome(heartbeat_interval={"seconds": 2}))
    assert convert.from_proto(welcome) == Welcome(2.0)
    assert convert.from_proto(M(welcome=slave_pb2.Welcome())) == Welcome(None)
    assert convert.from_proto(M()) is None


def test_result_and_chunk_to_proto() -> None:
    result = convert.to_proto(Result(5, Status.TIMEOUT, -15, "timed out after 1 s", 2, T0, T0))
    assert result.result.status == common_pb2.EXECUTION_STATUS_TIMEOUT
    assert (result.result.exit_code, result.result.chunk_count) == (-15, 2)
    assert result.result.started_at.ToDatetime(dt.UTC) == T0
    never_started = convert.to_proto(Result(5, Status.FAIL, -1, "x", 0, None, T0))
    assert not never_started.result.HasField("started_at")
    assert never_started.result.pid == 0
    with_start = convert.to_proto(Result(5, Status.SUCCESS, 0, "", 0, T0, T0, pid=4321))
    assert (with_start.result.pid, with_start.result.started_at.ToDatetime(dt.UTC)) == (4321, T0)
    chunk = convert.to_proto(Chunk(5, 1, b"\x00\xff"))
    assert (chunk.output.execution_id, chunk.output.seq, chunk.output.data) == (5, 1, b"\x00\xff")


def test_hello_to_proto() -> None:
    hello = Hello("web1", "0.1.0", "host", ("10.0.0.1",), (1, 2), (3,), "tok")
    proto = convert.to_proto(hello).hello
    assert (proto.name, proto.version, proto.join_token) == ("web1", "0.1.0", "tok")
    assert list(proto.running_execution_ids) == [1, 2]
    assert list(proto.finished_execution_ids) == [3]
    assert "tok" not in repr(hello)


def test_copy_commands_become_fetch_and_place_requests() -> None:
    ssh = slave_pb2.SshTarget(node="m1", host="10.0.0.1", user="root", password="pw")
    fetch = slave_pb2.MasterMessage(
        copy=slave_pb2.CopyCommand(
            execution_id=4, fetch={"path": "/srv/app"}, ssh=ssh, timeout={"seconds": 30}
        )
    )
    blob = slave_pb2.Blob(sha256="ab" * 32, size=10, archive=True)
    place = slave_pb2.MasterMessage(
        copy=slave_pb2.CopyCommand(
            execution_id=5,
            place={"blob": blob, "path": "/opt/", "name": "app", "chown": "a:b", "chmod": "0640"},
            user="deploy",
        )
    )
    got_fetch = convert.from_proto(fetch)
    assert isinstance(got_fetch, FetchRequest) and got_fetch.command == "copy-fetch"
    assert (got_fetch.execution_id, got_fetch.path, got_fetch.timeout) == (4, "/srv/app", 30.0)
    assert got_fetch.ssh is not None and got_fetch.ssh.port == 22
    assert convert.from_proto(place) == PlaceRequest(
        5, Blob("ab" * 32, 10, True), "/opt/", "app", "a:b", "0640", user="deploy"
    )
    assert convert.from_proto(slave_pb2.MasterMessage(copy={"execution_id": 6})) is None


def test_a_fetch_result_carries_its_blob() -> None:
    result = Result(4, Status.SUCCESS, 0, "", 2, T0, T0, Blob("cd" * 32, 99, True))
    proto = convert.to_proto(result).result
    assert (proto.fetched.sha256, proto.fetched.size, proto.fetched.archive) == (
        "cd" * 32,
        99,
        True,
    )
    plain = convert.to_proto(Result(5, Status.FAIL, -1, "x", 0, None, T0)).result
    assert not plain.HasField("fetched")
