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
    RunOptions,
    Selector,
    SelectorType,
    Step,
    StepKind,
    SubmittedAs,
)
from master.errors import InvalidArgument
from master.store import jobs, projects, tasks
from master.tasks import options
from master.tasks.plan import FieldName, command_field, copy_field, job_field, plan
from master.tasks.window import check_mode

TASK_UUID = re.compile(r"^[A-Za-z0-9]{1,64}$")
FIELD_NAMES: dict[str, FieldName] = {SubmittedAs.JOB: job_field, SubmittedAs.COPY: copy_field}
"""How a task done again names its fields, by what it was submitted as (else: a command's)."""


def command_task(spec: CommandSpec, limit: RenderLimit) -> NewTask:
    spec = _command_options(spec)
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
    inputs = _inputs(SubmittedAs.COMMAND, [step], spec.variables, spec.options)
    planned = plan(spec.project_id, [step], spec.variables, command_field, limit)
    new = _new_task(
        spec.project_id,
        spec.name,
        spec.submitter,
        spec.call_type,
        JobType.PLUGIN_CMD,
        spec.variables,
        options.limited(planned, spec.options.limit),
        inputs,
        job_uuid=step.uuid,  # OpenC3's pages build the step's log uuid from it
        mode=spec.mode,
    )
    return dataclasses.replace(new, options=spec.options)


def _command_options(spec: CommandSpec) -> CommandSpec:
    """The command on its node group's nodes, as its account, when its options name them."""
    if not (spec.options.nodegroup_id or spec.options.account_id):
        return spec
    projects.require_project(spec.project_id)
    nodes = options.nodes(spec.project_id, spec.options, list(spec.nodes), "nodes")
    user = options.run_as(spec.project_id, spec.options) or spec.user
    return dataclasses.replace(spec, nodes=tuple(nodes), user=user)


def copy_task(
    project_id: int,
    name: str,
    submitter: str,
    call_type: str,
    step: Step,
    values: dict[str, str],
    limit: RenderLimit,
    mode: RunMode = RunMode(),
    run_options: RunOptions = RunOptions(),
) -> NewTask:
    """An ad-hoc copy (plugin_scp): one scp step, fields named `scp.<field>`."""
    validate.text("name", name, 255)
    check_mode(mode)
    projects.require_project(project_id)
    step = dataclasses.replace(step, name=step.name or name, uuid=tasks.new_uuid())
    step = _copy_options(project_id, step, run_options)
    check(step, "scp")
    inputs = _inputs(SubmittedAs.COPY, [step], values, run_options)
    planned = plan(project_id, [step], values, copy_field, limit)
    new = _new_task(
        project_id,
        name,
        submitter,
        call_type,
        JobType.PLUGIN_SCP,
        values,
        options.limited(planned, run_options.limit),
        inputs,
        job_uuid=step.uuid,  # as a command's
        mode=mode,
    )
    return dataclasses.replace(new, options=run_options)


def _copy_options(project_id: int, step: Step, run_options: RunOptions) -> Step:
    """The copy to its node group's nodes, as its account, when its options name them."""
    if not (run_options.nodegroup_id or run_options.account_id):
        return step
    if run_options.nodegroup_id and step.into_store:
        why = "a copy into the file server has no destination nodes"
        raise InvalidArgument(why, options.GROUP_FIELD)
    if run_options.nodegroup_id and step.dst.content.strip():
        raise InvalidArgument("name the destinations or a node group, not both", "scp.dst")
    targets = options.nodes(project_id, run_options, [], "scp.dst")
    return options.on_steps([step], targets, options.run_as(project_id, run_options))[0]


def existing(sub: JobSubmission) -> Task | None:
    """The task of the project a caller's uuid already names (submitting it again is a no-op).
    Task uuids are per project: another project's task of that uuid is none of this one's."""
    check_submission(sub)
    if not sub.task_uuid:
        return None
    return tasks.find(sub.project_id, sub.task_uuid)


def check_submission(sub: JobSubmission) -> None:
    """INVALID_ARGUMENT for a bad run mode or caller's uuid (no database needed)."""
    check_mode(sub.mode)
    if sub.task_uuid and not TASK_UUID.match(sub.task_uuid):
        raise InvalidArgument("must be 1 to 64 letters and digits", "task_uuid")


