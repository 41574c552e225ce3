"""Rolling waves: the cutting (N, N%, lists, more waves than nodes), bad plans refused at job
save and at submission naming the field, and the engine running a step wave after wave: a
failed wave stopping the step for a decision with later waves not started (`ignore`, `running`,
`next`), a copy's destinations in waves, the `forks` window within a wave, and a master
restarted mid-waves going on with the next wave."""

from __future__ import annotations

import contextlib

import peewee
import pytest

from master.catalogue.rules import save_job
from master.catalogue.wavespec import WavePlan, parse
from master.db.models import Execution, Task
from master.domain import (
    Blob,
    Control,
    ExecutionStatus,
    Introduction,
    JobSubmission,
    RunMode,
    Selector,
    SelectorType,
    SlaveResult,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.store import executions, tasks
from master.tasks.waves import sizes, split
from tests.unit.master.mastertest import Core, PlayedSlave, seen_slaves

WEBS = ("web1", "web2", "web3", "web4", "web5")
OK, FAIL = ExecutionStatus.SUCCESS, ExecutionStatus.FAIL

# --- cutting


def test_n_nodes_a_wave_the_last_one_shorter() -> None:
    assert sizes(WavePlan(sizes=(2,)), 5) == [2, 2, 1]
    assert split(list(WEBS), WavePlan(sizes=(2,))) == [["web1", "web2"], ["web3", "web4"], ["web5"]]
    assert sizes(WavePlan(sizes=(1,)), 3) == [1, 1, 1]


def test_a_percentage_rounds_up_and_is_at_least_one_node() -> None:
    assert sizes(WavePlan(percent=50), 5) == [3, 2]
    assert sizes(WavePlan(percent=10), 5) == [1, 1, 1, 1, 1]
    assert sizes(WavePlan(percent=100), 5) == [5]
    assert sizes(WavePlan(percent=34), 3) == [2, 1]


def test_a_list_of_sizes_repeats_its_last_one() -> None:
    assert sizes(WavePlan(sizes=(1, 2, 5)), 20) == [1, 2, 5, 5, 5, 2]
    assert sizes(WavePlan(sizes=(1, 2)), 2) == [1, 1]


def test_more_waves_than_nodes_stops_at_the_last_node() -> None:
    assert split(["a", "b"], WavePlan(sizes=(1, 1, 1, 1))) == [["a"], ["b"]]
    assert split(["a", "b"], WavePlan(sizes=(10,))) == [["a", "b"]]
    assert split([], WavePlan(sizes=(2,))) == [[]]
    assert split(list(WEBS), None) == [list(WEBS)]


def test_a_plan_is_parsed_and_a_condition_word_is_none() -> None:
    assert parse("3", "b") == WavePlan(sizes=(3,))
    assert parse("25%", "b") == WavePlan(percent=25)
    assert parse("1,2,5", "b") == WavePlan(sizes=(1, 2, 5))
    assert parse("", "b") is None
    assert parse("firsttime", "b") is None


@pytest.mark.parametrize("bad", ["0", "0%", "150%", "a", "1,,2", "1,0", "-1", "1.5", "2 %", ","])
def test_a_bad_plan_is_refused_at_job_save_and_at_submission_naming_the_field(
    core: Core, bad: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        parse(bad, "steps[0].batches")
    assert refused.value.field == "steps[0].batches"
    seen_slaves("web1")
    good = wave_step("ok", "1")
    with pytest.raises(InvalidArgument) as at_save:
        save_job(1, "bad", True, [good, wave_step("bad", bad)], "me")
    assert at_save.value.field == "steps[1].batches"
    job = save_job(1, "good", True, [good], "me")[0]
    with pytest.raises(InvalidArgument) as at_submit:
        core.run(core.engine.submit_copy(1, "c", "me", "api", copy_step(bad), {}))
    assert at_submit.value.field == "scp.batches"
    assert Task.select().count() == 0 and job.id


# --- running


def wave_step(name: str, batches: str, nodes: tuple[str, ...] = ("web1",)) -> Step:
    on = Selector(SelectorType.BUILTIN, ",".join(nodes))
    return Step(StepKind.CMD, name, nodes=on, script=name, batches=batches)


def copy_step(batches: str) -> Step:
    return Step(
        StepKind.SCP,
        "copy",
        src=Selector(SelectorType.BUILTIN, "db1"),
        src_path="/etc/app.conf",
        dst=Selector(SelectorType.BUILTIN, "web1,web2,web3"),
        dst_path="/etc/app/",
        batches=batches,
    )


def rolling_job() -> str:
    """`roll` on web1..web5 two at a time, then `after` on web1."""
    seen_slaves(*WEBS)
    steps = [wave_step("roll", "2", WEBS), wave_step("after", "")]
    return save_job(1, "rolling", True, steps, "me")[0].uuid


async def attach_all(core: Core) -> dict[str, PlayedSlave]:
    return {n: await core.attach(n) for n in WEBS}


async def run_wave(
    core: Core,
    task: Task,
    slaves: dict[str, PlayedSlave],
    nodes: tuple[str, ...],
    failing: str = "",
) -> list[str]:
    """Each node of the wave gets its order and ends (`failing` failed); the nodes with
    executions while the wave ran (before any of it ended)."""
    orders = [await slaves[node].order() for node in nodes]
    written = nodes_written(await core.executions(task))
    for node, order in zip(nodes, orders, strict=True):
        await slaves[node].complete(order, FAIL if node == failing else OK)
    return written


def nodes_written(rows: list[Execution]) -> list[str]:
    return [r.node for r in rows]


def test_a_step_runs_wave_after_wave_in_node_order(core: Core) -> None:
    job = rolling_job()

    async def scenario() -> tuple[list[list[str]], Task]:
        slaves = await attach_all(core)
        task, _ = await core.engine.submit_job(JobSubmission(1, job))
        seen = [await run_wave(core, task, slaves, ("web1", "web2"))]
        seen.append(await run_wave(core, task, slaves, ("web3", "web4")))
        seen.append(await run_wave(core, task, slaves, ("web5",)))
        await run_wave(core, task, slaves, ("web1",))  # the next step
        return seen, await core.until(task, TaskStatus.SUCCESS)

    seen, task = core.run(scenario())
    assert seen == [list(WEBS[:2]), list(WEBS[:4]), list(WEBS)]
    assert [s.status for s in tasks.subtasks(task.id)] == ["success", "success"]
    assert tasks.subtasks(task.id)[0].node_count == 5


def test_a_failed_wave_waits_for_a_decision_and_ignore_goes_on_with_the_next(core: Core) -> None:
    job = rolling_job()

    async def scenario() -> tuple[Task, list[str], Task]:
        slaves = await attach_all(core)
        task, _ = await core.engine.submit_job(JobSubmission(1, job))
        await run_wave(core, task, slaves, ("web1", "web2"), failing="web2")
        stopped = await core.until(task, TaskStatus.DECISION)
        written = nodes_written(await core.executions(task))
        step = tasks.subtasks(task.id)[0]
        await core.engine.control(1, task.uuid, step.uuid, Control.IGNORE, "me")
        await run_wave(core, task, slaves, ("web3", "web4"))
        await run_wave(core, task, slaves, ("web5",))
        await run_wave(core, task, slaves, ("web1",))
        return stopped, written, await core.until(task, TaskStatus.SUCCESS)

    stopped, written, done = core.run(scenario())
    assert (stopped.status, written) == ("decision", ["web1", "web2"])
    assert [s.status for s in tasks.subtasks(done.id)] == ["ignore", "success"]


def test_running_reruns_the_failed_wave_only_and_next_ends_the_step_failed(core: Core) -> None:
    job = rolling_job()

    async def scenario() -> tuple[list[str], Task]:
        slaves = await attach_all(core)
        task, _ = await core.engine.submit_job(JobSubmission(1, job))
        step = tasks.subtasks(task.id)[0]
        await run_wave(core, task, slaves, ("web1", "web2"), failing="web1")
        await core.until(task, TaskStatus.DECISION)
        await core.engine.control(1, task.uuid, step.uuid, Control.IGNORE, "me")
        await run_wave(core, task, slaves, ("web3", "web4"), failing="web4")
        await core.until(task, TaskStatus.DECISION)
        await core.engine.control(1, task.uuid, step.uuid, Control.RUNNING, "me")
        rerun = await slaves["web4"].order()  # only web4: web1's failure was ignored
        await slaves["web4"].complete(rerun, FAIL)
        await core.until(task, TaskStatus.DECISION)
        await core.engine.control(1, task.uuid, step.uuid, Control.NEXT, "me")
        await run_wave(core, task, slaves, ("web1",))
        return nodes_written(await core.executions(task)), await core.until(task, TaskStatus.FAIL)

    written, task = core.run(scenario())
    assert written == ["web1", "web2", "web3", "web4", "web1"]  # web5 never started
    assert [s.status for s in tasks.subtasks(task.id)] == ["fail", "success"]


def test_the_forks_window_applies_within_a_wave(core: Core) -> None:
    job = rolling_job()

    async def scenario() -> list[list[str]]:
        slaves = await attach_all(core)
        task, _ = await core.engine.submit_job(JobSubmission(1, job, mode=RunMode(forks=1)))
        seen = []
        for node in ("web1", "web2", "web3"):
            order = await slaves[node].order()
            seen.append([r.status for r in await core.executions(task)])
            await slaves[node].complete(order)
        return seen

    assert core.run(scenario()) == [
        ["pending", "queued"],
        ["success", "pending"],
        ["success", "success", "pending", "queued"],  # the next wave, through the window too
    ]


def test_a_copys_destinations_are_placed_in_waves(core: Core) -> None:
    async def scenario() -> tuple[list[list[str]], Task]:
        db1 = await core.attach("db1")
        slaves = {n: await core.attach(n) for n in ("web1", "web2", "web3")}
        task = await core.engine.submit_copy(1, "conf", "me", "api", copy_step("2"), {})
        await db1.complete(await db1.order(), fetched=Blob("cd" * 32, 9))
        seen = [await run_wave(core, task, slaves, ("web1", "web2"))]
        seen.append(await run_wave(core, task, slaves, ("web3",)))
        return seen, await core.until(task, TaskStatus.SUCCESS)

    seen, task = core.run(scenario())
    assert seen == [["db1", "web1", "web2"], ["db1", "web1", "web2", "web3"]]
    assert task.status == "success"


def test_a_restarted_master_goes_on_with_the_next_wave(database: peewee.Database) -> None:
    job = rolling_job()
    with contextlib.closing(Core.wire()) as first:

        async def before() -> tuple[Task, dict[str, Introduction]]:
            slaves = await attach_all(first)
            task, _ = await first.engine.submit_job(JobSubmission(1, job))
            return task, {n: s.intro for n, s in slaves.items()}

        task, intros = first.run(before())
    for sent in tasks.executions(task.id):  # the wave ended while no master ran
        result = SlaveResult(sent.id, ExecutionStatus.SUCCESS, 0, "", 0)
        executions.record_result(result, None, None)

    with contextlib.closing(Core.wire()) as restarted:

        async def after() -> tuple[list[str], Task]:
            slaves = {n: PlayedSlave(restarted, intro) for n, intro in intros.items()}
            for slave in slaves.values():
                await slave.attach()
            await restarted.intake.recover()
            await run_wave(restarted, task, slaves, ("web3", "web4"))
            await run_wave(restarted, task, slaves, ("web5",))
            await run_wave(restarted, task, slaves, ("web1",))
            done = await restarted.until(task, TaskStatus.SUCCESS)
            return nodes_written(await restarted.executions(task)), done

        written, done = restarted.run(after())
    assert written == ["web1", "web2", "web3", "web4", "web5", "web1"]
    assert done.status == "success"


def test_a_restarted_master_keeps_a_failed_wave_waiting_for_its_decision(
    database: peewee.Database,
) -> None:
    job = rolling_job()
    with contextlib.closing(Core.wire()) as first:

        async def before() -> Task:
            slaves = await attach_all(first)
            task, _ = await first.engine.submit_job(JobSubmission(1, job))
            await run_wave(first, task, slaves, ("web1", "web2"), failing="web1")
            return await first.until(task, TaskStatus.DECISION)

        task = first.run(before())

    with contextlib.closing(Core.wire()) as restarted:
        restarted.run(restarted.intake.recover())
    assert tasks.get_by_id(task.id).status == "decision"
    assert nodes_written(tasks.executions(task.id)) == ["web1", "web2"]
