"""Jobs (ordered steps, stored as JSON) and their variables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import peewee as pw

from master.db.connection import write_transaction
from master.db.models import Job, Variable, utcnow
from master.domain import NO_PROJECT, ListFilter, Step, short_uuid
from master.errors import AlreadyExists, NotFound
from master.store.filters import audited, page


def steps_of(job: Job) -> list[Step]:
    return [Step.from_json(s) for s in json.loads(job.steps)]


def search(project_id: int, f: ListFilter, permanent_only: bool = False) -> tuple[list[Job], int]:
    query = audited(Job.select().where(Job.project == project_id), Job, f, Job.name)
    if permanent_only:
        query = query.where(Job.permanent)
    return page(query, f, Job.id)


def get(project_id: int, uuid: str = "", name: str = "", job_id: int = 0) -> Job:
    """The project's job of that uuid, else of that name, else of that numeric id."""
    query = Job.select().where(Job.project == project_id)
    if uuid:
        query = query.where(Job.uuid == uuid)
    elif name or not job_id:
        query = query.where(Job.name == name)
    else:
        query = query.where(Job.id == job_id)
    job: Job | None = query.first()
    if job is None:
        field = "uuid" if uuid else "name" if name or not job_id else "id"
        named = repr(uuid or name) if uuid or name or not job_id else str(job_id)
        raise NotFound(f"job {named} not found in project {project_id}", field)
    return job


def save(
    project_id: int, name: str, permanent: bool, steps: list[Step], actor: str, uuid: str = ""
) -> Job:
    """Create (no uuid) or replace a job."""
    now = utcnow()
    data = json.dumps([s.to_json() for s in steps])
    try:
        with write_transaction():
            if not uuid:
                return Job.create(
                    project=project_id,
                    uuid=short_uuid(),
                    name=name,
                    permanent=permanent,
                    steps=data,
                    create_user=actor,
                    edit_user=actor,
                    create_time=now,
                    edit_time=now,
                )
            job = get(project_id, uuid)
            job.name, job.permanent, job.steps = name, permanent, data
            job.edit_user, job.edit_time = actor, now
            job.save()
            return job
    except pw.IntegrityError as exc:
        raise AlreadyExists(f"a job named {name!r} exists in this project", "name") from exc


def delete(project_id: int, uuid: str) -> None:
    get(project_id, uuid).delete_instance()


def variables(job: Job) -> list[Variable]:
    return list(Variable.select().where(Variable.job == job.id).order_by(Variable.id))


def values(job: Job) -> dict[str, str]:
    return {v.name: v.value for v in variables(job)}


BATCH = 200
"""Rows per statement: well under SQLite's limit on a statement's parameters."""


def empty_variables(job_ids: list[int]) -> dict[int, dict[str, bool]]:
    """Each job's variable names, and whether each has no value (values are not read)."""
    rows: Any = Variable.select(Variable.job, Variable.name, (Variable.value == "").alias("empty"))
    found: dict[int, dict[str, bool]] = {job_id: {} for job_id in job_ids}
    for batch in pw.chunked(job_ids, BATCH):
        for job_id, name, empty in rows.where(Variable.job.in_(batch)).tuples():
            found[job_id][name] = bool(empty)
    return found


def add_variables(job: Job, envs: Mapping[str, str]) -> None:
    """Its steps use these names (name -> env): the missing ones are created empty, every
    existing row keeps its value; each named row gets its env, every other row none."""
    with write_transaction():
        have = {v.name for v in variables(job)}
        new = [{"job": job.id, "name": n} for n in envs if n not in have]
        for batch in pw.chunked(new, BATCH):
            Variable.insert_many(batch).execute()
        Variable.update(env="").where(Variable.job == job.id).execute()
        for env in {e for e in envs.values() if e}:
            for names in pw.chunked([n for n, e in envs.items() if e == env], BATCH):
                Variable.update(env=env).where(
                    (Variable.job == job.id) & Variable.name.in_(names)
                ).execute()


def save_variable(
    job: Job, name: str, value: str, describe: str, var_id: int = 0, option: str = ""
) -> Variable:
    with write_transaction():
        if var_id:
            row: Variable | None = Variable.get_or_none(
                (Variable.id == var_id) & (Variable.job == job.id)
            )
            if row is None:
                raise NotFound(f"variable {var_id} not found in job {job.uuid}", "id")
        else:
            row = Variable.get_or_none((Variable.job == job.id) & (Variable.name == name))
            row = row or Variable(job=job.id)
        row.name, row.value, row.describe, row.option = name, value, describe, option
        try:
            row.save()
        except pw.IntegrityError as exc:
            raise AlreadyExists(f"variable {name!r} exists in this job", "name") from exc
        return row


def delete_variable(job: Job, name: str) -> None:
    deleted = Variable.delete().where((Variable.job == job.id) & (Variable.name == name)).execute()
    if not deleted:
        raise NotFound(f"variable {name!r} not found in job {job.uuid}", "name")


def by_id(project_id: int, job_id: int) -> Job:
    """The job of that row id in the project; NO_PROJECT (an admin's call naming none) looks
    in every project (ids are unique across them)."""
    query = Job.select().where(Job.id == job_id)
    anywhere = project_id == NO_PROJECT
    job: Job | None = (query if anywhere else query.where(Job.project == project_id)).first()
    if job is None:
        where = "" if anywhere else f" in project {project_id}"
        raise NotFound(f"job {job_id} not found{where}", "job_id")
    return job


def set_monitor(project_id: int, uuid: str, mon_ids: str, mon_status: bool, actor: str) -> Job:
    with write_transaction():
        job = get(project_id, uuid)
        job.mon_ids, job.mon_status = mon_ids, mon_status
        job.edit_user, job.edit_time = actor, utcnow()
        job.save()
        return job


def variable(job: Job, name: str) -> Variable:
    row: Variable | None = Variable.get_or_none((Variable.job == job.id) & (Variable.name == name))
    if row is None:
        raise NotFound(f"variable {name!r} not found in job {job.uuid}", "name")
    return row
