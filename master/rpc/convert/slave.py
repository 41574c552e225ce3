"""Protobuf <-> domain values for the slave link: orders out, reports in, a Hello."""

from __future__ import annotations

from google.protobuf import duration_pb2

from jobfleet.v1 import slave_pb2
from master.domain import (
    Blob,
    Chunk,
    ChunkAck,
    CopyOrder,
    ExecutionStatus,
    Finished,
    Inbound,
    Introduction,
    KillOrder,
    Outbound,
    ResultAck,
    RunOrder,
    SlaveResult,
    SshTarget,
    Started,
    TerminalOrder,
)
from master.rpc.convert.catalog import SCRIPT_TYPE
from master.rpc.convert.task import EXECUTION_STATUS_BACK
from master.rpc.convert.timestamps import from_timestamp


def outbound(item: Outbound) -> slave_pb2.MasterMessage:
    if isinstance(item, RunOrder):
        return slave_pb2.MasterMessage(
            run=slave_pb2.RunCommand(
                execution_id=item.execution_id,
                script_type=SCRIPT_TYPE[item.script_type],
                script=item.script,
                args=list(item.args),
                user=item.user,
                timeout=duration_pb2.Duration(seconds=item.timeout_s),
                ssh=ssh_target(item.ssh) if item.ssh else None,
                project_id=item.project_id,
            )
        )
    if isinstance(item, CopyOrder):
        return slave_pb2.MasterMessage(copy=copy_command(item))
    if isinstance(item, TerminalOrder):
        return slave_pb2.MasterMessage(terminal=terminal_order(item))
    if isinstance(item, KillOrder):
        kill = slave_pb2.KillCommand(execution_id=item.execution_id, reason=item.reason)
        return slave_pb2.MasterMessage(kill=kill)
    if isinstance(item, ChunkAck):
        ack = slave_pb2.OutputAck(execution_id=item.execution_id, seqs=list(item.seqs))
        return slave_pb2.MasterMessage(output_ack=ack)
    if isinstance(item, ResultAck):
        return slave_pb2.MasterMessage(
            result_ack=slave_pb2.ResultAck(execution_id=item.execution_id)
        )
    raise TypeError(f"cannot send {item!r}")


def terminal_order(order: TerminalOrder) -> slave_pb2.TerminalOrder:
    return slave_pb2.TerminalOrder(
        session_id=order.session_id,
        key=order.key,
        project_id=order.project_id,
        user=order.user,
        ssh=ssh_target(order.ssh) if order.ssh else None,
        cols=order.cols,
        rows=order.rows,
        term=order.term,
    )


def copy_command(order: CopyOrder) -> slave_pb2.CopyCommand:
    cmd = slave_pb2.CopyCommand(
        execution_id=order.execution_id,
        timeout=duration_pb2.Duration(seconds=order.timeout_s),
        ssh=ssh_target(order.ssh) if order.ssh else None,
        user=order.user,
        project_id=order.project_id,
    )
    if order.blob is None:
        cmd.fetch.CopyFrom(slave_pb2.FetchOrder(path=order.path))
    else:
        blob = slave_pb2.Blob(
            sha256=order.blob.sha256, size=order.blob.size, archive=order.blob.archive
        )
        cmd.place.CopyFrom(
            slave_pb2.PlaceOrder(
                blob=blob, path=order.path, name=order.name, chown=order.chown, chmod=order.chmod
            )
        )
    return cmd


def ssh_target(t: SshTarget) -> slave_pb2.SshTarget:
    return slave_pb2.SshTarget(
        node=t.node,
        host=t.host,
        port=t.port,
        user=t.user,
        private_key=t.private_key,
        password=t.password,
    )


def introduction(hello: slave_pb2.Hello) -> Introduction:
    return Introduction(
        name=hello.name,
        credential=hello.credential,
        join_token=hello.join_token,
        instance=hello.instance,
        projects=tuple(hello.projects),
        run_as=tuple(hello.run_as),
    )


def inbound(msg: slave_pb2.SlaveMessage) -> Inbound | None:
    """A report for the intake, or None for messages handled on the stream (heartbeats)."""
    kind = msg.WhichOneof("body")
    if kind == "output":
        out = msg.output
        return Chunk(out.execution_id, out.seq, out.data, out.stderr)
    if kind == "started":
        s = msg.started
        return Started(s.execution_id, from_timestamp(s.started_at, s.HasField("started_at")))
    if kind == "result":
        r = msg.result
        status = EXECUTION_STATUS_BACK.get(r.status, ExecutionStatus.FAIL)
        result = SlaveResult(
            execution_id=r.execution_id,
            status=status if status.final else ExecutionStatus.FAIL,
            exit_code=r.exit_code,
            reason=r.reason,
            chunk_count=r.chunk_count,
            fetched=Blob(r.fetched.sha256, r.fetched.size, r.fetched.archive)
            if r.HasField("fetched") and r.fetched.sha256
            else None,
        )
        return Finished(
            result,
            from_timestamp(r.started_at, r.HasField("started_at")),
            from_timestamp(r.finished_at, r.HasField("finished_at")),
        )
    return None
