"""Task uuids are a namespace per project: the same uuid in two projects is two tasks, and a
lookup without a project refuses to pick one of several."""

from __future__ import annotations

import peewee
import pytest

from master.domain import NO_PROJECT, JobType, NewTask
from master.errors import AlreadyExists, InvalidArgument, NotFound
from master.store import projects, tasks


def new_task(project_id: int, uuid: str = "") -> NewTask:
    return NewTask(project_id, "t", "me", "api", JobType.PLUGIN_CMD, {}, [], {}, uuid=uuid)


@pytest.fixture
def two_projects(database: peewee.Database) -> int:
    return int(projects.create_project("second").id)


def test_the_same_task_uuid_is_taken_once_per_project(two_projects: int) -> None:
    first = tasks.create(new_task(1, "Same1"))
    second = tasks.create(new_task(two_projects, "Same1"))
    with pytest.raises(AlreadyExists):
        tasks.create(new_task(two_projects, "Same1"))

    assert first.id != second.id
    assert tasks.get("Same1", 1).id == first.id
    assert tasks.get("Same1", two_projects).id == second.id
    assert tasks.find(two_projects, "Only1") is None


def test_an_admin_lookup_without_a_project_is_refused_when_the_uuid_is_ambiguous(
    two_projects: int,
) -> None:
    tasks.create(new_task(1, "Same1"))
    tasks.create(new_task(two_projects, "Same1"))
    alone = tasks.create(new_task(two_projects, "Alone1"))

    with pytest.raises(InvalidArgument) as err:
        tasks.get("Same1", NO_PROJECT)

    assert err.value.field == "project_id"
    assert tasks.get("Alone1", NO_PROJECT).id == alone.id
    with pytest.raises(NotFound):  # project 0 is a project: the shared one, holding neither
        tasks.get("Alone1", 0)
