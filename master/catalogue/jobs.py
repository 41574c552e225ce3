"""Jobs: saved with their steps checked and the variables those steps name, listed with whether
a run must supply some variable. Synchronous (run on the database threads)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from master.catalogue import cite, resolve, validate
from master.catalogue.job_variables import referenced
from master.catalogue.steps import checked, used_variables
from master.db.connection import write_transaction
from master.db.models import Job
from master.domain import ListFilter, Step, StepKind
from master.errors import InvalidArgument
from master.store import jobs, projects

MON_IDS = re.compile(r"^[A-Za-z0-9_,./]{0,200}$")


@dataclass(frozen=True)
class JobView:
    """A job, its steps read from their JSON, and whether a variable they use has no value."""

    row: Job
    steps: list[Step]
    needs_variables: bool


def save_job(
    project_id: int, name: str, permanent: bool, steps: list[Step], actor: str, uuid: str = ""
) -> JobView:
    """A new job (new step uuids, whatever was sent: a copy is a new job), or the job `uuid`
    saved again (steps sent back with their uuid keep it). Every variable the steps name is
    created empty unless the job has it; no variable row is removed or changed in value."""
    projects.require_project(project_id)
    validate.text("name", name, 255)
    ready = checked(steps, fresh=not uuid)
    for i, step in enumerate(ready):
        resolve.static_check(project_id, step.targets, f"steps[{i}].{step.targets_field}")
        if step.kind == StepKind.SCP:
            resolve.static_check(project_id, step.src, f"steps[{i}].src")
        if step.script_id:
            cite.check(project_id, step.script_id, f"steps[{i}].script_id")
    named = referenced(ready)
    with write_transaction():
        job = jobs.save(project_id, name.strip(), permanent, ready, actor, uuid)
        jobs.add_variables(job, named)
    return _views([job])[0]


def list_jobs(
    project_id: int, f: ListFilter, permanent_only: bool = False
) -> tuple[list[JobView], int]:
    projects.require_project(project_id)
    rows, total = jobs.search(project_id, f, permanent_only)
    return _views(rows), total


def get_job(project_id: int, uuid: str, name: str, job_id: int = 0) -> JobView:
    projects.require_project(project_id)  # a job missing is then told from a project missing
    return _views([jobs.get(project_id, uuid, name, job_id)])[0]


def set_job_monitor(
    project_id: int, uuid: str, mon_ids: str, mon_status: bool, actor: str
) -> JobView:
    """Which monitor ids may start the job, and whether they may (OpenC3's update_mon)."""
    projects.require_project(project_id)
    if not MON_IDS.match(mon_ids):
        raise InvalidArgument("at most 200 letters, digits and `_,./`", "mon_ids")
    job = jobs.set_monitor(project_id, uuid, mon_ids, mon_status, actor)
    return _views([job])[0]


def _views(rows: list[Job]) -> list[JobView]:
    empty = jobs.empty_variables([r.id for r in rows])
    views = []
    for row in rows:
        steps = jobs.steps_of(row)
        mine = empty[row.id]
        needs = any(mine.values()) or bool(used_variables(steps) - mine.keys())
        views.append(JobView(row, steps, needs))
    return views
