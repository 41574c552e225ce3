"""Submitting: an ad-hoc command, a copy or a job becomes a task whose first step is sent at
once, rendered and planned; a refusal (quota, render cap, bad input, missing variables) writes
nothing and sends nothing."""

from __future__ import annotations

import contextlib

import peewee
import pytest

from master.catalogue.rules import create_node, save_group, save_job, save_variable
from master.catalogue.variables import RenderLimit
from master.db.models import Execution, Subtask, Task
from master.domain import (
    Blob,
    CommandSpec,
    CopyOrder,
    JobSubmission,
    Outbound,
    RunOrder,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
)
from master.errors import InvalidArgument, ResourceExhausted
from master.store import files, projects, tasks
from master.tasks.quotas import Quotas
from tests.unit.master.mastertest import Core, seen_slaves

SHA = "ab" * 32


def command(
    *nodes: str,
    script: str = "echo hi",
    args: tuple[str, ...] = (),
    variables: dict[str, str] | None = None,
    timeout_s: int = 60,
) -> CommandSpec:
    return CommandSpec(
        1, "greet", "me", "", nodes, ScriptType.SHELL, script, args, timeout_s, variables or {}
    )


def cmd_step(name: str, nodes: Selector, script: str, pause: str = "") -> Step:
    return Step(kind=StepKind.CMD, name=name, nodes=nodes, script=script, pause=pause)


def copy_step(src: Selector, src_path: str, dst: str) -> Step:
    return Step(
        kind=StepKind.SCP,
        name="copy",
        src=src,
        src_path=src_path,
        dst=Selector(SelectorType.BUILTIN, dst),
        dst_path="/opt/app/",
        chmod="0640",
    )


def written() -> tuple[int, int, int]:
    """Tasks, steps and executions in the database."""
    return Task.select().count(), Subtask.select().count(), Execution.select().count()


def test_an_ad_hoc_command_sends_each_node_its_order_rendered(core: Core) -> None:
    spec = command(
        "web1", "web2", script="echo ${word}", args=("${word}", "x y"), variables={"word": "hi"}
    )

    async def scenario() -> tuple[Task, list[RunOrder | CopyOrder]]:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task = await core.engine.submit_command(spec)
        return task, [await web1.order(), await web2.order()]

    task, orders = core.run(scenario())

    rows = tasks.executions(task.id)
    (step,) = tasks.subtasks(task.id)
    assert (task.status, task.job_type, task.submitter) == ("running", "plugin_cmd", "me")
    assert task.job_uuid == step.uuid  # OpenC3's pages build the step's log uuid from it
    assert [(r.node, r.slave, r.status) for r in rows] == [
        ("web1", "web1", "pending"),
        ("web2", "web2", "pending"),
    ]
    assert [o.execution_id for o in orders] == [r.id for r in rows]
    for order in orders:
        assert isinstance(order, RunOrder)
        assert (order.script, order.args, order.ssh, order.project_id) == (
            "echo hi",
            ("hi", "x y"),
            None,
            1,
        )


def test_a_copy_from_the_file_server_places_the_stored_file_on_each_destination(
    core: Core,
) -> None:
    files.save(1, "app.tgz", SHA, 1234, "me")
    step = copy_step(Selector(SelectorType.FILESERVER, ""), "app.tgz", "web1,web2")

    async def scenario() -> tuple[Task, list[RunOrder | CopyOrder]]:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task = await core.engine.submit_copy(1, "ship", "me", "api", step, {})
        return task, [await web1.order(), await web2.order()]

    task, orders = core.run(scenario())

    assert (task.job_type, task.job_uuid) == ("plugin_scp", tasks.subtasks(task.id)[0].uuid)
    assert [r.role for r in tasks.executions(task.id)] == ["place", "place"]
    for order in orders:
        assert isinstance(order, CopyOrder)
        assert (order.path, order.blob, order.name, order.chmod) == (
            "/opt/app/",
            Blob(SHA, 1234),
            "app.tgz",
            "0640",
        )


