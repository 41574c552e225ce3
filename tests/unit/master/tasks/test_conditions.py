"""Step conditions decided against the run's variables: every word in every context, a context
missing refused naming the step's field and the variable, a skipped step not run (its pause
ignored) while the task goes on, and the dry run telling which steps would be skipped."""

from __future__ import annotations

import contextlib

import peewee
import pytest

from master.catalogue.rules import save_job
from master.db.models import Task
from master.domain import (
    Introduction,
    JobSubmission,
    RunMode,
    RunOrder,
    Selector,
    SelectorType,
    Step,
    StepKind,
    SubtaskStatus,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.store import rollout, tasks
from master.tasks.conditions import Undecided, check, skip_reason
from master.tasks.plan import job_field
from tests.unit.master.mastertest import Core, Order, PlayedSlave, seen_slaves


def when(deployenv: str = "", action: str = "", batches: str = "") -> Step:
    return Step(StepKind.CMD, "s", deployenv=deployenv, action=action, batches=batches)


def runs(step: Step, **values: str) -> bool:
    return skip_reason(step, values) == ""


@pytest.mark.parametrize("env", ["test", "online"])
def test_deployenv_runs_the_step_only_in_its_environment(env: str) -> None:
    assert runs(when(deployenv="test"), _deployenv_=env) == (env == "test")
    assert runs(when(deployenv="online"), _deployenv_=env) == (env == "online")
    assert runs(when(deployenv="always"), _deployenv_=env)
    assert runs(when(deployenv=""), _deployenv_=env)


def test_deployenv_reads_openc3s_jobtype_when_deployenv_is_not_set() -> None:
    assert runs(when(deployenv="test"), _jobtype_="test")
    assert not runs(when(deployenv="online"), _jobtype_="test")
    assert runs(when(deployenv="online"), _deployenv_="online", _jobtype_="test")


@pytest.mark.parametrize("action", ["deploy", "rollback"])
def test_action_runs_the_step_only_for_its_action(action: str) -> None:
    assert runs(when(action="deploy"), _action_=action) == (action == "deploy")
    assert runs(when(action="rollback"), _action_=action) == (action == "rollback")
    assert runs(when(action="always"), _action_=action)
    assert runs(when(action=""), _action_=action)


@pytest.mark.parametrize(
    ("batch", "count", "expected"),
    [
        # firsttime, thelasttime, notfirsttime, notthelasttime
        ("1", "3", (True, False, False, True)),
        ("2", "3", (False, False, True, True)),
        ("3", "3", (False, True, True, False)),
        ("1", "1", (True, True, False, False)),
    ],
)
def test_batch_words_against_the_runs_position(
    batch: str, count: str, expected: tuple[bool, ...]
) -> None:
    words = ("firsttime", "thelasttime", "notfirsttime", "notthelasttime")
    got = tuple(runs(when(batches=w), _batch_=batch, _batches_=count) for w in words)
    assert got == expected
    assert runs(when(batches="always"), _batch_=batch, _batches_=count)


def test_first_or_not_needs_only_the_position_and_a_wave_plan_is_no_condition() -> None:
    assert runs(when(batches="firsttime"), _batch_="1")
    assert runs(when(batches="notfirsttime"), _batch_="4")
    assert runs(when(batches="2"))
    assert runs(when(batches="50%"))


def test_every_condition_must_hold() -> None:
    step = when("test", "deploy", "firsttime")
    values = {"_deployenv_": "test", "_action_": "deploy", "_batch_": "1"}
    assert skip_reason(step, values) == ""
    why = skip_reason(step, {**values, "_action_": "rollback", "_batch_": "2"})
    assert why == "action deploy, this run rollback; batches firsttime, this run is batch 2"


@pytest.mark.parametrize(
    ("step", "values", "field", "variable"),
    [
        (when(deployenv="test"), {}, "deployenv", "_deployenv_"),
        (when(deployenv="online"), {"_deployenv_": "prod"}, "deployenv", "_deployenv_"),
        (when(deployenv="test"), {"_jobtype_": "build"}, "deployenv", "_deployenv_"),
        (when(action="rollback"), {}, "action", "_action_"),
        (when(action="deploy"), {"_action_": "Deploy"}, "action", "_action_"),
        (when(batches="firsttime"), {}, "batches", "_batch_"),
        (when(batches="notfirsttime"), {"_batch_": "0"}, "batches", "_batch_"),
        (when(batches="thelasttime"), {"_batch_": "2"}, "batches", "_batches_"),
        (
            when(batches="notthelasttime"),
            {"_batch_": "3", "_batches_": "2"},
            "batches",
            "_batches_",
        ),
        (when(batches="thelasttime"), {"_batch_": "x", "_batches_": "2"}, "batches", "_batch_"),
    ],
)
def test_a_condition_without_its_context_is_refused_naming_the_field_and_variable(
    step: Step, values: dict[str, str], field: str, variable: str
) -> None:
    with pytest.raises(Undecided) as raised:
        skip_reason(step, values)
    assert (raised.value.field, variable in raised.value.why) == (field, True)
    with pytest.raises(InvalidArgument) as refused:
        check([when(), step], values, job_field)
    assert refused.value.field == f"steps[1].{field}"
    assert variable in str(refused.value)


def script_of(order: Order) -> str:
    assert isinstance(order, RunOrder)
    return order.script


def conditional_job() -> str:
    """prepare (always), test-only (paused), online-only, finish (always), all on web1."""
    seen_slaves("web1")
    on = Selector(SelectorType.BUILTIN, "web1")
    steps = [
        Step(StepKind.CMD, "prepare", nodes=on, script="a"),
        Step(StepKind.CMD, "test only", nodes=on, script="b", deployenv="test", pause="p"),
        Step(StepKind.CMD, "online only", nodes=on, script="c", deployenv="online"),
        Step(StepKind.CMD, "finish", nodes=on, script="d"),
    ]
    return save_job(1, "conditional", True, steps, "me")[0].uuid


def test_a_skipped_step_is_not_run_and_the_task_goes_on_past_its_pause(core: Core) -> None:
    job = conditional_job()

    async def scenario() -> tuple[Task, list[str]]:
        web1 = await core.attach("web1")
        sub = JobSubmission(1, job, variables={"_deployenv_": "online"})
        task, _ = await core.engine.submit_job(sub)
        scripts = []
        for _ in range(3):
            order = await web1.order()
            scripts.append(script_of(order))
            await web1.complete(order)
        return await core.until(task, TaskStatus.SUCCESS), scripts

    task, scripts = core.run(scenario())
    assert scripts == ["a", "c", "d"]
    steps = tasks.subtasks(task.id)
    assert [s.status for s in steps] == ["success", "skipped", "success", "success"]
    assert [len(tasks.live_executions(s.id)) for s in steps] == [1, 0, 1, 1]


def test_a_submission_without_the_context_is_refused_and_writes_nothing(core: Core) -> None:
    job = conditional_job()
    with pytest.raises(InvalidArgument) as refused:
        core.run(core.engine.submit_job(JobSubmission(1, job)))
    assert refused.value.field == "steps[1].deployenv"
    assert "_deployenv_" in str(refused.value)
    assert Task.select().count() == 0


def test_the_dry_run_and_check_mode_tell_which_steps_are_skipped(core: Core) -> None:
    job = conditional_job()

    async def scenario() -> Task:
        await core.attach("web1")
        sub = JobSubmission(1, job, variables={"_deployenv_": "test"}, mode=RunMode(check=True))
        task, _ = await core.engine.submit_job(sub)
        return await core.until(task, TaskStatus.SUCCESS)

    task = core.run(scenario())
    assert [s.status for s in tasks.subtasks(task.id)][1:3] == ["success", "skipped"]
    sub = JobSubmission(1, job, variables={"_deployenv_": "test"})
    planned, values = core.run(core.engine.dry_run(sub))
    reasons = [skip_reason(p.step, values) for p in planned]
    assert reasons == ["", "", "deployenv online, this run test", ""]


def test_a_master_stopped_after_skipping_a_step_moves_the_task_on(
    database: peewee.Database,
) -> None:
    job = conditional_job()
    with contextlib.closing(Core.wire()) as first:

        async def before() -> tuple[Task, Introduction]:
            web1 = await first.attach("web1")
            sub = JobSubmission(1, job, variables={"_deployenv_": "online"})
            task, _ = await first.engine.submit_job(sub)
            await web1.complete(await web1.order())
            assert script_of(await web1.order()) == "c"  # step 2 skipped, step 3 sent
            return task, web1.intro

        task, intro = first.run(before())
    # as if the master stopped right after skipping step 2 (its next step not started)
    for sub in tasks.subtasks(task.id)[1:]:  # step 2 as before its skip, skipped again below
        tasks.set_subtask(sub.id, SubtaskStatus.INIT, None, False)
    for row in tasks.executions(task.id)[1:]:
        row.delete_instance()
    rollout.skip_step(task.id, 1)

    with contextlib.closing(Core.wire()) as restarted:

        async def after() -> list[str]:
            web1 = PlayedSlave(restarted, intro)
            await web1.attach()
            await restarted.intake.recover()
            scripts = []
            for _ in range(2):
                order = await web1.order()
                scripts.append(script_of(order))
                await web1.complete(order)
            await restarted.until(task, TaskStatus.SUCCESS)
            return scripts

        assert restarted.run(after()) == ["c", "d"]
