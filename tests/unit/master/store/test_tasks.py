"""The task store: a task is written whole with its steps, a step start writes one execution per
node, a rerun supersedes the failed ones, a task ends once, and searches filter per project."""

from __future__ import annotations

import datetime as dt
import re

import peewee
import pytest

from master.db.models import Execution, Subtask, Task
from master.domain import (
    NO_PROJECT,
    Blob,
    ExecutionStatus,
    JobType,
    NewStep,
    NewTask,
    Placement,
    Role,
    SlaveResult,
    StepKind,
    SubtaskStatus,
    TaskFilter,
    TaskStatus,
)
from master.errors import AlreadyExists, NotFound
from master.store import executions, projects, tasks


def new_task(
    project_id: int = 1, name: str = "t", submitter: str = "me", steps: int = 2, uuid: str = ""
) -> NewTask:
    made = [NewStep(f"step{i}", StepKind.CMD, "", 2, {"n": i}) for i in range(steps)]
    return NewTask(project_id, name, submitter, "api", JobType.JOB, {"v": "1"}, made, {}, uuid=uuid)


def placed(*nodes: str) -> list[Placement]:
    return [Placement(n, n) for n in nodes]


def test_create_writes_the_task_running_with_every_step_not_started(
    database: peewee.Database,
) -> None:
    task = tasks.create(new_task(steps=3))

    found = tasks.get(task.uuid, 1)
    steps = tasks.subtasks(task.id)
    assert (found.status, found.position, found.variables) == ("running", 0, '{"v": "1"}')
    assert [(s.position, s.uuid, s.status) for s in steps] == [
        (0, "step0", "init"),
        (1, "step1", "init"),
        (2, "step2", "init"),
    ]
    assert tasks.executions(task.id) == []


def test_create_refuses_a_uuid_the_project_has_and_writes_nothing(
    database: peewee.Database,
) -> None:
    tasks.create(new_task(uuid="Mine1"))

    with pytest.raises(AlreadyExists) as err:
        tasks.create(new_task(uuid="Mine1", steps=5))

    assert err.value.field == "task_uuid"
    assert (Task.select().count(), Subtask.select().count()) == (1, 2)


def test_start_step_runs_the_step_with_one_execution_per_node_and_failures_final(
    database: peewee.Database,
) -> None:
    task = tasks.create(new_task())
    where = [Placement("web1", "web1"), Placement("ghost", "", "no such node")]

    rows = tasks.start_step(task.id, 1, where)

    assert [(r.node, r.slave, r.status, r.reason, r.attempt) for r in rows] == [
        ("web1", "web1", "pending", "", 1),
        ("ghost", "", "fail", "no such node", 1),
    ]
    assert rows[1].exit_code == -1 and rows[1].finished_at is not None
    assert tasks.get_by_id(task.id).position == 1
    assert [s.status for s in tasks.subtasks(task.id)] == ["init", "running"]


def test_a_step_starts_once_a_second_start_writes_and_sends_nothing(
    database: peewee.Database,
) -> None:
    task = tasks.create(new_task())
    first = tasks.start_step(task.id, 0, placed("web1", "web2"))

    again = tasks.start_step(task.id, 0, placed("web1", "web2"))

    assert len(first) == 2 and again == []
    assert len(tasks.executions(task.id)) == 2


def test_add_executions_returns_only_the_new_ones_with_their_blob(
    database: peewee.Database,
) -> None:
    task = tasks.create(new_task(steps=1))
    [fetch] = tasks.start_step(task.id, 0, [Placement("db1", "db1", role=Role.FETCH)])
    blob = Blob("ab" * 32, 10, archive=True)

    places = tasks.add_executions(
        task.id, fetch.subtask_id, [Placement(n, n, role=Role.PLACE, blob=blob) for n in ("a", "b")]
    )

    assert [(p.node, p.role) for p in places] == [("a", "place"), ("b", "place")]
    assert Blob.decode(places[0].blob, places[0].blob_size) == blob


