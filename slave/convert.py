"""protobuf <-> the plain messages of slave.messages; the only module that builds _pb2 values."""

from __future__ import annotations

from google.protobuf import duration_pb2

from jobfleet.v1 import common_pb2, slave_pb2
from slave.messages import (
    Blob,
    Chunk,
    FetchRequest,
    FromMaster,
    Heartbeat,
    Hello,
    HostKeyPolicy,
    KillRequest,
    OutputAck,
    PlaceRequest,
    Result,
    ResultAck,
    RunRequest,
    ScriptType,
    Secret,
    SshTarget,
    Started,
    Status,
    TerminalRequest,
    ToMaster,
    Welcome,
)

_STATUS = {
    Status.SUCCESS: common_pb2.EXECUTION_STATUS_SUCCESS,
    Status.FAIL: common_pb2.EXECUTION_STATUS_FAIL,
    Status.TIMEOUT: common_pb2.EXECUTION_STATUS_TIMEOUT,
    Status.KILLED: common_pb2.EXECUTION_STATUS_KILLED,
}
_SCRIPT_TYPE = {
    common_pb2.SCRIPT_TYPE_SHELL: ScriptType.SHELL,
    common_pb2.SCRIPT_TYPE_PYTHON: ScriptType.PYTHON,
    common_pb2.SCRIPT_TYPE_PERL: ScriptType.PERL,
}

_HOST_KEY_POLICY = {
    slave_pb2.HOST_KEY_POLICY_STRICT: HostKeyPolicy.STRICT,
    slave_pb2.HOST_KEY_POLICY_ACCEPT_NEW: HostKeyPolicy.ACCEPT_NEW,
}
DEFAULT_CONNECT_TIMEOUT = 10.0


def seconds(duration: duration_pb2.Duration) -> float:
    value: float = duration.seconds + duration.nanos / 1e9
    return value


def to_proto(message: ToMaster) -> slave_pb2.SlaveMessage:
    match message:
        case Chunk():
            return slave_pb2.SlaveMessage(
                output=slave_pb2.OutputChunk(
                    execution_id=message.execution_id,
                    seq=message.seq,
                    data=message.data,
                    stderr=message.stderr,
                )
            )
        case Result():
            return slave_pb2.SlaveMessage(result=_result(message))
        case Started():
            return slave_pb2.SlaveMessage(
                started=slave_pb2.ExecutionStarted(
                    execution_id=message.execution_id,
                    pid=message.pid,
                    started_at=message.started_at,
                )
            )
        case Heartbeat():
            return slave_pb2.SlaveMessage(heartbeat=slave_pb2.Heartbeat(running=message.running))
        case Hello():
            return slave_pb2.SlaveMessage(hello=_hello(message))


def _result(result: Result) -> slave_pb2.ExecutionResult:
    proto = slave_pb2.ExecutionResult(
        execution_id=result.execution_id,
        status=_STATUS[result.status],
        exit_code=result.exit_code,
        reason=result.reason,
        chunk_count=result.chunk_count,
        finished_at=result.finished_at,
        pid=result.pid,
    )
    if result.started_at is not None:
        proto.started_at.FromDatetime(result.started_at)
    if result.fetched is not None:
        proto.fetched.CopyFrom(_blob(result.fetched))
    return proto


def _blob(blob: Blob) -> slave_pb2.Blob:
    return slave_pb2.Blob(sha256=blob.sha256, size=blob.size, archive=blob.archive)


def blob_from_proto(blob: slave_pb2.Blob) -> Blob:
    return Blob(blob.sha256, blob.size, blob.archive)


def _hello(hello: Hello) -> slave_pb2.Hello:
    return slave_pb2.Hello(
        name=hello.name,
        version=hello.version,
        hostname=hello.hostname,
        addresses=hello.addresses,
        running_execution_ids=hello.running,
        finished_execution_ids=hello.finished,
        join_token=hello.join_token,
        credential=hello.credential,
        instance=hello.instance,
        projects=hello.projects,
        run_as=hello.run_as,
    )


def from_proto(message: slave_pb2.MasterMessage) -> FromMaster | None:
    """The plain form of a master message; None for a kind this slave does not know."""
    kind: str | None = message.WhichOneof("body")
    if kind == "run":
        return _run(message.run)
    if kind == "copy":
        return _copy(message.copy)
    if kind == "terminal":
        return _terminal(message.terminal)
    if kind == "kill":
        return KillRequest(message.kill.execution_id, message.kill.reason)
    if kind == "output_ack":
        return OutputAck(message.output_ack.execution_id, tuple(message.output_ack.seqs))
    if kind == "result_ack":
        return ResultAck(message.result_ack.execution_id)
    if kind == "welcome":
        welcome = message.welcome
        interval = seconds(welcome.heartbeat_interval)
        return Welcome(
            interval if interval > 0 else None,
            _secret(welcome.credential),
            tuple(welcome.projects),
            welcome.max_upload_bytes,
        )
    return None


def _run(run: slave_pb2.RunCommand) -> RunRequest:
    timeout = seconds(run.timeout)
    return RunRequest(
        execution_id=run.execution_id,
        script_type=_SCRIPT_TYPE.get(run.script_type),
        script=run.script,
        args=tuple(run.args),
        user=run.user,
        timeout=timeout if timeout > 0 else None,
        env=dict(run.env),
        ssh=_ssh(run.ssh) if run.HasField("ssh") else None,
        project_id=run.project_id,
    )


def _terminal(order: slave_pb2.TerminalOrder) -> TerminalRequest:
    """Size 0 = 80x24, empty TERM = xterm-256color."""
    return TerminalRequest(
        session_id=order.session_id,
        key=Secret(order.key),
        project_id=order.project_id,
        user=order.user,
        ssh=_ssh(order.ssh) if order.HasField("ssh") else None,
        cols=order.cols or 80,
        rows=order.rows or 24,
        term=order.term or "xterm-256color",
    )


def _copy(copy: slave_pb2.CopyCommand) -> FetchRequest | PlaceRequest | None:
    """None when the command has neither action (a newer master's, unknown here)."""
    timeout = seconds(copy.timeout)
    limit = timeout if timeout > 0 else None
    ssh = _ssh(copy.ssh) if copy.HasField("ssh") else None
    eid, user, project = copy.execution_id, copy.user, copy.project_id
    action = copy.WhichOneof("action")
    if action == "fetch":
        return FetchRequest(
            eid, copy.fetch.path, ssh=ssh, timeout=limit, user=user, project_id=project
        )
    if action == "place":
        place = copy.place
        return PlaceRequest(
            eid,
            blob_from_proto(place.blob),
            place.path,
            name=place.name,
            chown=place.chown,
            chmod=place.chmod,
            ssh=ssh,
            timeout=limit,
            user=user,
            project_id=project,
        )
    return None


def _ssh(target: slave_pb2.SshTarget) -> SshTarget:
    """Port 0 = 22, unset connect timeout = 10 s, empty secrets = none, unknown policy = ours."""
    connect_timeout = seconds(target.connect_timeout)
    return SshTarget(
        node=target.node,
        host=target.host,
        port=target.port or 22,
        user=target.user,
        private_key=_secret(target.private_key),
        password=_secret(target.password),
        passphrase=_secret(target.private_key_passphrase),
        host_key_policy=_HOST_KEY_POLICY.get(target.host_key_policy),
        connect_timeout=connect_timeout if connect_timeout > 0 else DEFAULT_CONNECT_TIMEOUT,
    )


def _secret(value: str) -> Secret | None:
    return Secret(value) if value else None
