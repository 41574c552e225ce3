"""Catalogue rows: scripts, nodes, node groups and accounts (jobs live in store/jobs.py)."""

from __future__ import annotations

from typing import Any, TypeVar

import peewee as pw

from master.db.connection import write_transaction
from master.db.models import Account, Audited, Job, Node, NodeGroup, Script, utcnow
from master.domain import ListFilter
from master.errors import AlreadyExists, NotFound
from master.store import startreads
from master.store.filters import audited, page

M = TypeVar("M", bound=Audited)


def one(model: type[M], project_id: int, row_id: int, what: str) -> M:
    row: M | None = model.get_or_none((model.id == row_id) & (model.project == project_id))  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"{what} {row_id} not found in project {project_id}", "id")
    return row


def create(model: type[M], field: str, actor: str, **values: Any) -> M:
    now = utcnow()
    try:
        with write_transaction():
            return model.create(
                create_user=actor, edit_user=actor, create_time=now, edit_time=now, **values
            )
    except pw.IntegrityError as exc:
        raise AlreadyExists(f"{values.get(field)!r} exists in this project", field) from exc


def update(row: M, field: str, actor: str, **values: Any) -> M:
    for key, value in values.items():
        setattr(row, key, value)
    row.edit_user, row.edit_time = actor, utcnow()
    try:
        with write_transaction():
            row.save()
    except pw.IntegrityError as exc:
        raise AlreadyExists(f"{values.get(field)!r} exists in this project", field) from exc
    return row


def delete(model: type[Audited], project_id: int, row_id: int, what: str) -> None:
    one(model, project_id, row_id, what).delete_instance()


def used_by_jobs(project_id: int, job_name_contains: str) -> str:
    """All steps text of the project's jobs whose name contains the text (for `jobname`)."""
    jobs = Job.select(Job.steps).where(
        (Job.project == project_id) & Job.name.contains(job_name_contains)
    )
    return "\n".join(j.steps for j in jobs)


SHARED_PROJECT = 0
"""Project 0 holds what every project shares (OpenC3's tree 0): its scripts are listed and read
from every project, and written from project 0 only."""


def readable_script(project_id: int, script_id: int) -> Script:
    """A script of the project or of the shared project; any other is NOT_FOUND alike."""
    row: Script | None = Script.get_or_none(
        (Script.id == script_id) & Script.project.in_({project_id, SHARED_PROJECT})
    )
    if row is None:
        raise NotFound(f"script {script_id} not found in project {project_id}", "id")
    return row


def scripts(project_id: int, f: ListFilter) -> tuple[list[Script], int]:
    """The project's scripts and the shared project's, by id."""
    mine = Script.project.in_({project_id, SHARED_PROJECT})
    query = audited(Script.select().where(mine), Script, f, Script.name)
    rows, total = page(query, f, Script.id)
    if f.job_name_contains:
        text = used_by_jobs(project_id, f.job_name_contains)
        rows = [r for r in rows if (r.content and r.content in text) or cites(text, r.id)]
        total = len(rows)
    return rows, total


def cites(steps_text: str, script_id: int) -> bool:
    """Whether steps (as stored: JSON of master.domain.Step) cite the script."""
    return f'"script_id": {script_id},' in steps_text


def nodes(project_id: int, f: ListFilter) -> tuple[list[Node], int]:
    query = audited(Node.select().where(Node.project == project_id), Node, f, Node.name)
    if f.inip_contains:
        query = query.where(Node.inip.contains(f.inip_contains))
    if f.exip_contains:
        query = query.where(Node.exip.contains(f.exip_contains))
    return page(query, f, Node.id)


def groups(project_id: int, f: ListFilter) -> tuple[list[NodeGroup], int]:
    query = audited(
        NodeGroup.select().where(NodeGroup.project == project_id), NodeGroup, f, NodeGroup.name
    )
    if f.plugin:
        query = query.where(NodeGroup.plugin == f.plugin)
    rows, total = page(query, f, NodeGroup.id)
    if f.job_name_contains:
        text = used_by_jobs(project_id, f.job_name_contains)
        rows = [r for r in rows if f'"content": "{r.name}"' in text]
        total = len(rows)
    return rows, total


def group_by_name(project_id: int, name: str) -> NodeGroup | None:
    group: NodeGroup | None = NodeGroup.get_or_none(
        (NodeGroup.project == project_id) & (NodeGroup.name == name)
    )
    return group


def group_by_id(project_id: int, group_id: int) -> NodeGroup | None:
    group: NodeGroup | None = NodeGroup.get_or_none(
        (NodeGroup.project == project_id) & (NodeGroup.id == group_id)
    )
    return group


def accounts(project_id: int, f: ListFilter) -> tuple[list[Account], int]:
    query = audited(
        Account.select().where(Account.project == project_id), Account, f, Account.username
    )
    return page(query, f, Account.id)


def account_by_name(project_id: int, username: str) -> Account | None:
    account: Account | None = Account.get_or_none(
        (Account.project == project_id) & (Account.username == username)
    )
    return account


def account_by_id(project_id: int, account_id: int) -> Account | None:
    account: Account | None = Account.get_or_none(
        (Account.project == project_id) & (Account.id == account_id)
    )
    return account


def machines_named(project_id: int, names: list[str]) -> dict[str, Node]:
    return {n.name: n for n in startreads.nodes_named(project_id, names)}


def project_nodes(project_id: int) -> list[Node]:
    return list(Node.select().where(Node.project == project_id))


def nodes_known_as(project_id: int, keys: list[str]) -> list[Node]:
    """The project's nodes whose name, inner or outer IP is one of `keys` (maybe others too:
    every node of the project, when the keys are too many to match in SQL)."""
    found = startreads.nodes_matching(project_id, keys)
    return project_nodes(project_id) if found is None else found


def citable_script(project_id: int, shared_project: int, script_id: int) -> Script | None:
    """Script `script_id` if it belongs to the project or to the shared project; else None."""
    row: Script | None = Script.get_or_none(
        (Script.id == script_id) & Script.project.in_([project_id, shared_project])
    )
    return row
