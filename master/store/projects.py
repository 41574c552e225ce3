"""Projects: every catalogue object and task belongs to one."""

from __future__ import annotations

import peewee as pw

from master.db.bulk import sync_id_sequence
from master.db.connection import write_transaction
from master.db.models import Project
from master.domain import NO_PROJECT
from master.errors import AlreadyExists, InvalidArgument, NotFound
from master.store import startreads


def require_project(project_id: int) -> Project:
    """The project (0 is the shared one); an admin request naming none is refused here."""
    if project_id == NO_PROJECT:
        raise InvalidArgument("required: name the project", "project_id")
    if project_id < 0:
        raise InvalidArgument(f"must be 0 or a positive integer, got {project_id}", "project_id")
    project = startreads.project(project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found", "project_id")
    return project


def create_project(name: str, project_id: int = 0) -> Project:
    """A new project, `project_id` 0 = the next free id (project 0 itself is made by the
    migration `0011_shared_project`)."""
    name = name.strip()
    if not name or len(name) > 255:
        raise InvalidArgument("must be 1 to 255 characters", "name")
    try:
        with write_transaction():
            if project_id:
                project: Project = Project.create(id=project_id, name=name)
                sync_id_sequence(Project)
                return project
            return Project.create(name=name)
    except pw.IntegrityError as exc:
        raise AlreadyExists(f"project {name!r} or id {project_id} exists", "name") from exc


def list_projects() -> list[Project]:
    return list(Project.select().order_by(Project.id))
