"""A cmd step citing a stored script (OpenC3's `scripts_type: cite`): only the project's own
scripts and the shared project 0's, another project's refused as one that does not exist; the
script is read when the step starts, and one gone by then fails the step with the reason."""

from __future__ import annotations

from collections.abc import Callable

import peewee
import pytest

from master.catalogue.rules import save_job
from master.catalogue.variables import RenderLimit
from master.db.models import Project, Script, Task
from master.domain import (
    CommandSpec,
    Control,
    ExecutionStatus,
    JobSubmission,
    ListFilter,
    RunOrder,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.store import catalogue, projects, tasks
from master.tasks import submit
from tests.unit.master.mastertest import Core, seen_slaves


def cited(script_id: int, pause: str = "") -> Step:
    nodes = Selector(SelectorType.BUILTIN, "web1")
    return Step(kind=StepKind.CMD, name="cited", nodes=nodes, script_id=script_id, pause=pause)


def command(project_id: int, script_id: int) -> CommandSpec:
    return CommandSpec(
        project_id, "adhoc", "me", "", ("web1",), ScriptType.SHELL, "", script_id=script_id
    )


def shared_project() -> None:
    """Project 0, the shared one (a real row; made here when the schema does not make it)."""
    if Project.get_or_none(Project.id == 0) is None:
        Project.create(id=0, name="shared")


def stored(project_id: int, name: str, script_type: ScriptType, content: str) -> Script:
    """A script stored as the catalogue stores it (the store takes project 0 too)."""
    values = {"name": name, "type": script_type.value, "content": content}
    return catalogue.create(Script, "name", "me", project=project_id, **values)


@pytest.fixture
def scripts(database: peewee.Database) -> dict[str, Script]:
    seen_slaves("web1")
    shared_project()
    other = projects.create_project("other")
    return {
        "own": stored(1, "own", ScriptType.PYTHON, "print('own')"),
        "shared": stored(0, "shared", ScriptType.PERL, "print 'shared'"),
        "other": stored(other.id, "other", ScriptType.SHELL, "cat /secret"),
    }


def refused(action: Callable[[], object], script_id: int) -> str:
    """The refusal's text, the script's id written N (so two refusals compare)."""
    with pytest.raises(InvalidArgument) as caught:
        action()
    return str(caught.value).replace(str(script_id), "N")


@pytest.mark.parametrize("whose", ["own", "shared"])
def test_a_project_cites_its_own_scripts_and_the_shared_ones(
    scripts: dict[str, Script], whose: str
) -> None:
    _, [step] = save_job(1, "job", True, [cited(scripts[whose].id)], "me")
    new = submit.command_task(command(1, scripts[whose].id), RenderLimit())

    assert step.script_id == scripts[whose].id
    assert new.steps[0].spec["step"]["script_id"] == scripts[whose].id


def test_another_projects_script_is_refused_as_one_that_does_not_exist(
    scripts: dict[str, Script],
) -> None:
    missing = max(s.id for s in scripts.values()) + 1

    def saved(script_id: int) -> str:
        return refused(lambda: save_job(1, "job", True, [cited(script_id)], "me"), script_id)

    def submitted(script_id: int) -> str:
        return refused(lambda: submit.command_task(command(1, script_id), RenderLimit()), script_id)

    assert (
        saved(scripts["other"].id)
        == saved(missing)
        == ("steps[0].script_id: no script N in project 1 or the shared project 0")
    )
    assert (
        submitted(scripts["other"].id)
        == submitted(missing)
        == ("script_id: no script N in project 1 or the shared project 0")
    )


def test_the_step_runs_the_script_as_stored_when_it_starts(
    core: Core, scripts: dict[str, Script]
) -> None:
    own = scripts["own"]
    saved, _ = save_job(1, "job", True, [cited(own.id)], "me")

    async def scenario() -> tuple[RunOrder, Task]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        order = await web1.order()
        assert isinstance(order, RunOrder)
        await web1.complete(order)
        return order, await core.until(task, TaskStatus.SUCCESS)

    order, task = core.run(scenario())

    assert (order.script_type, order.script) == (ScriptType.PYTHON, "print('own')")
    [sub] = tasks.subtasks(task.id)
    assert f'"script_id": {own.id}' in sub.spec  # the step as sent stays in its task


def test_a_script_edited_after_submission_runs_as_edited(
    core: Core, scripts: dict[str, Script]
) -> None:
    shared = scripts["shared"]
    job, _ = save_job(1, "two", True, [cited(shared.id, pause="x"), cited(shared.id)], "me")

    def edit() -> None:
        catalogue.update(shared, "name", "me", type=ScriptType.SHELL.value, content="echo edited")

    async def scenario() -> list[str]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, job.uuid))
        first = await web1.order()
        await web1.complete(first)
        await core.until(task, TaskStatus.WAITING)
        await core.run_db(edit)
        step = (await core.run_db(tasks.subtasks, task.id))[0]
        await core.engine.control(1, task.uuid, step.uuid, Control.NEXT, "me")
        second = await web1.order()
        await web1.complete(second)
        await core.until(task, TaskStatus.SUCCESS)
        return [o.script for o in (first, second) if isinstance(o, RunOrder)]

    assert core.run(scenario()) == ["print 'shared'", "echo edited"]


