"""Protobuf <-> domain values for TaskService: tasks, their steps and executions, what clients
submit, list filters."""

from __future__ import annotations

import json

from jobfleet.v1 import common_pb2, task_pb2
from master.db.models import Execution, Subtask, Task
from master.domain import (
    DEFAULT_TIMEOUT_S,
    RECORDED_OPTIONS,
    TASK_ORDER_KEYS,
    CallType,
    CommandSpec,
    Control,
    ExecutionStatus,
    JobSubmission,
    PlannedStep,
    Role,
    RunMode,
    RunOptions,
    SortKey,
    SubtaskStatus,
    TaskFilter,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.notify.urls import http_url
from master.rpc.convert import catalog as convert_catalog
from master.rpc.convert.catalog import SCRIPT_TYPE_BACK
from master.rpc.convert.timestamps import from_unix, timestamp

SUBTASK_STATUS = {s: getattr(common_pb2, f"SUBTASK_STATUS_{s.name}") for s in SubtaskStatus}
TASK_STATUS = {s: getattr(common_pb2, f"TASK_STATUS_{s.name}") for s in TaskStatus}
EXECUTION_STATUS = {s: getattr(common_pb2, f"EXECUTION_STATUS_{s.name}") for s in ExecutionStatus}
EXECUTION_STATUS_BACK = {v: k for k, v in EXECUTION_STATUS.items()}
TASK_STATUS_BACK = {v: k for k, v in TASK_STATUS.items()}


def execution(row: Execution, subtask_uuid: str = "") -> common_pb2.Execution:
    return common_pb2.Execution(
        subtask_uuid=subtask_uuid,
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
        ip=row.ip,
        cloud_id=row.cloud_id,
        role=row.role,
        copied_bytes=copied_bytes(row),
    )


def copied_bytes(row: Execution) -> int:
    """What a copy's half moved: the blob's size once the fetch or place succeeded, else 0."""
    copies = row.role in (Role.FETCH, Role.PLACE)
    return int(row.blob_size) if copies and row.status == ExecutionStatus.SUCCESS else 0


def task(
    row: Task,
    rows: list[Execution] | None = None,
    slaves: list[str] | None = None,
    subs: list[Subtask] | None = None,
    note_count: int = 0,
    planned: dict[int, PlannedStep] | None = None,
) -> common_pb2.Task:
    """`planned`: steps (by subtask id) already at hand as their stored spec says, not parsed
    again (a submit's answer: launch.Launched.known)."""
    if slaves is None:
        slaves = sorted({r.slave for r in rows or [] if r.slave})
    step_uuids = {s.id: s.uuid for s in subs or []}
    return common_pb2.Task(
        slaves=slaves,
        subtasks=[subtask(s, (planned or {}).get(s.id)) for s in subs or []],
        redo_of=row.redo_of,
        crontab_id=row.crontab_id,
        job_id=row.job_id,
        options=stored_options(row),
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
        executions=[execution(r, step_uuids.get(r.subtask_id, "")) for r in rows or []],
        note_count=note_count,
    )


def stored_options(row: Task) -> common_pb2.RunOptions:
    """The options a task was launched with, as kept (domain.RunOptions.stored)."""
    kept = RunOptions.from_stored(row.nodegroup_id, row.account_id, row.options)
    return common_pb2.RunOptions(
        forks=row.forks,
        check=row.check_only,
        nodegroup_id=kept.nodegroup_id,
        limit=kept.limit,
        account_id=kept.account_id,
        **kept.recorded,
    )


def run_options(msg: common_pb2.RunOptions) -> RunOptions:
    """A request's options: what is acted on, and the rest to keep as sent; a callback URL
    that is not http(s) is INVALID_ARGUMENT naming `options.callback_url`."""
    if msg.callback_url:
        http_url(msg.callback_url, "options.callback_url")
    return RunOptions(
        nodegroup_id=msg.nodegroup_id,
        limit=msg.limit,
        account_id=msg.account_id,
        recorded={name: getattr(msg, name) for name in RECORDED_OPTIONS},
    )


def subtask(row: Subtask, planned: PlannedStep | None = None) -> common_pb2.Subtask:
    """`planned`: the step as `row.spec` holds it, when known (else parsed from it)."""
    if planned is None:
        planned = PlannedStep.from_json(json.loads(row.spec))
    return common_pb2.Subtask(
        id=row.id,
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


def task_status(value: int, field: str) -> TaskStatus:
    """A TaskStatus value of a request; UNSPECIFIED or unknown: INVALID_ARGUMENT on `field`."""
    if value not in TASK_STATUS_BACK:
        raise InvalidArgument(f"unknown task status {value}", field)
    return TASK_STATUS_BACK[value]


def status_counts(counts: dict[str, int]) -> list[task_pb2.TaskStatusCount]:
    """Counts by stored status word -> TaskStatusCount, in the enum's order."""
    return [
        task_pb2.TaskStatusCount(status=TASK_STATUS[s], count=counts[s.value])
        for s in TaskStatus
        if counts.get(s.value)
    ]


def job_submission(req: task_pb2.SubmitJobRequest) -> JobSubmission:
    return JobSubmission(
        project_id=req.project_id,
        job_uuid=req.job_uuid,
        job_name=req.job_name,
        variables=dict(req.variables),
        task_uuid=req.task_uuid,
        submitter=req.submitter or "api",
        call_type=req.call_type or CallType.API,
        mode=run_mode(req.options),
        options=run_options(req.options),
        nodes=tuple(dict.fromkeys(n.strip() for n in req.nodes if n.strip())),
    )


def control(value: int) -> Control:
    name = task_pb2.SubtaskControl.Name(value).removeprefix("SUBTASK_CONTROL_")
    if name not in Control.__members__:
        raise InvalidArgument("choose next, fail, running or ignore", "control")
    return Control[name]


def planned_step(p: PlannedStep, skip_reason: str = "") -> task_pb2.PlannedStep:
    step = convert_catalog.step_proto(p.step)
    return task_pb2.PlannedStep(step=step, nodes=p.nodes, skip_reason=skip_reason)


def command_spec(req: task_pb2.SubmitCommandRequest) -> CommandSpec:
    script_type = req.script_type
    if req.script_id and script_type == common_pb2.SCRIPT_TYPE_UNSPECIFIED:
        script_type = common_pb2.SCRIPT_TYPE_SHELL  # a cited script brings its own type
    if script_type not in SCRIPT_TYPE_BACK:
        raise InvalidArgument(f"unknown script type {script_type}", "script_type")
    return CommandSpec(
        project_id=req.project_id,
        name=req.name,
        submitter=req.submitter or "api",
        user=req.user,
        nodes=tuple(req.nodes),
        script_type=SCRIPT_TYPE_BACK[script_type],
        script=req.script,
        script_id=req.script_id,
        args=tuple(req.args),
        timeout_s=req.timeout_seconds or DEFAULT_TIMEOUT_S,
        variables=dict(req.variables),
        call_type=req.call_type or CallType.API,
        mode=run_mode(req.options),
        options=run_options(req.options),
    )


def task_filter(req: task_pb2.ListTasksRequest) -> TaskFilter:
    wanted = [req.status, *req.statuses] if req.status else list(req.statuses)
    return TaskFilter(
        project_id=req.project_id,
        name_contains=req.name_contains,
        submitter=req.submitter,
        statuses=tuple(dict.fromkeys(task_status(v, "statuses") for v in wanted)),
        started_after=from_unix(req.started_after_unix, "started_after_unix"),
        started_before=from_unix(req.started_before_unix, "started_before_unix"),
        uuid=req.uuid,
        limit=min(req.limit or 100, 1000),
        offset=max(req.offset, 0),
        job_id=req.job_id,
        nodegroup_id=req.nodegroup_id,
        account_id=req.account_id,
        crontab_id=req.crontab_id,
        job_types=tuple(dict.fromkeys(req.job_types)),
        order_by=tuple(sort_key(key) for key in req.order_by),
    )


def run_mode(options: common_pb2.RunOptions) -> RunMode:
    """What a submission's RunOptions say of how its executions run (checked at submit)."""
    return RunMode(forks=options.forks, check=options.check)


def sort_key(text: str) -> SortKey:
    """`name` or `-name` (descending), a key of TASK_ORDER_KEYS; else INVALID_ARGUMENT."""
    column = text.strip().removeprefix("-")
    if column not in TASK_ORDER_KEYS:
        known = ", ".join(TASK_ORDER_KEYS)
        raise InvalidArgument(f"unknown sort key {text!r}; one of: {known}", "order_by")
    return SortKey(column, text.strip().startswith("-"))
