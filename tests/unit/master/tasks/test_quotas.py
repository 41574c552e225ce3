"""Quotas per project: the start rate (a token bucket of 5 s worth), tasks not ended counted per
project in the store."""

from __future__ import annotations

import peewee
import pytest

from master.domain import JobType, NewTask, TaskStatus
from master.errors import ResourceExhausted
from master.store import projects, tasks
from master.tasks.quotas import StartRate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_project_starts_a_burst_of_five_seconds_worth_then_at_the_rate() -> None:
    clock = Clock()
    rate = StartRate(2.0, clock)
    for _ in range(10):
        rate.take(1)

    with pytest.raises(ResourceExhausted) as err:
        rate.take(1)
    rate.take(2)  # another project has its own bucket
    clock.now += 0.5
    rate.take(1)  # one more after half a second at 2 per second

    assert err.value.field == ""
    assert "--max-submissions-per-second" in str(err.value)
    with pytest.raises(ResourceExhausted):
        rate.take(1)


def new_task(project_id: int, uuid: str = "") -> NewTask:
    return NewTask(project_id, "t", "me", "api", JobType.PLUGIN_CMD, {}, [], {}, uuid=uuid)


@pytest.fixture
def two_projects(database: peewee.Database) -> int:
    return int(projects.create_project("second").id)


def test_tasks_not_ended_are_counted_per_project(two_projects: int) -> None:
    made = [tasks.create(new_task(1), max_running=2) for _ in range(2)]
    with pytest.raises(ResourceExhausted) as err:
        tasks.create(new_task(1), max_running=2)
    tasks.create(new_task(two_projects), max_running=2)  # the other project is not counted
    tasks.finish(made[0].id, TaskStatus.SUCCESS)
    tasks.create(new_task(1), max_running=2)  # one ended: room for one more

    assert "--max-running-tasks" in str(err.value) and err.value.field == ""