def test_a_script_deleted_before_its_step_starts_fails_the_step_with_the_reason(
    core: Core, scripts: dict[str, Script]
) -> None:
    own = scripts["own"]
    saved, _ = save_job(1, "job", True, [cited(own.id, pause="look"), cited(own.id)], "me")

    async def scenario() -> tuple[Task, Task, Task]:
        web1 = await core.attach("web1")
        task, _ = await core.engine.submit_job(JobSubmission(1, saved.uuid))
        await web1.complete(await web1.order())
        await core.until(task, TaskStatus.WAITING)
        await core.run_db(catalogue.delete, Script, 1, own.id, "script")
        first, second = await core.run_db(tasks.subtasks, task.id)
        await core.engine.control(1, task.uuid, first.uuid, Control.NEXT, "me")
        deciding = await core.until(task, TaskStatus.DECISION)
        await core.engine.control(1, task.uuid, second.uuid, Control.RUNNING, "me")
        again = await core.until(task, TaskStatus.DECISION)
        await core.engine.control(1, task.uuid, second.uuid, Control.FAIL, "me")
        return deciding, again, await core.until(task, TaskStatus.FAIL)

    deciding, again, failed = core.run(scenario())

    rows = tasks.executions(failed.id)
    assert [(r.node, r.status, r.attempt) for r in rows] == [
        ("web1", ExecutionStatus.SUCCESS, 1),
        ("web1", ExecutionStatus.FAIL, 2),
    ]
    assert rows[1].reason == (
        f"the cited script is gone: no script {own.id} in project 1 or the shared project 0"
    )
    assert (deciding.status, again.status) == ("decision", "decision")
    assert failed.reason == "stopped at step 2"


def test_a_quick_command_cites_at_submission_and_runs_the_script(
    core: Core, scripts: dict[str, Script]
) -> None:
    async def scenario() -> RunOrder:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command(1, scripts["shared"].id))
        order = await web1.order()
        assert isinstance(order, RunOrder)
        await web1.complete(order)
        await core.until(task, TaskStatus.SUCCESS)
        return order

    order = core.run(scenario())

    assert (order.script_type, order.script) == (ScriptType.PERL, "print 'shared'")


def test_the_scripts_a_job_cites_are_listed_by_its_name(scripts: dict[str, Script]) -> None:
    stored(1, "unused", ScriptType.SHELL, "echo unused")
    save_job(1, "nightly", True, [cited(scripts["own"].id)], "me")

    rows, total = catalogue.scripts(1, ListFilter(job_name_contains="night"))

    assert ([r.name for r in rows], total) == (["own"], 1)
