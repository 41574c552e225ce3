"""A task written already started (store/taskstart.py) holds the rows a task written and then
started (tasks.create, tasks.start_step) holds, hands back the rows it wrote, and refuses what
tasks.create refuses, writing nothing. On SQLite, and on PostgreSQL (COPY) too when
JOBFLEET_TEST_DB is set."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, cast

import peewee
import pytest
from playhouse.pool import PooledDatabase

from master.db.connection import open_database
from master.db.models import Execution, Task, VersionVariable
from master.db.schema import migrate
from master.domain import (
    Blob,
    JobType,
    NewStep,
    NewTask,
    Placement,
    Role,
    StepKind,
)
from master.errors import AlreadyExists, ResourceExhausted
from master.store import tasks, taskstart, taskstarts
from tests import pg


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[peewee.Database]:
    """The test's own migrated database on each backend."""
    if request.param == "sqlite":
        yield request.getfixturevalue("database")
        return
    if not pg.server_url():
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
    url = pg.create_database(pg.server_url())
    opened = open_database(url, pool_size=2)
    migrate(opened)
    yield opened
    cast(PooledDatabase, opened).close_all()
    pg.drop_database(url)


NEW = NewTask(
    1,
    "t",
    "me",
    "api",
    JobType.JOB,
    {"a": "b"},
    [NewStep("s0", StepKind.CMD, "", 3, {"n": 0}), NewStep("s1", StepKind.CMD, "", 1, {"n": 1})],
    {},
)
PLACED = [
    Placement("web1", "web1", ip="10.0.0.1", cloud_id=2),
    Placement("web2", "", "a\ttab, a\nnewline and a \\ backslash"),  # COPY's escapes
    Placement("web3", "s1", role=Role.PLACE, blob=Blob("ab" * 32, 7, archive=True)),
]


def no_versions(task: Task) -> list[tuple[str, str, str]]:
    return []


def stored(task_id: int) -> dict[str, Any]:
    """The task's rows, without ids, uuids and times."""
    task = tasks.get_by_id(task_id)
    skip = {"id", "task", "subtask", "created_at", "finished_at", "started_at", "uuid"}
    return {
        "task": {k: v for k, v in task.__data__.items() if k not in skip},
        "steps": [
            (s.position, s.status, s.spec, s.started_at is not None, s.finished_at)
            for s in tasks.subtasks(task_id)
        ],
        "rows": [
            {k: v for k, v in e.__data__.items() if k not in skip} | {"end": bool(e.finished_at)}
            for e in tasks.executions(task_id)
        ],
    }


def test_a_task_written_started_holds_what_one_written_then_started_holds(
    database: peewee.Database,
) -> None:
    spec = {"n": 0, "cited": "read at the start"}
    general = tasks.create(NEW)
    tasks.start_step(general.id, 0, PLACED, spec)

    task, rows, steps = taskstart.start_task_steps(NEW, 0, PLACED, spec, no_versions)

    assert stored(task.id) == stored(general.id)
    assert [r.__data__ for r in rows] == [r.__data__ for r in tasks.executions(task.id)]
    assert task.__data__ == tasks.get_by_id(task.id).__data__  # as a read finds them
    assert [s.__data__ for s in steps] == [s.__data__ for s in tasks.subtasks(task.id)]
    assert [r.status for r in rows] == ["pending", "fail", "pending"]
    assert rows[1].reason == PLACED[1].failure


def test_a_refused_task_writes_nothing(database: peewee.Database) -> None:
    first, _ = taskstart.start_task(
        dataclasses.replace(NEW, uuid="mine"), 0, PLACED, None, no_versions
    )
    before = (Task.select().count(), Execution.select().count())

    with pytest.raises(AlreadyExists, match="task_uuid"):
        taskstart.start_task(dataclasses.replace(NEW, uuid="mine"), 0, PLACED, None, no_versions)
    with pytest.raises(ResourceExhausted, match="max-running-tasks"):
        taskstart.start_task(NEW, 1, PLACED, None, lambda t: [("web1", "VERSION", "Do_1")])

    assert (Task.select().count(), Execution.select().count()) == before
    assert VersionVariable.select().count() == 0
    assert tasks.get_by_id(first.id).status == "running"


def test_many_nodes_are_written_in_node_order(database: peewee.Database) -> None:
    placed = [Placement(f"n{i:05d}", f"s{i % 7}") for i in range(3000)]

    task, rows = taskstart.start_task(NEW, 0, placed, None, no_versions)

    assert [r.node for r in tasks.executions(task.id)] == [p.node for p in placed]
    assert [r.id for r in rows] == [r.id for r in tasks.executions(task.id)]