def job_task_unless_existing(sub: JobSubmission, limit: RenderLimit) -> NewTask | Task:
    """The task the caller's uuid already names, else the job's new task to write."""
    found = existing(sub)
    return found if found is not None else job_task(sub, limit)


def job_plan(
    sub: JobSubmission, limit: RenderLimit
) -> tuple[Job, list[Step], dict[str, str], list[PlannedStep]]:
    """The job a submission names, its steps, the values they run with (the job's variables
    overridden by the submitted ones) and the steps planned: what a dry run answers."""
    projects.require_project(sub.project_id)
    if not sub.job_uuid and not sub.job_name:
        raise InvalidArgument("name a job by uuid or by name", "job_uuid")
    job = jobs.get(sub.project_id, sub.job_uuid, sub.job_name)
    steps = _job_options(sub, jobs.steps_of(job))
    values = {**jobs.values(job), **sub.variables}
    planned = plan(sub.project_id, steps, values, job_field, limit)
    return job, steps, values, options.limited(planned, sub.options.limit)


def _job_options(sub: JobSubmission, steps: list[Step]) -> list[Step]:
    """The job's steps on the submission's nodes (`nodes`, or its node group's) and as its
    account, when it names them."""
    if not (sub.nodes or sub.options.nodegroup_id or sub.options.account_id):
        return steps
    bad = [n for n in sub.nodes if not validate.NODE_NAME.match(n)]
    if bad:
        raise InvalidArgument(f"not valid node name(s): {', '.join(map(repr, bad))}", "nodes")
    targets = options.nodes(sub.project_id, sub.options, list(sub.nodes), "nodes")
    return options.on_steps(steps, targets, options.run_as(sub.project_id, sub.options))


def job_task(sub: JobSubmission, limit: RenderLimit) -> NewTask:
    job, steps, values, planned = job_plan(sub, limit)
    inputs = _inputs(SubmittedAs.JOB, steps, values, sub.options)
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
    return dataclasses.replace(
        new, mutex=sub.mutex, crontab_id=sub.crontab_id, job_id=job.id, options=sub.options
    )


def _inputs(
    field: SubmittedAs, steps: list[Step], values: dict[str, str], run_options: RunOptions
) -> dict[str, Any]:
    """What a redo runs again: the steps as submitted (on the option's nodes, as its account),
    the values, and the option's `limit`, applied again to what they resolve to then."""
    steps_json = [s.to_json() for s in steps]
    return {"field": field, "steps": steps_json, "values": values, "limit": run_options.limit}


def redo_task(original: Task, submitter: str, limit: RenderLimit) -> NewTask:
    inputs = json.loads(original.inputs)
    steps = [Step.from_json(s) for s in inputs["steps"]]
    values: dict[str, str] = inputs["values"]
    field_name = FIELD_NAMES.get(inputs["field"], command_field)
    planned = plan(original.project_id, steps, values, field_name, limit)
    planned = options.limited(planned, str(inputs.get("limit", "")))
    new = _new_task(
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
    kept = RunOptions.from_stored(original.nodegroup_id, original.account_id, original.options)
    return dataclasses.replace(new, job_id=original.job_id, options=kept)


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


QUICK_CONDITIONS = ("deployenv", "action", "batches")


def approval_task(
    project_id: int, name: str, submitter: str, call_type: str, step: Step, values: dict[str, str]
) -> NewTask:
    """A quick approval (plugin_approval): one approval step, fields named as sent. A quick task
    has no rolling-batch context, so a condition other than `always` could never be decided:
    refused rather than passed without asking anyone (OpenC3 passes it)."""
    validate.text("name", name, 255)
    projects.require_project(project_id)
    for key in QUICK_CONDITIONS:
        if getattr(step, key) not in ("", "always"):
            why = "a quick approval runs outside any rolling batch: only `always` applies"
            raise InvalidArgument(why, key)
    step = dataclasses.replace(step, kind=StepKind.APPROVAL, name=name, uuid=tasks.new_uuid())
    check(step, "approval")
    inputs = _inputs(SubmittedAs.COMMAND, [step], values, RunOptions())
    planned = plan(project_id, [step], values, command_field)
    return _new_task(
        project_id,
        name,
        submitter,
        call_type,
        JobType.PLUGIN_APPROVAL,
        values,
        planned,
        inputs,
        job_uuid=step.uuid,  # as a command's: the quick page builds the step's log uuid from it
    )
