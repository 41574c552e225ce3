"""A task's advances claimed once on a real PostgreSQL, where several masters' engines (and
the store-level settle of the master a slave reports to) may move one task at the same moment:
of settles racing in threads, one ends the step, one reruns it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

import peewee
import pytest
from playhouse.pool import PooledDatabase

from master.db.connection import in_connection, open_database
from master.db.schema import migrate
from master.domain import ExecutionStatus, SlaveResult, SubtaskStatus, TaskStatus
from master.store import claims, executions, tasks
from tests import pg
from tests.unit.master.store.test_tasks import new_task, placed

T = TypeVar("T")
RACERS = 6


@pytest.fixture
def database() -> Iterator[peewee.Database]:
    if not pg.server_url():
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
    url = pg.create_database(pg.server_url())
    database = open_database(url, pool_size=RACERS + 2)
    in_connection(migrate, database)
    yield database
    cast(PooledDatabase, database).close_all()
    pg.drop_database(url)


def race(work: Callable[[], T]) -> list[T]:
    """`work` run by RACERS threads at once, each on its own connection; what each returned."""
    start = threading.Barrier(RACERS)
    got: list[T] = []

    def one() -> None:
        start.wait()
        got.append(in_connection(work))

    threads = [threading.Thread(target=one) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return got


def at_decision() -> tuple[int, int]:
    """A task whose first step ended for a decision: web1 failed, web2 succeeded."""
    task = tasks.create(new_task(steps=2))
    ok, bad = tasks.start_step(task.id, 0, placed("web1", "web2"))
    executions.close([bad.id], ExecutionStatus.FAIL, "exit 1")
    executions.record_result(SlaveResult(ok.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)
    tasks.set_subtask(ok.subtask_id, SubtaskStatus.DECISION)
    tasks.set_status(task.id, TaskStatus.DECISION)
    return task.id, ok.subtask_id


def test_of_settles_ending_a_step_at_once_one_ends_it(database: peewee.Database) -> None:
    def ran() -> tuple[int, int]:
        task = tasks.create(new_task(steps=2))
        [row] = tasks.start_step(task.id, 0, placed("web1"))
        executions.close([row.id], ExecutionStatus.FAIL, "exit 1")
        return task.id, row.subtask_id

    task_id, step_id = in_connection(ran)

    ended = race(
        lambda: claims.end_step(task_id, step_id, SubtaskStatus.DECISION, SubtaskStatus.RUNNING)
    )

    assert sorted(ended) == [False] * (RACERS - 1) + [True]


def test_a_step_with_an_execution_open_is_not_ended(database: peewee.Database) -> None:
    def running() -> tuple[int, int]:
        task = tasks.create(new_task(steps=2))
        [row] = tasks.start_step(task.id, 0, placed("web1"))
        return task.id, row.subtask_id

    task_id, step_id = in_connection(running)

    ended = in_connection(
        claims.end_step, task_id, step_id, SubtaskStatus.SUCCESS, SubtaskStatus.RUNNING
    )

    assert ended is False
    assert in_connection(tasks.subtask_at, task_id, 0).status == "running"


def test_of_reruns_of_a_decision_at_once_one_runs_its_failed_node_again(
    database: peewee.Database,
) -> None:
    task_id, step_id = in_connection(at_decision)

    rerun = race(lambda: tasks.rerun(task_id, step_id, placed("web2")))

    assert sorted(len(r) for r in rerun) == [0] * (RACERS - 1) + [1]
    live = in_connection(tasks.live_executions, step_id)
    assert [(r.node, r.attempt, r.status) for r in live] == [
        ("web1", 1, "success"),
        ("web2", 2, "pending"),
    ]