def test_tasks_written_started_together_hold_what_each_written_alone_holds(
    database: peewee.Database,
) -> None:
    spec = {"n": 0, "cited": "read at the start"}
    alone, _ = taskstart.start_task(NEW, 0, PLACED, spec, no_versions)
    one_node = [Placement("web9", "s9")]
    batch = [
        taskstarts.Start(dataclasses.replace(NEW, uuid="a"), PLACED, spec),
        taskstarts.Start(dataclasses.replace(NEW, uuid="b", steps=NEW.steps[:1]), one_node),
        taskstarts.Start(NEW, PLACED, spec),  # no uuid: one is drawn
    ]

    written = taskstarts.start_tasks(batch, 0, no_versions)

    started = [cast(tuple[Task, list[Execution]], w) for w in written]
    assert stored(started[0][0].id) == stored(alone.id) == stored(started[2][0].id)
    assert [t.uuid for t, _ in started][:2] == ["a", "b"] and started[2][0].uuid
    assert [(e.node, e.status) for e in started[1][1]] == [("web9", "pending")]
    assert stored(started[1][0].id)["steps"] == [(0, "running", '{"n": 0}', True, None)]
    for task, rows in started:
        assert task.__data__ == tasks.get_by_id(task.id).__data__ | {"id": task.id}
        assert [r.__data__ for r in rows] == [r.__data__ for r in tasks.executions(task.id)]


def test_a_task_refused_in_a_batch_leaves_the_others_written(database: peewee.Database) -> None:
    taskstart.start_task(dataclasses.replace(NEW, uuid="taken"), 0, PLACED, None, no_versions)
    versioned = lambda t: [("web1", "VERSION", f"Do_{t.uuid}")]  # noqa: E731
    batch = [
        taskstarts.Start(dataclasses.replace(NEW, uuid=u), PLACED) for u in ("x", "taken", "x", "y")
    ]

    written = taskstarts.start_tasks(batch, 3, versioned)  # 1 open: room for two more

    assert isinstance(written[0], tuple) and written[0][0].uuid == "x"
    assert isinstance(written[1], AlreadyExists) and isinstance(written[2], AlreadyExists)
    assert isinstance(written[3], tuple) and written[3][0].uuid == "y"
    more = taskstarts.start_tasks(
        [taskstarts.Start(dataclasses.replace(NEW, uuid="z"), [])], 3, versioned
    )
    assert isinstance(more[0], ResourceExhausted)
    assert Task.select().count() == 3 and Execution.select().count() == 9
    assert [v.value for v in VersionVariable.select()] == ["Do_y"]


def test_a_taken_uuid_is_refused_by_the_insert_and_a_drawn_one_drawn_again(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken, _ = taskstart.start_task(
        dataclasses.replace(NEW, uuid="mine"), 0, PLACED, None, no_versions
    )
    draws = iter(["mine", "mine", "fresh"])
    monkeypatch.setattr(tasks, "new_uuid", lambda: next(draws))

    drawn, rows = taskstart.start_task(NEW, 0, PLACED[:1], None, no_versions)  # one INSERT
    with pytest.raises(AlreadyExists, match="task_uuid"):  # taken said first, over quota too
        taskstart.start_task(dataclasses.replace(NEW, uuid="mine"), 2, PLACED, None, no_versions)
    monkeypatch.setattr(tasks, "new_uuid", lambda: "mine")
    with pytest.raises(AlreadyExists, match="no unused task uuid"):
        taskstart.start_task(NEW, 0, PLACED, None, no_versions)

    assert drawn.uuid == "fresh" and drawn.id != taken.id
    assert [r.__data__ for r in rows] == [r.__data__ for r in tasks.executions(drawn.id)]
    assert Task.select().count() == 2


def test_copy_text_writes_each_row_as_its_values_escaped_in_order() -> None:
    rows = [
        (7, "n\t1", None, True, "PENDING", "2026-01-01 00:00:00"),
        (7, "n\\2", -1, False, "FAIL", "2026-01-01 00:00:00"),
        (7, "n3\n", None, True, "PENDING", "2026-01-01 00:00:00"),
    ]
    assert taskstart.copy_text(rows) == (
        "7\tn\\t1\t\\N\tt\tPENDING\t2026-01-01 00:00:00\n"
        "7\tn\\\\2\t-1\tf\tFAIL\t2026-01-01 00:00:00\n"
        "7\tn3\\n\t\\N\tt\tPENDING\t2026-01-01 00:00:00\n"
    )
    assert taskstart.copy_text([]) == ""
