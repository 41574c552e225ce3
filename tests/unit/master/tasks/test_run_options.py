"""A run's options at submit (RunOptions, OpsGrat's launch fields): a node group's nodes replace
every step's nodes (a copy's destinations), `nodes` likewise, an account's name every step's
user, `limit` keeps the nodes it matches; the task keeps them all, a redo runs with them again,
and a bad one is refused naming `options.<field>` with nothing written or sent."""

from __future__ import annotations

import json

import pytest

from master.catalogue.rules import create_account, save_group, save_job
from master.db.models import Task
from master.domain import (
    CommandSpec,
    CopyOrder,
    ExecutionStatus,
    JobSubmission,
    RunOptions,
    RunOrder,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument, JobfleetError, NotFound
from master.store import files, tasks
from tests.unit.master.mastertest import Core, seen_slaves
from tests.unit.master.tasks.test_submit import SHA, cmd_step, copy_step, written

WEBS = ("web1", "web2", "web3")


@pytest.fixture
def catalogue(core: Core) -> dict[str, int]:
    """Machines web1..web3 and db1 (slaves seen before), the group `webs` of the three webs, the
    account `deploy`, and the job `ship`: a command on db1, then a copy onto db1."""
    seen_slaves(*WEBS, "db1")
    files.save(1, "app.tgz", SHA, 10, "me")
    steps = [
        cmd_step("run", Selector(SelectorType.BUILTIN, "db1"), "echo hi"),
        copy_step(Selector(SelectorType.FILESERVER, ""), "app.tgz", "db1"),
    ]
    job, _ = save_job(1, "ship", True, steps, "me")
    return {
        "group": save_group(1, "webs", "list", " ".join(WEBS), "me").id,
        "empty": save_group(1, "nobody", "list", "", "me").id,
        "account": create_account(1, "deploy", "", "", "me", core.secrets).id,
        "job": job.id,
    }


def test_a_job_runs_on_the_groups_nodes_as_the_account_within_the_limit(
    core: Core, catalogue: dict[str, int]
) -> None:
    options = RunOptions(catalogue["group"], "web[12]", catalogue["account"])

    planned, _ = core.run(core.engine.dry_run(JobSubmission(1, job_name="ship", options=options)))

    assert [(p.nodes, p.step.user) for p in planned] == [
        (["web1", "web2"], "deploy"),
        (["web1", "web2"], "deploy"),
    ]
    assert written() == (0, 0, 0)


def test_a_jobs_task_keeps_its_job_its_options_and_runs_on_the_nodes_given(
    core: Core, catalogue: dict[str, int]
) -> None:
    recorded = {"module": "", "verbosity": 3, "tags": "web", "diff_mode": True}
    options = RunOptions(account_id=catalogue["account"], limit="web3", recorded=recorded)
    sub = JobSubmission(1, job_name="ship", options=options, nodes=("web2", "web3"))

    async def scenario() -> tuple[Task, RunOrder | CopyOrder]:
        web3 = await core.attach("web3")
        task, _ = await core.engine.submit_job(sub)
        return task, await web3.order()

    task, order = core.run(scenario())

    row = tasks.get_by_id(task.id)
    assert isinstance(order, RunOrder) and order.user == "deploy"
    assert [r.node for r in tasks.executions(task.id)] == ["web3"]
    assert (row.job_id, row.account_id) == (catalogue["job"], options.account_id)
    assert json.loads(row.options) == {"limit": "web3", **recorded}


def test_a_command_and_a_copy_go_to_the_groups_nodes(core: Core, catalogue: dict[str, int]) -> None:
    options = RunOptions(nodegroup_id=catalogue["group"], limit="web1,web3")
    command = CommandSpec(1, "hi", "me", "", (), ScriptType.SHELL, "echo hi", options=options)
    copy = Step(
        kind=StepKind.SCP,
        name="copy",
        src=Selector(SelectorType.FILESERVER, ""),
        src_path="app.tgz",
        dst_path="/opt/",
    )

    async def scenario() -> list[tuple[str, str]]:
        slaves = [await core.attach(n) for n in WEBS]
        ran = await core.engine.submit_command(command)
        copied = await core.engine.submit_copy(1, "ship", "me", "api", copy, {}, options=options)
        rows = [*tasks.executions(ran.id), *tasks.executions(copied.id)]
        assert not slaves[1].queued()
        return [(r.node, r.role) for r in rows]

    assert core.run(scenario()) == [
        ("web1", "run"),
        ("web3", "run"),
        ("web1", "place"),
        ("web3", "place"),
    ]


def test_a_redo_runs_with_the_options_and_limit_of_the_original(
    core: Core, catalogue: dict[str, int]
) -> None:
    options = RunOptions(catalogue["group"], "web2", catalogue["account"], {"tags": "x"})

    async def scenario() -> tuple[Task, Task]:
        web2 = await core.attach("web2")
        first, _ = await core.engine.submit_job(JobSubmission(1, job_name="ship", options=options))
        await web2.complete(await web2.order())
        await web2.complete(await web2.order(), ExecutionStatus.SUCCESS)
        await core.until(first, TaskStatus.SUCCESS)
        again = await core.engine.redo(1, first.uuid, "me")
        return first, again

    first, again = core.run(scenario())

    row = tasks.get_by_id(again.id)
    assert (row.redo_of, row.job_id, row.nodegroup_id, row.account_id) == (
        first.uuid,
        catalogue["job"],
        catalogue["group"],
        catalogue["account"],
    )
    assert row.options == tasks.get_by_id(first.id).options
    assert [r.node for r in tasks.executions(again.id)] == ["web2"]


@pytest.mark.parametrize(
    ("options", "nodes", "error", "field", "says"),
    [
        (RunOptions(nodegroup_id=999), (), NotFound, "options.nodegroup_id", "group 999"),
        (RunOptions(account_id=999), (), NotFound, "options.account_id", "account 999"),
        (RunOptions(limit="db*"), ("web1",), InvalidArgument, "options.limit", "matches none"),
        (RunOptions(limit="web1;reboot"), (), InvalidArgument, "options.limit", "not a node"),
        (RunOptions(nodegroup_id=-1), ("web1",), InvalidArgument, "nodes", "not both"),
        (RunOptions(nodegroup_id=-2), (), InvalidArgument, "options.nodegroup_id", "no nodes"),
        (RunOptions(), ("web9",), InvalidArgument, "nodes", "unknown node(s): web9"),
    ],
)
def test_a_bad_option_is_refused_naming_it_writing_nothing(
    core: Core,
    catalogue: dict[str, int],
    options: RunOptions,
    nodes: tuple[str, ...],
    error: type[JobfleetError],
    field: str,
    says: str,
) -> None:
    group = {-1: catalogue["group"], -2: catalogue["empty"]}.get(options.nodegroup_id)
    if group is not None:
        options = RunOptions(group, options.limit, options.account_id)
    sub = JobSubmission(1, job_name="ship", options=options, nodes=nodes)

    async def scenario() -> None:
        await core.attach("web1")
        await core.engine.submit_job(sub)

    with pytest.raises(error) as err:
        core.run(scenario())

    assert err.value.field == field and says in str(err.value)
    assert written() == (0, 0, 0)
