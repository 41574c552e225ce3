"""Tasks written many at once (what the crontab scheduler starts in a tick) are the rows
tasks.create writes, refused as it refuses them, all in one transaction."""

from __future__ import annotations

import dataclasses
from typing import Any

import peewee

from master.db.models import Subtask, Task
from master.domain import JobType, NewStep, NewTask, RunMode, TaskStatus
from master.errors import AlreadyExists, ResourceExhausted
from master.store import projects, taskbatch, tasks

VARIABLES = {"b": "2", "a": "1"}
STEPS = [NewStep(f"step{i}", "cmd", "", 2, {"n": i, "m": [i]}) for i in range(2)]  # type: ignore[arg-type]


def new_task(uuid: str, project_id: int = 1) -> NewTask:
    return NewTask(
        project_id,
        "t",
        "crontab",
        "crontab",
        JobType.JOB,
        VARIABLES,
        STEPS,
        {"steps": [], "values": VARIABLES},
        uuid=uuid,
        job_uuid="job1",
        mutex="m",
        crontab_id=7,
        mode=RunMode(forks=3),
        job_id=5,
    )


def columns(model: Any, row: Any, skip: set[str]) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in model._meta.sorted_fields if f.name not in skip}


def test_the_rows_are_those_tasks_create_writes(database: peewee.Database) -> None:
    one = tasks.create(new_task("One1"))
    (batch_id,) = taskbatch.create_many([new_task("Two2")])
    assert isinstance(batch_id, int)

    times = {"id", "uuid", "created_at", "started_at"}
    alone, together = Task.get_by_id(one.id), Task.get_by_id(batch_id)
    assert columns(Task, together, times) == columns(Task, alone, times)
    assert together.started_at == together.created_at and together.status == TaskStatus.RUNNING
    steps = [columns(Subtask, s, {"id", "task"}) for s in tasks.subtasks(one.id)]
    assert [columns(Subtask, s, {"id", "task"}) for s in tasks.subtasks(batch_id)] == steps


def test_each_is_refused_as_tasks_create_refuses_it_and_the_rest_written(
    database: peewee.Database,
) -> None:
    tasks.create(new_task("Taken1"))
    wanted = [new_task("Taken1"), new_task("New1"), new_task("New2"), new_task("New3")]

    outcomes = taskbatch.create_many(wanted, max_running=3)

    assert isinstance(outcomes[0], AlreadyExists) and outcomes[0].field == "task_uuid"
    assert [type(o) for o in outcomes[1:]] == [int, int, ResourceExhausted]
    found = {t.uuid for t in Task.select()}
    assert found == {"Taken1", "New1", "New2"}
    assert Subtask.select().count() == 6
    second = int(projects.create_project("second").id)
    others = taskbatch.create_many([dataclasses.replace(new_task("Taken1"), project_id=second)])
    assert isinstance(others[0], int)  # uuids and quotas are per project