def test_rerun_supersedes_the_failed_executions_and_writes_the_next_attempt(
    database: peewee.Database,
) -> None:
    task = tasks.create(new_task(steps=1))
    ok, bad = tasks.start_step(task.id, 0, placed("web1", "web2"))
    executions.close([bad.id], ExecutionStatus.FAIL, "exit 1")
    executions.record_result(SlaveResult(ok.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)
    tasks.set_subtask(ok.subtask_id, SubtaskStatus.DECISION)
    tasks.set_status(task.id, TaskStatus.DECISION)

    again = tasks.rerun(task.id, ok.subtask_id, placed("web2"))

    assert [(r.node, r.attempt, r.status) for r in again] == [("web2", 2, "pending")]
    live = tasks.live_executions(ok.subtask_id)
    assert [(r.node, r.attempt) for r in live] == [("web1", 1), ("web2", 2)]
    assert Execution.get_by_id(bad.id).superseded
    assert (tasks.get_by_id(task.id).status, Subtask.get_by_id(ok.subtask_id).status) == (
        "running",
        "running",
    )


def test_a_task_finishes_once_and_a_kill_ends_its_open_steps(database: peewee.Database) -> None:
    task = tasks.create(new_task())
    tasks.start_step(task.id, 0, placed("web1"))

    first = tasks.finish(task.id, TaskStatus.KILLED, "killed on request")
    second = tasks.finish(task.id, TaskStatus.SUCCESS)

    ended = tasks.get_by_id(task.id)
    assert (first, second) == (True, False)
    assert (ended.status, ended.reason) == ("killed", "killed on request")
    assert [s.status for s in tasks.subtasks(task.id)] == ["killed", "init"]


def test_search_filters_within_the_project_newest_first(database: peewee.Database) -> None:
    other = int(projects.create_project("second").id)
    a = tasks.create(new_task(name="deploy web", submitter="ann"))
    b = tasks.create(new_task(name="deploy db", submitter="bob", uuid="Bob1"))
    c = tasks.create(new_task(name="backup", submitter="ann"))
    tasks.create(new_task(other, name="deploy web", submitter="ann"))
    tasks.finish(c.id, TaskStatus.SUCCESS)
    Task.update(created_at=dt.datetime(2020, 1, 1)).where(Task.id == a.id).execute()

    def ids(f: TaskFilter) -> tuple[list[int], int]:
        rows, total = tasks.search(f)
        return [r.id for r in rows], total

    year = dt.datetime(2021, 1, 1)
    assert ids(TaskFilter(1)) == ([c.id, b.id, a.id], 3)
    assert ids(TaskFilter(1, name_contains="deploy")) == ([b.id, a.id], 2)
    assert ids(TaskFilter(1, submitter="ann")) == ([c.id, a.id], 2)
    assert ids(TaskFilter(1, statuses=("success",))) == ([c.id], 1)
    assert ids(TaskFilter(1, statuses=("success", "running"))) == ([c.id, b.id, a.id], 3)
    assert ids(TaskFilter(1, uuid="Bob1")) == ([b.id], 1)
    assert ids(TaskFilter(1, started_before=year)) == ([a.id], 1)
    assert ids(TaskFilter(1, started_after=year)) == ([c.id, b.id], 2)
    assert ids(TaskFilter(1, limit=1, offset=1)) == ([b.id], 3)


def test_an_admins_search_naming_no_project_finds_every_projects_tasks(
    database: peewee.Database,
) -> None:
    other = int(projects.create_project("second").id)
    mine = tasks.create(new_task(name="deploy web"))
    theirs = tasks.create(new_task(other, name="deploy web"))

    rows, total = tasks.search(TaskFilter(NO_PROJECT, name_contains="deploy"))

    assert ([r.id for r in rows], total) == ([theirs.id, mine.id], 2)


def test_a_task_of_another_project_is_not_found(database: peewee.Database) -> None:
    other = int(projects.create_project("second").id)
    task = tasks.create(new_task(other))

    with pytest.raises(NotFound) as err:
        tasks.get(task.uuid, 1)

    assert err.value.field == "uuid"
    assert tasks.get(task.uuid, other).id == task.id


def test_new_task_and_step_uuids_are_12_letters_and_digits(database: peewee.Database) -> None:
    drawn = {tasks.new_uuid() for _ in range(200)}
    task = tasks.create(new_task())

    assert len(drawn) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9]{12}", u) for u in [*drawn, task.uuid])


def test_a_drawn_uuid_the_project_has_is_drawn_again(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = tasks.create(new_task(uuid="Taken0000001")).uuid
    draws = iter([taken, taken, "Fresh0000001"])
    monkeypatch.setattr(tasks, "new_uuid", lambda: next(draws))

    assert tasks.create(new_task()).uuid == "Fresh0000001"


def test_an_old_32_hex_uuid_is_still_found(database: peewee.Database) -> None:
    old = tasks.create(new_task(uuid="0123456789abcdef0123456789abcdef"))

    assert tasks.get("0123456789abcdef0123456789abcdef", 1).id == old.id


def test_count_since_counts_the_projects_tasks_by_status(database: peewee.Database) -> None:
    other = int(projects.create_project("second").id)
    ended = [tasks.create(new_task()) for _ in range(3)]
    tasks.create(new_task())
    tasks.create(new_task(other))
    tasks.finish(ended[0].id, TaskStatus.SUCCESS)
    tasks.finish(ended[1].id, TaskStatus.KILLED, "killed by ann")
    tasks.set_status(ended[2].id, TaskStatus.DECISION)

    assert tasks.count_since(1, dt.datetime(2000, 1, 1)) == {
        "success": 1,
        "killed": 1,
        "decision": 1,
        "running": 1,
    }
    assert tasks.count_since(1, dt.datetime(2999, 1, 1)) == {}


def test_a_kill_request_keeps_its_reason_for_the_end(database: peewee.Database) -> None:
    task = tasks.create(new_task())

    tasks.request_kill(task.id, "killed by ann")

    row = tasks.get_by_id(task.id)
    assert (row.kill_requested, row.reason, row.status) == (True, "killed by ann", "running")
