"""A task as a run (OpsGrat's job rows): its options kept with it, lists filtered by job, group,
account, crontab and kind and sorted by any key (missing times last), every project's for an
admin, and deletes of ended tasks, all or none, taking their steps, executions and output. On
SQLite, and on PostgreSQL too when JOBFLEET_TEST_DB is set (they order NULLs differently)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import cast

import peewee
import pytest
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase

from master.db.connection import open_database
from master.db.models import Execution, LogChunk, Subtask, Task
from master.db.schema import MIGRATIONS_DIR, migrate
from master.domain import (
    NO_PROJECT,
    Chunk,
    JobType,
    NewStep,
    NewTask,
    Placement,
    RunOptions,
    SortKey,
    StepKind,
    TaskFilter,
    TaskStatus,
)
from master.errors import FailedPrecondition, InvalidArgument, NotFound
from master.store import jobs, logs, projects, tasks
from tests import pg


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[peewee.Database]:
    """The test's own migrated database on each backend (conftest's SQLite one, or a fresh one
    on the test PostgreSQL server)."""
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


def run(
    project_id: int = 1,
    name: str = "t",
    job_id: int = 0,
    kind: JobType = JobType.JOB,
    options: RunOptions = RunOptions(),
    crontab_id: int = 0,
) -> Task:
    step = [NewStep("s0", StepKind.CMD, "", 1, {"n": 0})]
    new = NewTask(project_id, name, "me", "api", kind, {}, step, {}, crontab_id=crontab_id)
    return tasks.create(dataclasses.replace(new, job_id=job_id, options=options))


def ids(f: TaskFilter) -> list[int]:
    return [t.id for t in tasks.search(f)[0]]


def test_a_tasks_options_are_kept_in_columns_and_as_json(database: peewee.Database) -> None:
    given = RunOptions(4, "web*", 9, {"module": "shell", "verbosity": 2, "diff_mode": True})

    row = tasks.get_by_id(run(job_id=7, options=given).id)

    assert (row.job_id, row.nodegroup_id, row.account_id) == (7, 4, 9)
    assert json.loads(row.options) == {
        "limit": "web*",
        "module": "shell",
        "verbosity": 2,
        "diff_mode": True,
    }
    assert RunOptions.from_stored(row.nodegroup_id, row.account_id, row.options) == given


def test_lists_filter_by_job_group_account_crontab_and_kind(database: peewee.Database) -> None:
    a = run(job_id=3, options=RunOptions(nodegroup_id=5))
    b = run(job_id=3, options=RunOptions(account_id=6), crontab_id=8)
    c = run(kind=JobType.PLUGIN_CMD, options=RunOptions(nodegroup_id=5, account_id=6))
    d = run(kind=JobType.PLUGIN_SCP)

    assert ids(TaskFilter(1, job_id=3)) == [b.id, a.id]
    assert ids(TaskFilter(1, nodegroup_id=5)) == [c.id, a.id]
    assert ids(TaskFilter(1, account_id=6, nodegroup_id=5)) == [c.id]
    assert ids(TaskFilter(1, crontab_id=8)) == [b.id]
    assert ids(TaskFilter(1, job_types=("plugin_cmd", "plugin_scp"))) == [d.id, c.id]
    assert ids(TaskFilter(1, job_id=4)) == []


def test_lists_sort_by_the_keys_asked_for_then_newest_first(database: peewee.Database) -> None:
    a, b, c = run(name="b"), run(name="a"), run(name="b")
    tasks.finish(b.id, TaskStatus.SUCCESS)  # a and c are still running: no finish time

    by_name = ids(TaskFilter(1, order_by=(SortKey("name"),)))
    by_name_desc = ids(TaskFilter(1, order_by=(SortKey("name", True), SortKey("id"))))
    finished_first = ids(TaskFilter(1, order_by=(SortKey("finished_at"),)))
    unfinished_first = ids(TaskFilter(1, order_by=(SortKey("finished_at", True),)))

    assert by_name == [b.id, c.id, a.id]
    assert by_name_desc == [a.id, c.id, b.id]
    assert finished_first == [b.id, c.id, a.id]  # a missing time sorts as the latest
    assert unfinished_first == [c.id, a.id, b.id]


def test_an_unknown_sort_key_is_refused_naming_order_by(database: peewee.Database) -> None:
    with pytest.raises(InvalidArgument) as err:
        tasks.search(TaskFilter(1, order_by=(SortKey("uuid"),)))

    assert err.value.field == "order_by"


def test_an_admins_list_naming_no_project_holds_every_project(database: peewee.Database) -> None:
    other = int(projects.create_project("second").id)
    mine, theirs = run(), run(project_id=other)

    assert ids(TaskFilter(NO_PROJECT)) == [theirs.id, mine.id]
    assert ids(TaskFilter(other)) == [theirs.id]


def ended_with_output(project_id: int = 1) -> Task:
    task = run(project_id)
    [row] = tasks.start_step(task.id, 0, [Placement("web1", "web1")])
    logs.append([Chunk(row.id, 0, b"hello\n"), Chunk(row.id, 1, b"bye\n")])
    tasks.finish(task.id, TaskStatus.SUCCESS)
    return task


def held(task_id: int) -> tuple[int, int, int, int]:
    executions = Execution.select(Execution.id).where(Execution.task == task_id)
    return (
        Task.select().where(Task.id == task_id).count(),
        Subtask.select().where(Subtask.task == task_id).count(),
        executions.count(),
        LogChunk.select().where(LogChunk.execution.in_(executions)).count(),
    )


def test_deleting_ended_tasks_takes_their_steps_executions_and_output(
    database: peewee.Database,
) -> None:
    first, second, kept = ended_with_output(), ended_with_output(), ended_with_output()

    deleted = tasks.delete(1, [second.id, first.id, second.id])

    assert deleted == [second.id, first.id]
    assert held(first.id) == held(second.id) == (0, 0, 0, 0)
    assert held(kept.id) == (1, 1, 1, 2)


def test_a_delete_is_all_or_none(database: peewee.Database) -> None:
    other = int(projects.create_project("second").id)
    ended, running, theirs = ended_with_output(), run(), ended_with_output(other)

    with pytest.raises(FailedPrecondition) as still:
        tasks.delete(1, [ended.id, running.id])
    with pytest.raises(NotFound) as elsewhere:
        tasks.delete(1, [ended.id, theirs.id])

    assert still.value.field == elsewhere.value.field == "ids"
    assert str(still.value) == f"ids: task {running.id} is still running: kill it first"
    assert f"task(s) {theirs.id} not found in project 1" in str(elsewhere.value)
    assert held(ended.id) == held(theirs.id) == (1, 1, 1, 2)
    assert tasks.delete(NO_PROJECT, [theirs.id]) == [theirs.id]  # the admin's, in any project


def test_the_migration_fills_job_ids_of_the_tasks_already_stored(
    database: peewee.Database,
) -> None:
    job = jobs.save(1, "deploy", False, [], "me")
    gone = jobs.save(1, "old", False, [], "me")
    of_job, of_gone, ad_hoc = run(name="deploy"), run(name="old"), run(kind=JobType.PLUGIN_CMD)
    Task.update(job_uuid=job.uuid).where(Task.id == of_job.id).execute()
    Task.update(job_uuid=gone.uuid).where(Task.id == of_gone.id).execute()
    jobs.delete(1, gone.uuid)
    runner = Runner(database, str(MIGRATIONS_DIR))
    [ours] = [m.name for m in runner.migrations() if m.name.endswith("_task_run_options")]

    runner.down(ours)
    runner.up()

    filled = {t.id: t.job_id for t in Task.select()}
    assert filled == {of_job.id: job.id, of_gone.id: 0, ad_hoc.id: 0}
