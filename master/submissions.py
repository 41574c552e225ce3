"""Turning what clients submit into tasks to write: checks, job lookup, variables, planning.
Synchronous (runs on the database threads), so the engine stays about state changes."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from master import validate
from master.domain import CommandSpec
from master.errors import InvalidArgument
from master.models import Task
from master.plan import PlannedStep, command_field, copy_field, job_field, plan
from master.steps import Selector, Step, check, from_json, to_json
from master.store import jobs, projects, tasks
from master.store.tasks import NewStep, NewTask
from master.variables import RenderLimit

TASK_UUID = re.compile(r"^[A-Za-z0-9]{1,64}$")


@dataclass(frozen=True)
class JobSubmission:
    project_id: int
    job_uuid: str = ""
    job_name: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    task_uuid: str = ""
    submitter: str = "api"
    call_type: str = "api"
    mutex: str = ""  # a crontab's mutex, held while the task has not ended
    crontab_id: int = 0  # the crontab whose fire this is


def command_task(spec: CommandSpec, limit: RenderLimit) -> NewTask:
    validate.command(spec)
    projects.require_project(spec.project_id)
    step = Step(
        kind="cmd",
        name=spec.name,
        user=spec.user,
        timeout_s=spec.timeout_s,
        nodes=Selector("builtin", ",".join(spec.nodes)),
        script_type=spec.script_type.value,
        script=spec.script,
        args=shlex.join(spec.args),
        uuid=tasks.new_uuid(),
    )
    inputs = {"field": "command", "steps": [to_json(step)], "values": spec.variables}
    planned = plan(spec.project_id, [step], spec.variables, command_field, limit)
    return _new_task(
        spec.project_id,
        spec.name,
        spec.submitter,
        spec.call_type,
        "plugin_cmd",
        spec.variables,
        planned,
        inputs,
    )


def copy_task(
    project_id: int,
    name: str,
    submitter: str,
    call_type: str,
    step: Step,
    values: dict[str, str],
    limit: RenderLimit,
) -> NewTask:
    """An ad-hoc copy (plugin_scp): one scp step, fields named `scp.<field>`."""
    validate.text("name", name, 255)
    projects.require_project(project_id)
    step = dataclasses.replace(step, name=step.name or name, uuid=tasks.new_uuid())
    check(step, "scp")
    inputs = {"field": "copy", "steps": [to_json(step)], "values": values}
    planned = plan(project_id, [step], values, copy_field, limit)
    return _new_task(project_id, name, submitter, call_type, "plugin_scp", values, planned, inputs)


def existing(sub: JobSubmission) -> Task | None:
    """The task of the project a caller's uuid already names (submitting it again is a no-op).
    Task uuids are per project: another project's task of that uuid is none of this one's."""
    if not sub.task_uuid:
        return None
    if not TASK_UUID.match(sub.task_uuid):
        raise InvalidArgument("must be 1 to 64 letters and digits", "task_uuid")
    return tasks.find(sub.project_id, sub.task_uuid)


def job_plan(
    sub: JobSubmission, limit: RenderLimit
) -> tuple[Any, list[Step], dict[str, str], list[PlannedStep]]:
    projects.require_project(sub.project_id)
    if not sub.job_uuid and not sub.job_name:
        raise InvalidArgument("name a job by uuid or by name", "job_uuid")
    job = jobs.get(sub.project_id, sub.job_uuid, sub.job_name)
    steps = jobs.steps_of(job)
    values = {**jobs.values(job), **sub.variables}
    return job, steps, values, plan(sub.project_id, steps, values, job_field, limit)


def job_task(sub: JobSubmission, limit: RenderLimit) -> NewTask:
    job, steps, values, planned = job_plan(sub, limit)
    inputs = {"field": "job", "steps": [to_json(s) for s in steps], "values": values}
    new = _new_task(
        sub.project_id,
        job.name,
        sub.submitter,
        sub.call_type,
        "job",
        values,
        planned,
        inputs,
        uuid=sub.task_uuid,
        job_uuid=job.uuid,
    )
    return dataclasses.replace(new, mutex=sub.mutex, crontab_id=sub.crontab_id)


def redo_task(original: Task, submitter: str, limit: RenderLimit) -> NewTask:
    inputs = json.loads(original.inputs)
    steps = [from_json(s) for s in inputs["steps"]]
    values: dict[str, str] = inputs["values"]
    field_name = {"job": job_field, "copy": copy_field}.get(inputs["field"], command_field)
    planned = plan(original.project_id, steps, values, field_name, limit)
    return _new_task(
        original.project_id,
        original.name,
        submitter,
        "api",
        original.job_type,
        values,
        planned,
        inputs,
        job_uuid=original.job_uuid,
        redo_of=original.uuid,
    )


def _new_task(
    project_id: int,
    name: str,
    submitter: str,
    call_type: str,
    job_type: str,
    values: dict[str, str],
    planned: list[PlannedStep],
    inputs: dict[str, Any],
    uuid: str = "",
    job_uuid: str = "",
    redo_of: str = "",
) -> NewTask:
    steps = [
        NewStep(p.step.uuid, p.step.kind, p.step.pause, len(p.nodes), p.to_json()) for p in planned
    ]
    return NewTask(
        project_id=project_id,
        name=name,
        submitter=submitter,
        call_type=call_type,
        job_type=job_type,
        variables=values,
        steps=steps,
        inputs=inputs,
        uuid=uuid,
        job_uuid=job_uuid,
        redo_of=redo_of,
    )
