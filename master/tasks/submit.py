"""Turning what clients submit into tasks to write: checks, job lookup, variables, planning.
Synchronous (runs on the database threads), so the engine stays about state changes."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from typing import Any

from master.catalogue import cite, validate
from master.catalogue.steps import check
from master.catalogue.variables import RenderLimit
from master.db.models import Job, Task
from master.domain import (
    CallType,
    CommandSpec,
    JobSubmission,
    JobType,
    NewStep,
    NewTask,
    PlannedStep,
    RunMode,
    Selector,
    SelectorType,
    Step,
    StepKind,
    SubmittedAs,
)
from master.errors import InvalidArgument
from master.store import jobs, projects, tasks
from master.tasks.plan import FieldName, command_field, copy_field, job_field, plan
from master.tasks.window import check_mode

TASK_UUID = re.compile(r"^[A-Za-z0-9]{1,64}$")
FIELD_NAMES: dict[str, FieldName] = {SubmittedAs.JOB: job_field, SubmittedAs.COPY: copy_field}
"""How a task done again names its fields, by what it was submitted as (else: a command's)."""


def command_task(spec: CommandSpec, limit: RenderLimit) -> NewTask:
    validate.command(spec)
    check_mode(spec.mode)
    projects.require_project(spec.project_id)
    if spec.script_id:
        cite.check(spec.project_id, spec.script_id, "script_id")
    step = Step(
        kind=StepKind.CMD,
        name=spec.name,
        user=spec.user,
        timeout_s=spec.timeout_s,
        nodes=Selector(SelectorType.BUILTIN, ",".join(spec.nodes)),
        script_type=spec.script_type.value,
        script=spec.script,
        script_id=spec.script_id,
        args=shlex.join(spec.args),
        uuid=tasks.new_uuid(),
    )
    inputs = {"field": SubmittedAs.COMMAND, "steps": [step.to_json()], "values": spec.variables}
    planned = plan(spec.project_id, [step], spec.variables, command_field, limit)
    return _new_task(
        spec.project_id,
        spec.name,
        spec.submitter,
        spec.call_type,
        JobType.PLUGIN_CMD,
        spec.variables,
        planned,
        inputs,
        job_uuid=step.uuid,  # OpenC3's pages build the step's log uuid from it
        mode=spec.mode,
    )


def copy_task(
    project_id: int,
    name: str,
    submitter: str,
    call_type: str,
    step: Step,
    values: dict[str, str],
    limit: RenderLimit,
    mode: RunMode = RunMode(),
) -> NewTask:
    """An ad-hoc copy (plugin_scp): one scp step, fields named `scp.<field>`."""
    validate.text("name", name, 255)
    check_mode(mode)
    projects.require_project(project_id)
    step = dataclasses.replace(step, name=step.name or name, uuid=tasks.new_uuid())
    check(step, "scp")
    inputs = {"field": SubmittedAs.COPY, "steps": [step.to_json()], "values": values}
    planned = plan(project_id, [step], values, copy_field, limit)
    return _new_task(
        project_id,
        name,
        submitter,
        call_type,
        JobType.PLUGIN_SCP,
        values,
        planned,
        inputs,
        job_uuid=step.uuid,  # as a command's
        mode=mode,
    )


def existing(sub: JobSubmission) -> Task | None:
    """The task of the project a caller's uuid already names (submitting it again is a no-op).
    Task uuids are per project: another project's task of that uuid is none of this one's."""
    check_mode(sub.mode)
    if not sub.task_uuid:
        return None
    if not TASK_UUID.match(sub.task_uuid):
        raise InvalidArgument("must be 1 to 64 letters and digits", "task_uuid")
    return tasks.find(sub.project_id, sub.task_uuid)


def job_plan(
    sub: JobSubmission, limit: RenderLimit
) -> tuple[Job, list[Step], dict[str, str], list[PlannedStep]]:
    """The job a submission names, its steps, the values they run with (the job's variables
    overridden by the submitted ones) and the steps planned: what a dry run answers."""
    projects.require_project(sub.project_id)
    if not sub.job_uuid and not sub.job_name:
        raise InvalidArgument("name a job by uuid or by name", "job_uuid")
    job = jobs.get(sub.project_id, sub.job_uuid, sub.job_name)
    steps = jobs.steps_of(job)
    values = {**jobs.values(job), **sub.variables}
    return job, steps, values, plan(sub.project_id, steps, values, job_field, limit)


def job_task(sub: JobSubmission, limit: RenderLimit) -> NewTask:
    job, steps, values, planned = job_plan(sub, limit)
    inputs = {"field": SubmittedAs.JOB, "steps": [s.to_json() for s in steps], "values": values}
    new = _new_task(
        sub.project_id,
        job.name,
        sub.submitter,
        sub.call_type,
        JobType.JOB,
        values,
        planned,
        inputs,
        uuid=sub.task_uuid,
        job_uuid=job.uuid,
        mode=sub.mode,
    )
    return dataclasses.replace(new, mutex=sub.mutex, crontab_id=sub.crontab_id)


def redo_task(original: Task, submitter: str, limit: RenderLimit) -> NewTask:
    inputs = json.loads(original.inputs)
    steps = [Step.from_json(s) for s in inputs["steps"]]
    values: dict[str, str] = inputs["values"]
    field_name = FIELD_NAMES.get(inputs["field"], command_field)
    planned = plan(original.project_id, steps, values, field_name, limit)
    return _new_task(
        original.project_id,
        original.name,
        submitter,
        CallType.API,
        JobType(original.job_type),
        values,
        planned,
        inputs,
        job_uuid=original.job_uuid,
        redo_of=original.uuid,
        mode=RunMode(original.forks, original.check_only),  # done again as it was run
    )


def _new_task(
    project_id: int,
    name: str,
    submitter: str,
    call_type: str,
    job_type: JobType,
    values: dict[str, str],
    planned: list[PlannedStep],
    inputs: dict[str, Any],
    uuid: str = "",
    job_uuid: str = "",
    redo_of: str = "",
    mode: RunMode = RunMode(),
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
        mode=mode,
    )
