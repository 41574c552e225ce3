"""Protobuf <-> domain values. The only module of the master's domain side that knows _pb2."""

from __future__ import annotations

import json

from google.protobuf import duration_pb2
from jobfleet.v1 import catalog_pb2, common_pb2, slave_pb2, task_pb2

from master import convert_catalog
from master.convert_catalog import SCRIPT_TYPE, SCRIPT_TYPE_BACK
from master.domain import (
    DEFAULT_TIMEOUT_S,
    Blob,
    CallType,
    Chunk,
    ChunkAck,
    CommandSpec,
    Control,
    CopyOrder,
    ExecutionStatus,
    Finished,
    Inbound,
    Introduction,
    JobSubmission,
    KillOrder,
    Outbound,
    PlannedStep,
    ResultAck,
    RunOrder,
    SlaveResult,
    SshTarget,
    Started,
    SubtaskStatus,
    TaskFilter,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.models import Execution, Project, Subtask, Task
from master.prototime import from_timestamp, from_unix, timestamp
from master.slaves.service import SlaveView

SUBTASK_STATUS = {s: getattr(common_pb2, f"SUBTASK_STATUS_{s.name}") for s in SubtaskStatus}
TASK_STATUS = {s: getattr(common_pb2, f"TASK_STATUS_{s.name}") for s in TaskStatus}
EXECUTION_STATUS = {s: getattr(common_pb2, f"EXECUTION_STATUS_{s.name}") for s in ExecutionStatus}
EXECUTION_STATUS_BACK = {v: k for k, v in EXECUTION_STATUS.items()}
TASK_STATUS_BACK = {v: k for k, v in TASK_STATUS.items()}


def execution(row: Execution) -> common_pb2.Execution:
    return common_pb2.Execution(
        id=row.id,
        node=row.node,
        slave=row.slave,
        status=EXECUTION_STATUS[ExecutionStatus(row.status)],
        exit_code=row.exit_code if row.exit_code is not None else 0,
        attempt=row.attempt,
        reason=row.reason,
        started_at=timestamp(row.started_at),
        finished_at=timestamp(row.finished_at),
        log_bytes=row.log_bytes,
        log_dropped_bytes=row.log_dropped,
    )


def task(
    row: Task,
    rows: list[Execution] | None = None,
    slaves: list[str] | None = None,
    subs: list[Subtask] | None = None,
) -> common_pb2.Task:
    if slaves is None:
        slaves = sorted({r.slave for r in rows or [] if r.slave})
    return common_pb2.Task(
        slaves=slaves,
        subtasks=[subtask(s) for s in subs or []],
        redo_of=row.redo_of,
        crontab_id=row.crontab_id,
        id=row.id,
        uuid=row.uuid,
        project_id=row.project_id,
        name=row.name,
        submitter=row.submitter,
        status=TASK_STATUS[TaskStatus(row.status)],
        call_type=row.call_type,
        job_type=row.job_type,
        job_uuid=row.job_uuid,
        mutex=row.mutex,
        reason=row.reason,
        variables=json.loads(row.variables or "{}"),
        created_at=timestamp(row.created_at),
        started_at=timestamp(row.started_at),
        finished_at=timestamp(row.finished_at),
        executions=[execution(r) for r in rows or []],
    )


def subtask(row: Subtask) -> common_pb2.Subtask:
    planned = PlannedStep.from_json(json.loads(row.spec))
    return common_pb2.Subtask(
        uuid=row.uuid,
        position=row.position,
        status=SUBTASK_STATUS[SubtaskStatus(row.status)],
        pause=row.pause,
        node_count=row.node_count,
        started_at=timestamp(row.started_at),
        finished_at=timestamp(row.finished_at),
        step=convert_catalog.step_proto(planned.step),
        nodes=planned.nodes,
    )


def job_submission(req: task_pb2.SubmitJobRequest) -> JobSubmission:
    return JobSubmission(
        project_id=req.project_id,
        job_uuid=req.job_uuid,
        job_name=req.job_name,
        variables=dict(req.variables),
        task_uuid=req.task_uuid,
        submitter=req.submitter or "api",
        call_type=req.call_type or CallType.API,
    )


def control(value: int) -> Control:
    name = task_pb2.SubtaskControl.Name(value).removeprefix("SUBTASK_CONTROL_")
    if name not in Control.__members__:
        raise InvalidArgument("choose next, fail, running or ignore", "control")
    return Control[name]


def planned_step(p: PlannedStep) -> task_pb2.PlannedStep:
    return task_pb2.PlannedStep(step=convert_catalog.step_proto(p.step), nodes=p.nodes)


def command_spec(req: task_pb2.SubmitCommandRequest) -> CommandSpec:
    if req.script_type not in SCRIPT_TYPE_BACK:
        raise InvalidArgument(f"unknown script type {req.script_type}", "script_type")
    return CommandSpec(
        project_id=req.project_id,
        name=req.name,
        submitter=req.submitter or "api",
        user=req.user,
        nodes=tuple(req.nodes),
        script_type=SCRIPT_TYPE_BACK[req.script_type],
        script=req.script,
        args=tuple(req.args),
        timeout_s=req.timeout_seconds or DEFAULT_TIMEOUT_S,
        variables=dict(req.variables),
        call_type=req.call_type or CallType.API,
    )


def task_filter(req: task_pb2.ListTasksRequest) -> TaskFilter:
    status = TASK_STATUS_BACK.get(req.status)
    return TaskFilter(
        project_id=req.project_id,
        name_contains=req.name_contains,
        submitter=req.submitter,
        status=status.value if status else "",
        started_after=from_unix(req.started_after_unix, "started_after_unix"),
        started_before=from_unix(req.started_before_unix, "started_before_unix"),
        uuid=req.uuid,
        limit=min(req.limit or 100, 1000),
        offset=max(req.offset, 0),
    )


def project(row: Project) -> catalog_pb2.Project:
    return catalog_pb2.Project(id=row.id, name=row.name)


def slave_info(view: SlaveView) -> catalog_pb2.SlaveInfo:
    """A slave as listed: what it serves now when attached, else what it may serve."""
    row, attached = view.row, view.attached
    if attached is not None:
        projects = sorted(attached.projects or ())
    else:
        projects = [int(p) for p in row.projects.split(",") if p]
    return catalog_pb2.SlaveInfo(
        name=row.name,
        hostname=row.hostname,
        addresses=[a for a in row.addresses.split(",") if a],
        version=row.version,
        attached=attached is not None,
        last_seen=timestamp(row.last_seen),
        running=view.running,
        projects=projects,
        run_as=[a for a in row.run_as.split(",") if a],
    )


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
        return Chunk(msg.output.execution_id, msg.output.seq, msg.output.data)
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
