"""A task whose first step is plain starts in one database call (tasks/launch.py) and writes
what the step-by-step start writes: the same task, steps, executions, version variables and
orders to the same slaves; anything else still starts the general way."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from master.catalogue.variables import RenderLimit
from master.db.models import Execution, VersionVariable
from master.domain import (
    CitedScript,
    CommandSpec,
    ExecutionStatus,
    JobSubmission,
    JobType,
    NewStep,
    NewTask,
    Outbound,
    PlannedStep,
    RunMode,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import AlreadyExists, ResourceExhausted
from master.rpc.convert import task as convert_task
from master.store import files, tasks
from master.tasks import launch, submit
from master.tasks.quotas import Quotas
from master.tasks.taskview import TaskView
from tests.unit.master.mastertest import Core, PlayedSlave, seen_slaves
from tests.unit.master.tasks.test_engine import cmd, copy, job

SHA = "ab" * 32
Written = dict[str, Any]


def command(*nodes: str, mode: RunMode = RunMode()) -> CommandSpec:
    return CommandSpec(1, "adhoc", "me", "", nodes, ScriptType.SHELL, "true", mode=mode)


def written(task_id: int) -> Written:
    """What a start wrote, without ids and times (which differ between two tasks)."""
    task = tasks.get_by_id(task_id)
    subs = [
        (s.position, s.status, s.kind, s.spec, s.node_count, s.started_at is not None)
        for s in tasks.subtasks(task_id)
    ]
    skip = {"id", "task", "subtask", "created_at", "finished_at"}
    rows = [
        {k: v for k, v in e.__data__.items() if k not in skip} | {"ended": bool(e.finished_at)}
        for e in tasks.executions(task_id)
    ]
    return {"task": (task.status, task.position, task.reason), "steps": subs, "rows": rows}


def orders(*slaves: PlayedSlave) -> list[tuple[str, Outbound]]:
    """What each slave was sent, execution ids left out."""
    return [
        (s.name, dataclasses.replace(o, execution_id=0))  # type: ignore[type-var]
        for s in slaves
        for o in s.queued()
    ]


async def both_ways(core: Core, new: NewTask, *slaves: PlayedSlave) -> tuple[Written, Written]:
    """The task started by launch (as submitted), and again the general way (written, then
    settled step by step): what each wrote and sent."""
    fast = await core.engine._launch(lambda: new)
    fast_sent = orders(*slaves)
    general = await core.run_db(tasks.create, new, 0)
    await core.engine.settle(general.id)
    general_sent = orders(*slaves)
    one = await core.run_db(written, fast.id) | {"sent": fast_sent}
    other = await core.run_db(written, general.id) | {"sent": general_sent}
    return one, other


def test_a_command_writes_and_sends_what_the_general_start_does(core: Core) -> None:
    async def scenario() -> tuple[Written, Written]:
        web1, web2 = await core.attach("web1"), await core.attach("web2", run_as=("app",))
        seen_slaves("web3")  # not attached now
        spec = dataclasses.replace(command("web1", "web2", "web3"), user="root")
        new = await core.run_db(submit.command_task, spec, RenderLimit())
        return await both_ways(core, new, web1, web2)

    fast, general = core.run(scenario())

    assert fast == general
    # web2 runs commands as `app` only, web3 is away
    assert [r["status"] for r in fast["rows"]] == ["pending", "fail", "fail"]
    assert fast["task"] == ("running", 0, "") and fast["steps"][0][1] == "running"
    assert [name for name, _ in fast["sent"]] == ["web1"]


def test_copies_write_and_send_what_the_general_start_does(core: Core) -> None:
    files.save(1, "app.tgz", SHA, 10, "me")
    deleted = files.save(1, "gone.tgz", SHA, 10, "me")
    from_server = copy(Selector(SelectorType.FILESERVER, ""), "app.tgz", "web1,web2")
    gone = copy(Selector(SelectorType.FILESERVER, ""), "gone.tgz", "web1")
    between = copy(Selector(SelectorType.BUILTIN, "db1"), "/etc/app.conf", "web1")

    async def scenario() -> list[tuple[Written, Written]]:
        slaves = [await core.attach(n) for n in ("web1", "web2", "db1")]
        found = []
        for step in (from_server, gone, between):
            new = await core.run_db(submit.copy_task, 1, "c", "me", "", step, {}, RenderLimit())
            if step is gone:  # deleted since the task was planned
                await core.run_db(files.delete, 1, deleted.id)
            found.append(await both_ways(core, new, *slaves))
        return found

    (placed, placed_again), (failed, failed_again), (fetch, fetch_again) = core.run(scenario())

    assert placed == placed_again and [r["role"] for r in placed["rows"]] == ["place"] * 2
    assert failed == failed_again and failed["task"][0] == "fail"  # the file is gone
    assert fetch == fetch_again and [r["role"] for r in fetch["rows"]] == ["fetch"]


def test_a_versioned_job_writes_its_version_variables_as_it_starts(core: Core) -> None:
    saved = job(cmd("deploy", "web1"))
    values = {"version": "1.2", "ip": "web1,web2"}

    async def scenario() -> tuple[Written, Written]:
        web1 = await core.attach("web1")
        sub = JobSubmission(1, job_uuid=saved.uuid, variables=values, submitter="me")
        task, created = await core.engine.submit_job(sub)
        again, created_again = await core.engine.submit_job(
            dataclasses.replace(sub, task_uuid=task.uuid)
        )
        assert (created, again.id, created_again) == (True, task.id, False)
        assert len(web1.queued()) == 1  # the one task's order
        new = await core.run_db(submit.job_task, sub, RenderLimit())
        return await both_ways(core, new, web1)

    fast, general = core.run(scenario())

    assert fast == general
    kept = {(v.node, v.name, v.value) for v in VersionVariable.select()}
    assert kept == {("web1", "VERSION", "Do_1.2"), ("web2", "VERSION", "Do_1.2")}


def test_the_rows_handed_back_are_those_written(core: Core) -> None:
    async def scenario() -> tuple[list[Execution], list[Execution]]:
        await core.attach("web1")
        seen_slaves("web3")
        new = await core.run_db(submit.command_task, command("web1", "web3"), RenderLimit())
        started = await core.run_db(
            launch.launch, lambda: new, 0, core.sessions.snapshot(), core.engine.opened
        )
        assert started.rows is not None
        return started.rows, await core.run_db(tasks.executions, started.task.id)

    handed, stored = core.run(scenario())

    assert [r.__data__ for r in handed] == [r.__data__ for r in stored]
    assert [r.status for r in stored] == [ExecutionStatus.PENDING, ExecutionStatus.FAIL]


def planned_task(step: Step, mode: RunMode = RunMode(), cited: bool = False) -> NewTask:
    planned = PlannedStep(
        step, ["web1"], [], "", CitedScript(ScriptType.SHELL, "x") if cited else None
    )
    new_step = NewStep("s1", step.kind, "", 1, planned.to_json())
    return NewTask(1, "t", "me", "", JobType.JOB, {}, [new_step], {}, mode=mode)


def test_only_a_plain_first_step_starts_in_one_call() -> None:
    plain = cmd("true")
    assert launch.fast_step(planned_task(plain)) is not None
    assert launch.fast_step(planned_task(copy(Selector(SelectorType.BUILTIN, "db1"), "/a", "web1")))
    general = [
        planned_task(plain, RunMode(forks=2)),  # a window lets the executions out
        planned_task(plain, RunMode(check=True)),  # a dry run
        planned_task(dataclasses.replace(plain, kind=StepKind.APPROVAL)),
        planned_task(dataclasses.replace(plain, deployenv="prod")),  # conditions
        planned_task(dataclasses.replace(plain, action="deploy")),
        planned_task(dataclasses.replace(plain, batches="1,2")),  # waves
        planned_task(dataclasses.replace(plain, script_id=7)),  # a script to read at the start
        dataclasses.replace(planned_task(plain), steps=[]),
    ]
    assert [launch.fast_step(new) for new in general] == [None] * len(general)
    cited = planned_task(dataclasses.replace(plain, script_id=7), cited=True)  # read already
    assert launch.fast_step(cited) is not None


class Statements(logging.Handler):
    """The SQL statements peewee runs (and the store logs as it does)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple):
            self.sql.append(str(record.msg[0]))


