"""A task's `forks` window: the arithmetic, then the engine holding a step's executions QUEUED
and sending them in node order as others end (first run, a rerun of failed nodes, a copy's
places), a kill ending queued ones unsent, a master restart resuming the window, and a bound
out of range refused before anything is written."""

from __future__ import annotations

import contextlib
import dataclasses

import peewee
import pytest

from master.catalogue.rules import create_account, create_node, save_job
from master.db.models import Execution, Task
from master.domain import (
    Blob,
    CommandSpec,
    Control,
    CopyOrder,
    ExecutionStatus,
    Introduction,
    JobSubmission,
    KillOrder,
    RunMode,
    RunOrder,
    ScriptType,
    Selector,
    SelectorType,
    SlaveResult,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.store import executions, tasks
from master.tasks.window import MAX_FORKS, check_mode, holds_back, room, to_send
from tests.unit.master.mastertest import Core, Order, PlayedSlave, seen_slaves

Q, P, R = ExecutionStatus.QUEUED, ExecutionStatus.PENDING, ExecutionStatus.RUNNING
OK, FAIL = ExecutionStatus.SUCCESS, ExecutionStatus.FAIL
WEBS = ("web1", "web2", "web3", "web4", "web5")

# --- the arithmetic


def test_the_window_sends_queued_ones_first_first_while_fewer_than_forks_are_out() -> None:
    assert to_send(2, [(1, Q), (2, Q), (3, Q)]) == [1, 2]
    assert to_send(2, [(1, R), (2, P), (3, Q), (4, Q)]) == []
    assert to_send(2, [(1, OK), (2, R), (3, Q), (4, Q)]) == [3]
    assert to_send(2, [(1, OK), (2, FAIL), (3, Q), (4, Q)]) == [3, 4]  # ended ones free room
    assert to_send(3, [(7, Q), (9, R), (12, Q)]) == [7, 12]


def test_no_bound_sends_every_queued_one_and_room_is_never_negative() -> None:
    assert to_send(0, [(1, R), (2, Q), (3, Q)]) == [2, 3]
    assert (room(0, 50), room(2, 0), room(2, 2), room(2, 5)) == (None, 2, 0, 0)
    assert to_send(1, [(1, R), (2, R), (3, Q)]) == []


def test_only_a_bound_or_a_dry_run_holds_executions_back() -> None:
    assert (holds_back(0, False), holds_back(3, False), holds_back(0, True)) == (
        False,
        True,
        True,
    )


@pytest.mark.parametrize("forks", [-1, MAX_FORKS + 1])
def test_a_bound_out_of_range_is_refused_naming_the_field(forks: int) -> None:
    with pytest.raises(InvalidArgument) as err:
        check_mode(RunMode(forks))

    assert err.value.field == "options.forks"
    assert str(forks) in str(err.value)


def test_no_bound_and_the_largest_bound_are_taken() -> None:
    check_mode(RunMode(0))
    check_mode(RunMode(MAX_FORKS))


# --- the engine


def command(*nodes: str, forks: int = 2) -> CommandSpec:
    return CommandSpec(
        1, "rolling", "me", "", nodes, ScriptType.SHELL, "deploy", mode=RunMode(forks)
    )


def statuses(rows: list[Execution]) -> list[str]:
    return [r.status for r in rows]


async def order_of(slaves: dict[str, PlayedSlave], node: str) -> Order:
    return await slaves[node].order()


def test_two_of_five_go_at_once_and_each_end_sends_the_next_in_node_order(core: Core) -> None:
    async def scenario() -> tuple[list[list[str]], list[str], Task]:
        slaves = {n: await core.attach(n) for n in WEBS}
        task = await core.engine.submit_command(command(*WEBS))
        seen = [statuses(await core.executions(task))]
        sent = [(await order_of(slaves, "web1")).execution_id, 0]
        sent[1] = (await order_of(slaves, "web2")).execution_id
        ended_order = ["web2", "web1", "web3", "web4", "web5"]
        got: list[str] = ["web1", "web2"]
        orders = {"web1": sent[0], "web2": sent[1]}
        for node in ended_order:
            slave = slaves[node]
            slave.started(orders[node])
            slave.finish(orders[node])
            await slave.result_ack()
            waiting = [n for n in WEBS if n not in got]
            if waiting:
                nxt = waiting[0]
                orders[nxt] = (await order_of(slaves, nxt)).execution_id
                got.append(nxt)
            seen.append(statuses(await core.executions(task)))
        return seen, got, await core.until(task, TaskStatus.SUCCESS)

    seen, got, task = core.run(scenario())

    assert got == list(WEBS)  # node order, whichever ended first
    assert seen[0] == ["pending", "pending", "queued", "queued", "queued"]
    assert all(sum(s in ("pending", "running") for s in row) <= 2 for row in seen)
    assert seen[1] == ["pending", "success", "pending", "queued", "queued"]
    assert task.forks == 2 and not task.check_only


def test_a_kill_ends_queued_executions_without_sending_them(core: Core) -> None:
    async def scenario() -> tuple[list[PlayedSlave], KillOrder, Task]:
        slaves = [await core.attach(n) for n in ("web1", "web2", "web3")]
        task = await core.engine.submit_command(command("web1", "web2", "web3", forks=1))
        order = await slaves[0].order()
        await core.engine.kill_task(1, task.uuid, "stop the rollout")
        kill = await slaves[0].kill_order()
        slaves[0].finish(order.execution_id, ExecutionStatus.KILLED, -15, kill.reason)
        return slaves, kill, await core.until(task, TaskStatus.KILLED)

    slaves, kill, task = core.run(scenario())

    rows = tasks.executions(task.id)
    assert kill == KillOrder(rows[0].id, "stop the rollout")
    assert [(r.node, r.status, r.reason) for r in rows] == [
        ("web1", "killed", "stop the rollout"),
        ("web2", "killed", "stop the rollout"),
        ("web3", "killed", "stop the rollout"),
    ]
    assert [r.started_at for r in rows[1:]] == [None, None]
    assert slaves[1].queued() == [] and slaves[2].queued() == []  # never sent, no kill either


def test_a_rerun_of_failed_nodes_goes_through_the_window(core: Core) -> None:
    seen_slaves("web1", "web2", "web3")
    step = Step(
        kind=StepKind.CMD,
        name="one",
        nodes=Selector(SelectorType.BUILTIN, "web1,web2,web3"),
        script="deploy",
    )
    job, _ = save_job(1, "job", True, [step], "me")

    async def scenario() -> tuple[list[str], list[str], Task]:
        web1, web2, web3 = [await core.attach(n) for n in ("web1", "web2", "web3")]
        task, _ = await core.engine.submit_job(JobSubmission(1, job.uuid, mode=RunMode(1)))
        await web1.complete(await web1.order(), ExecutionStatus.FAIL)
        await web2.complete(await web2.order(), ExecutionStatus.FAIL)
        await web3.complete(await web3.order())
        await core.until(task, TaskStatus.DECISION)
        first = (await core.run_db(tasks.subtasks, task.id))[0]
        await core.engine.control(1, task.uuid, first.uuid, Control.RUNNING, "me")
        again = statuses(await core.executions(task))
        await web1.complete(await web1.order())
        web2_again = await web2.order()  # once web1 ended
        after = statuses(await core.executions(task))
        await web2.complete(web2_again)
        return again, after, await core.until(task, TaskStatus.SUCCESS)

    again, after, task = core.run(scenario())

    assert again == ["success", "pending", "queued"]  # web3, then web1 and web2 again
    assert after == ["success", "success", "pending"]
    assert [(r.node, r.attempt) for r in tasks.executions(task.id)] == [
        ("web3", 1),
        ("web1", 2),
        ("web2", 2),
    ]


def test_a_copys_places_go_through_the_window(core: Core) -> None:
    step = Step(
        kind=StepKind.SCP,
        name="copy",
        src=Selector(SelectorType.BUILTIN, "db1"),
        src_path="/etc/app.conf",
        dst=Selector(SelectorType.BUILTIN, "web1,web2,web3"),
        dst_path="/etc/app/",
    )

    async def scenario() -> tuple[list[str], list[Order], Task]:
        db1 = await core.attach("db1")
        slaves = [await core.attach(n) for n in ("web1", "web2", "web3")]
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {}, RunMode(1))
        await db1.complete(await db1.order(), fetched=Blob("cd" * 32, 9))
        first = await slaves[0].order()
        held = statuses(await core.executions(task))
        places = [first]
        await slaves[0].complete(first)
        places.append(await slaves[1].order())
        await slaves[1].complete(places[1])
        places.append(await slaves[2].order())
        await slaves[2].complete(places[2])
        return held, places, await core.until(task, TaskStatus.SUCCESS)

    held, places, task = core.run(scenario())

    assert held == ["success", "pending", "queued", "queued"]
    assert all(isinstance(p, CopyOrder) and p.blob is not None for p in places)
    assert task.status == "success"


