from __future__ import annotations

import datetime as dt

from jobfleet.v1 import common_pb2, slave_pb2

from slave import convert
from slave.messages import (
    Chunk,
    Hello,
    KillRequest,
    OutputAck,
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
    chunk = convert.to_proto(Chunk(5, 1, b"\x00\xff"))
    assert (chunk.output.execution_id, chunk.output.seq, chunk.output.data) == (5, 1, b"\x00\xff")


def test_hello_to_proto() -> None:
    hello = Hello("web1", "0.1.0", "host", ("10.0.0.1",), (1, 2), (3,), "tok")
    proto = convert.to_proto(hello).hello
    assert (proto.name, proto.version, proto.join_token) == ("web1", "0.1.0", "tok")
    assert list(proto.running_execution_ids) == [1, 2]
    assert list(proto.finished_execution_ids) == [3]
    assert "tok" not in repr(hello)