@pytest.fixture
def statements() -> Iterator[Statements]:
    counter = Statements()
    log = logging.getLogger("peewee")
    level = log.level
    log.addHandler(counter)
    log.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        log.removeHandler(counter)
        log.setLevel(level)


def test_a_command_starts_in_one_database_call_of_few_statements(
    core: Core, statements: Statements
) -> None:
    calls: list[str] = []
    runner = core.engine.run_db

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn.__qualname__)
        return await runner(fn, *args, **kwargs)

    async def scenario() -> None:
        web1 = await core.attach("web1")
        core.engine.run_db = counted  # type: ignore[assignment]
        core.engine.launches.run_db = counted  # type: ignore[assignment]
        statements.sql.clear()
        task = await core.engine.submit_command(command("web1"))
        # one call: the launch, by its group (launchgroups.py)
        assert calls == ["each_outcome"] and len(statements.sql) <= 7, (calls, statements.sql)
        await web1.complete(await web1.order())
        await core.until(task, TaskStatus.SUCCESS)

    core.run(scenario())


def test_a_job_submitted_again_under_its_uuid_counts_no_start(database: Any) -> None:
    core = Core.wire(quotas=Quotas(max_submissions_per_second=0.4))  # a burst of 2 starts
    saved = job(cmd("true", "web1"))
    sub = JobSubmission(1, job_uuid=saved.uuid, task_uuid="mine")

    async def scenario() -> list[tuple[int, bool]]:
        await core.attach("web1")
        first, created = await core.engine.submit_job(sub)
        again, created_again = await core.engine.submit_job(sub)  # the start given back
        other, _ = await core.engine.submit_job(dataclasses.replace(sub, task_uuid="other"))
        with pytest.raises(ResourceExhausted):
            await core.engine.submit_job(dataclasses.replace(sub, task_uuid="third"))
        last, created_last = await core.engine.submit_job(sub)  # refused starts still answer
        return [(first.id, created), (again.id, created_again), (last.id, created_last)]

    try:
        answers = core.run(scenario())
    finally:
        core.close()

    (first, created), *rest = answers
    assert created and rest == [(first, False), (first, False)]