def test_a_job_is_started_by_uuid_or_by_name_with_the_callers_variables_over_its_own(
    core: Core,
) -> None:
    seen_slaves("web1")
    step = cmd_step("s", Selector(SelectorType.BUILTIN, "web1"), "v=${v}")
    job, _ = save_job(1, "deploy", True, [step], "me")
    save_variable(1, job.uuid, "v", "default", "")
    by_uuid = JobSubmission(1, job_uuid=job.uuid)
    by_name = JobSubmission(1, job_name="deploy", variables={"v": "given"})

    async def scenario() -> list[tuple[Task, bool, RunOrder | CopyOrder]]:
        web1 = await core.attach("web1")
        started = []
        for sub in (by_uuid, by_name):
            task, created = await core.engine.submit_job(sub)
            started.append((task, created, await web1.order()))
        return started

    started = core.run(scenario())

    assert [(t.name, t.job_uuid, t.job_type, created) for t, created, _ in started] == [
        ("deploy", job.uuid, "job", True),
        ("deploy", job.uuid, "job", True),
    ]
    assert [o.script for _, _, o in started if isinstance(o, RunOrder)] == ["v=default", "v=given"]


def test_a_callers_task_uuid_starts_one_task_per_project(core: Core) -> None:
    other = int(projects.create_project("second").id)
    seen_slaves("web1")
    step = cmd_step("s", Selector(SelectorType.BUILTIN, "web1"), "true")
    mine, _ = save_job(1, "nightly", True, [step], "me")
    theirs, _ = save_job(other, "nightly", True, [step], "me")

    async def scenario() -> tuple[list[tuple[Task, bool]], list[Outbound]]:
        web1 = await core.attach("web1")
        outcomes = [
            await core.engine.submit_job(JobSubmission(1, mine.uuid, task_uuid="Nightly1")),
            await core.engine.submit_job(JobSubmission(1, mine.uuid, task_uuid="Nightly1")),
            await core.engine.submit_job(JobSubmission(other, theirs.uuid, task_uuid="Nightly1")),
        ]
        return outcomes, [await web1.order(), await web1.order(), *web1.queued()]

    (first, again, elsewhere), sent = core.run(scenario())

    assert (first[0].uuid, first[1]) == ("Nightly1", True)
    assert (again[0].id, again[1]) == (first[0].id, False)
    assert (elsewhere[0].uuid, elsewhere[0].project_id, elsewhere[1]) == ("Nightly1", other, True)
    assert len(sent) == 2  # the resubmission sent nothing
    assert written()[0] == 2


def test_a_malformed_task_uuid_is_refused_before_anything_is_written(core: Core) -> None:
    seen_slaves("web1")
    job, _ = save_job(
        1, "j", True, [cmd_step("s", Selector(SelectorType.BUILTIN, "web1"), "true")], "me"
    )

    async def scenario() -> None:
        await core.attach("web1")
        await core.engine.submit_job(JobSubmission(1, job.uuid, task_uuid="not-alnum"))

    with pytest.raises(InvalidArgument) as err:
        core.run(scenario())

    assert err.value.field == "task_uuid"
    assert written() == (0, 0, 0)


def test_past_the_tasks_not_ended_quota_a_submission_is_refused_writing_nothing(
    database: peewee.Database,
) -> None:
    with contextlib.closing(Core.wire(quotas=Quotas(max_running_tasks=1))) as core:

        async def scenario() -> tuple[list[Outbound], ResourceExhausted]:
            web1 = await core.attach("web1")
            await core.engine.submit_command(command("web1"))
            with pytest.raises(ResourceExhausted) as err:
                await core.engine.submit_command(command("web1"))
            return [await web1.order(), *web1.queued()], err.value

        sent, refusal = core.run(scenario())

    assert "--max-running-tasks" in str(refusal)
    assert len(sent) == 1
    assert written() == (1, 1, 1)


def test_past_the_start_rate_a_submission_is_refused_writing_nothing(
    database: peewee.Database,
) -> None:
    with contextlib.closing(Core.wire(quotas=Quotas(max_submissions_per_second=0.2))) as core:

        async def scenario() -> ResourceExhausted:
            await core.attach("web1")
            await core.engine.submit_command(command("web1"))  # a burst of one
            with pytest.raises(ResourceExhausted) as err:
                await core.engine.submit_command(command("web1"))
            return err.value

        refusal = core.run(scenario())

    assert "--max-submissions-per-second" in str(refusal)
    assert written() == (1, 1, 1)


def test_a_refused_submission_counts_toward_the_submission_rate(
    database: peewee.Database,
) -> None:
    """The rate bounds submissions, not only starts: a refused one cost the master its checks
    (planning reads the database), and a flood of bad ones must not be free."""
    with contextlib.closing(Core.wire(quotas=Quotas(max_submissions_per_second=0.2))) as core:

        async def scenario() -> ResourceExhausted:
            await core.attach("web1")
            with pytest.raises(InvalidArgument):
                await core.engine.submit_command(command("web1", script=" "))
            with pytest.raises(ResourceExhausted) as refused:
                await core.engine.submit_command(command("web1"))
            return refused.value

        refusal = core.run(scenario())

    assert "--max-submissions-per-second" in str(refusal)