def test_a_restarted_master_resumes_the_window_and_sends_when_the_slave_is_back(
    database: peewee.Database,
) -> None:
    with contextlib.closing(Core.wire()) as first:

        async def before() -> tuple[Task, Introduction]:
            await first.attach("web1")
            web2 = await first.attach("web2")
            task = await first.engine.submit_command(command("web1", "web2", forks=1))
            return task, web2.intro

        task, web2_intro = first.run(before())
    sent = tasks.executions(task.id)[0]
    executions.record_result(SlaveResult(sent.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)

    with contextlib.closing(Core.wire()) as restarted:

        async def after() -> tuple[list[str], Order, Task]:
            await restarted.intake.recover()  # web2 has room now; its slave is not back yet
            held = statuses(await restarted.executions(task))
            web2 = PlayedSlave(restarted, web2_intro)
            await web2.attach()
            order = await web2.order()
            await web2.complete(order)
            return held, order, await restarted.until(task, TaskStatus.SUCCESS)

        held, order, done = restarted.run(after())

    assert held == ["success", "pending"]
    assert order.execution_id == tasks.executions(task.id)[1].id
    assert done.status == "success"


def test_a_queued_execution_goes_to_a_pool_slave_attached_when_it_is_let_out(core: Core) -> None:
    for name in ("db8", "db9"):
        create_node(1, name, f"10.0.0.{name[-1]}", "", 0, "", "me")
    create_account(1, "deploy", "", "pw", "me", core.secrets)
    spec = dataclasses.replace(command("db8", "db9", forks=1), user="deploy")

    async def scenario() -> tuple[list[str], Order, list[str]]:
        pool1, pool2 = await core.attach("pool1"), await core.attach("pool2")
        task = await core.engine.submit_command(spec)
        chosen = [r.slave for r in await core.executions(task)]  # spread over the pool
        first = await pool1.order()
        pool2.detach()  # gone for good while db9 waits
        await pool1.complete(first)
        second = await pool1.order()
        await pool1.complete(second)
        await core.until(task, TaskStatus.SUCCESS)
        return chosen, second, [r.slave for r in await core.executions(task)]

    chosen, second, ran_on = core.run(scenario())

    assert chosen == ["pool1", "pool2"]
    assert isinstance(second, RunOrder) and second.ssh is not None and second.ssh.node == "db9"
    assert ran_on == ["pool1", "pool1"]


def test_a_queued_execution_is_neither_lost_nor_resent_when_its_slave_reattaches(
    core: Core,
) -> None:
    async def scenario() -> tuple[list[str], list[object]]:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task = await core.engine.submit_command(command("web1", "web2", forks=1))
        await web1.order()
        await web2.attach()  # a slave restarted while its execution waits in the window
        await core.intake.sweep(core.sessions.heard_within(60))
        return statuses(await core.executions(task)), list(web2.queued())

    rows, sent_to_web2 = core.run(scenario())

    assert rows == ["pending", "queued"]
    assert sent_to_web2 == []


@pytest.mark.parametrize("forks", [-1, MAX_FORKS + 1])
def test_a_submission_with_a_bound_out_of_range_writes_nothing(core: Core, forks: int) -> None:
    seen_slaves("web1")
    step = Step(
        kind=StepKind.SCP,
        name="copy",
        src=Selector(SelectorType.BUILTIN, "web1"),
        src_path="/etc/hosts",
        dst=Selector(SelectorType.BUILTIN, "web1"),
        dst_path="/tmp/",
    )
    job, _ = save_job(1, "job", True, [step], "me")
    refused: list[str] = []

    async def scenario() -> None:
        attempts = [
            core.engine.submit_command(command("web1", forks=forks)),
            core.engine.submit_copy(1, "c", "me", "api", step, {}, RunMode(forks)),
            core.engine.submit_job(JobSubmission(1, job.uuid, mode=RunMode(forks))),
        ]
        for attempt in attempts:
            with pytest.raises(InvalidArgument) as err:
                await attempt
            refused.append(err.value.field)

    core.run(scenario())

    assert refused == ["options.forks"] * 3
    assert Task.select().count() == 0