def test_tasks_started_together_write_and_send_what_each_started_alone_does(
    core: Core, statements: Statements
) -> None:
    saved = job(cmd("deploy", "web1"))
    values = {"version": "1.2", "ip": "web1,web2"}

    async def scenario() -> tuple[Written, list[Written], list[Any], list[str]]:
        web1 = await core.attach("web1")
        sub = JobSubmission(1, job_uuid=saved.uuid, variables=values, submitter="me")
        new = await core.run_db(submit.job_task, sub, RenderLimit())
        snapshot, opened = core.sessions.snapshot(), core.engine.opened
        alone = await core.run_db(
            launch.launch_planned, dataclasses.replace(new, uuid="alone"), 0, snapshot, opened
        )
        await core.engine.begin(alone)
        alone_sent = orders(web1)
        news = [dataclasses.replace(new, uuid=u) for u in ("b1", "alone", "b2", "b3")]
        statements.sql.clear()
        together = await core.run_db(launch.launch_many, news, 0, snapshot, opened)
        sql = list(statements.sql)
        for launched in together:
            if isinstance(launched, launch.Launched):
                await core.engine.begin(launched)
        assert orders(web1) == alone_sent * 3
        alike = [
            await core.run_db(written, t.task.id)
            for t in together
            if isinstance(t, launch.Launched)
        ]
        return await core.run_db(written, alone.task.id), alike, together, sql

    alone, alike, together, sql = core.run(scenario())

    assert alike == [alone] * 3
    assert isinstance(together[1], AlreadyExists)
    kept = {(v.node, v.name, v.value) for v in VersionVariable.select()}
    assert kept == {("web1", "VERSION", "Do_1.2"), ("web2", "VERSION", "Do_1.2")}
    # routed once, then each table written once for all of them
    assert len(sql) <= 10, sql


def test_the_view_a_start_answers_with_is_the_one_read_after_it(core: Core) -> None:
    """A submit answers with the task as its start wrote it, not read again: the same rows,
    column for column (and so the same etag) as a read right after finds; a start that
    settles at once (no node reachable) or a uuid naming an existing task is read again."""
    saved = job(cmd("true", "web1"), cmd("true", "web1"))

    async def scenario() -> list[tuple[TaskView | None, TaskView]]:
        await core.attach("web1")
        seen_slaves("web3")
        found = []
        for started in (
            await core.engine.start_command(command("web1")),
            await core.engine.start_job(JobSubmission(1, job_uuid=saved.uuid, task_uuid="two")),
            await core.engine.start_job(JobSubmission(1, job_uuid=saved.uuid, task_uuid="two")),
            await core.engine.start_command(command("web3")),
        ):
            found.append((started.view, await core.queries.view(started.task)))
        return found

    (command_view, command_read), (job_view, job_read), again, away = core.run(scenario())

    for view, read in ((command_view, command_read), (job_view, job_read)):
        assert view is not None
        assert [r.__data__ for r in [view.task, *view.executions, *view.subtasks]] == [
            r.__data__ for r in [read.task, *read.executions, *read.subtasks]
        ]
        assert (view.note_count, view.etag) == (0, read.etag)
    assert len(job_view.subtasks) == 2  # type: ignore[union-attr]
    assert again[0] is None and again[1].task.id == job_read.task.id
    assert away[0] is None and away[1].task.status == TaskStatus.FAIL


def test_the_steps_a_start_knows_are_those_it_stored(core: Core) -> None:
    """A submit's answer takes the first step as its start planned it instead of parsing its
    stored spec again: that step is the one the spec holds (plain, a job's first of two, a
    cited script read already), and the answer built from it is the one built from the row."""
    saved = job(cmd("true", "web1"), cmd("true", "web1"))
    cited = planned_task(dataclasses.replace(cmd("true", "web1"), script_id=7), cited=True)

    async def scenario() -> list[launch.Launched]:
        await core.attach("web1")
        return [
            await core.engine.start_command(command("web1")),
            await core.engine.start_job(JobSubmission(1, job_uuid=saved.uuid)),
            await core.engine._launched(lambda: cited),
        ]

    for started in core.run(scenario()):
        view = started.view
        assert view is not None and len(started.known) == 1
        first = view.subtasks[0]
        assert started.known == {first.id: PlannedStep.from_json(json.loads(first.spec))}
        answer = convert_task.task(view.task, view.executions, subs=view.subtasks)
        known = convert_task.task(
            view.task, view.executions, subs=view.subtasks, planned=started.known
        )
        assert known == answer