def test_a_command_rendered_past_the_cap_is_refused_writing_and_sending_nothing(
    database: peewee.Database,
) -> None:
    spec = command("web1", script="${x}${x}", variables={"x": "a" * 40})
    with contextlib.closing(Core.wire(limit=RenderLimit(field_bytes=64))) as core:

        async def scenario() -> tuple[ResourceExhausted, list[Outbound]]:
            web1 = await core.attach("web1")
            with pytest.raises(ResourceExhausted) as err:
                await core.engine.submit_command(spec)
            return err.value, web1.queued()

        refusal, sent = core.run(scenario())

    assert refusal.field == "script" and "--max-script-bytes" in str(refusal)
    assert sent == []
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (command("web1", script="  "), "script"),
        (command("web1", "ghost"), "nodes"),
        (command("web1", "web1"), "nodes"),
        (command("web1", timeout_s=0), "timeout_seconds"),
    ],
)
def test_a_bad_command_is_refused_naming_the_field_writing_nothing(
    core: Core, spec: CommandSpec, field: str
) -> None:
    async def scenario() -> None:
        await core.attach("web1")
        await core.engine.submit_command(spec)

    with pytest.raises(InvalidArgument) as err:
        core.run(scenario())

    assert err.value.field == field
    assert written() == (0, 0, 0)


def test_a_dry_run_plans_groups_and_variables_and_writes_nothing(core: Core) -> None:
    for name, ip in (("web1", "10.0.0.1"), ("web2", "10.0.0.2")):
        create_node(1, name, ip, "", 0, "", "me")
    save_group(1, "webs", "list", "web1 web2", "me")
    steps = [
        cmd_step("all", Selector(SelectorType.GROUP, "webs"), "deploy ${version}"),
        cmd_step("canary", Selector(SelectorType.VARIABLE, "canary"), "check ${version}"),
        cmd_step("by ip", Selector(SelectorType.BUILTIN, "10.0.0.1"), "true"),
    ]
    job, _ = save_job(1, "deploy", True, steps, "me")
    save_variable(1, job.uuid, "version", "1.0", "")
    sub = JobSubmission(1, job.uuid, variables={"version": "2.0", "canary": "web2"})

    planned, values = core.run(core.engine.dry_run(sub))

    assert values == {"version": "2.0", "canary": "web2"}
    assert [(p.nodes, p.step.script) for p in planned] == [
        (["web1", "web2"], "deploy 2.0"),
        (["web2"], "check 2.0"),
        (["web1"], "true"),
    ]
    assert written() == (0, 0, 0)


def test_a_job_missing_variables_is_refused_naming_every_one_writing_nothing(
    core: Core,
) -> None:
    steps = [
        cmd_step("a", Selector(SelectorType.VARIABLE, "targets"), "echo ${a}"),
        cmd_step("b", Selector(SelectorType.BUILTIN, "web1"), "echo ${b} ${a}"),
    ]
    seen_slaves("web1")
    job, _ = save_job(1, "j", True, steps, "me")

    async def scenario() -> None:
        await core.attach("web1")
        await core.engine.submit_job(JobSubmission(1, job.uuid, variables={"b": "1"}))

    with pytest.raises(InvalidArgument) as err:
        core.run(scenario())

    assert err.value.field == "variables"
    assert str(err.value).endswith("no value for variable(s): a, targets")
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("src", "src_path", "field", "says"),
    [
        (
            Selector(SelectorType.BUILTIN, "web1,web2"),
            "/etc/hosts",
            "scp.src",
            "exactly one node, not 2",
        ),
        (
            Selector(SelectorType.FILESERVER, ""),
            "missing.tgz",
            "scp.src_path",
            "no file 'missing.tgz'",
        ),
        (Selector(SelectorType.BUILTIN, "${from}"), "/etc/hosts", "variables", "from"),
    ],
)
def test_a_copy_without_one_source_is_refused_naming_the_field_writing_nothing(
    core: Core, src: Selector, src_path: str, field: str, says: str
) -> None:
    async def scenario() -> None:
        await core.attach("web1")
        await core.attach("web2")
        step = copy_step(src, src_path, "web1")
        await core.engine.submit_copy(1, "copy", "me", "api", step, {})

    with pytest.raises(InvalidArgument) as err:
        core.run(scenario())

    assert err.value.field == field and says in str(err.value)
    assert written() == (0, 0, 0)
