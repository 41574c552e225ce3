"""What slaves report: output stored then acked in order, a result after the output before it,
resends dropped, reports about other slaves' work dropped, attaches squared with the database
(orders sent again, then failed; work lost or killed), silence past the lease, and recovery at
start."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any

import peewee

from master.catalogue.rules import create_account, create_node
from master.db.models import Account, Execution, Task
from master.domain import (
    ChunkAck,
    CommandSpec,
    ExecutionStatus,
    Finished,
    KillOrder,
    Outbound,
    ResultAck,
    RunOrder,
    ScriptType,
    SlaveResult,
    Started,
    TaskStatus,
)
from master.store import executions, logs, tasks
from tests.unit.master.mastertest import Core, Order

LEASE = 0.2


def command(*nodes: str, user: str = "") -> CommandSpec:
    return CommandSpec(1, "adhoc", "me", user, nodes, ScriptType.SHELL, "true")


def test_output_is_stored_then_acked_in_the_order_it_came(core: Core) -> None:
    async def scenario() -> tuple[int, list[Outbound]]:
        web1 = await core.attach("web1")
        await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        for seq, data in enumerate((b"a", b"b", b"c")):
            web1.output(eid, seq, data)
        acks = [await web1.next()]
        web1.output(eid, 3, b"d")
        return eid, [*acks, await web1.next()]

    eid, acks = core.run(scenario())

    assert acks == [ChunkAck(eid, (0, 1, 2)), ChunkAck(eid, (3,))]
    assert logs.read(eid, 0, 1 << 20) == (b"abcd", 4)


def test_a_result_is_stored_and_acked_after_the_output_sent_before_it(core: Core) -> None:
    async def scenario() -> tuple[int, list[Outbound], Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        web1.output(eid, 0, b"hello ")
        web1.output(eid, 1, b"world")
        web1.finish(eid)
        acks = [await web1.next(), await web1.next()]
        return eid, acks, await core.until(task, TaskStatus.SUCCESS)

    eid, acks, task = core.run(scenario())

    assert acks == [ChunkAck(eid, (0, 1)), ResultAck(eid)]
    row = Execution.get_by_id(eid)
    assert (row.status, row.chunk_count, row.log_bytes) == ("success", 2, 11)
    assert logs.read(eid, 0, 1 << 20) == (b"hello world", 2)


def test_resent_output_and_results_are_acked_and_dropped(core: Core) -> None:
    async def scenario() -> tuple[int, list[Outbound], Task, Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        web1.output(eid, 0, b"first")
        acks = [await web1.next()]
        web1.output(eid, 0, b"resent")
        web1.finish(eid)
        acks += [await web1.next(), await web1.next()]
        done = await core.until(task, TaskStatus.SUCCESS)
        web1.finish(eid, ExecutionStatus.FAIL, 1, "resent late")
        acks.append(await web1.next())
        return eid, acks, done, await core.run_db(tasks.get_by_id, task.id)

    eid, acks, done, after = core.run(scenario())

    assert acks == [ChunkAck(eid, (0,)), ChunkAck(eid, (0,)), ResultAck(eid), ResultAck(eid)]
    assert logs.read(eid, 0, 1 << 20) == (b"first", 1)
    row = Execution.get_by_id(eid)
    assert (row.status, row.exit_code, row.chunk_count) == ("success", 0, 1)
    assert (after.status, after.finished_at) == ("success", done.finished_at)


def test_reports_from_a_slave_the_execution_was_not_sent_to_are_acked_and_dropped(
    core: Core,
) -> None:
    async def scenario() -> tuple[int, list[Outbound], Execution, Task]:
        web1, web2 = await core.attach("web1"), await core.attach("web2")
        task = await core.engine.submit_command(command("web1"))
        order = await web1.order()
        eid = order.execution_id
        await web2.attach(running=(eid,))  # claims it at attach, too
        web2.started(eid)
        web2.output(eid, 0, b"forged")
        web2.finish(eid, ExecutionStatus.FAIL, 1, "forged")
        acks = [await web2.next(), await web2.next()]
        meanwhile = await core.run_db(Execution.get_by_id, eid)
        await web1.complete(order, output=b"real")
        return eid, acks, meanwhile, await core.until(task, TaskStatus.SUCCESS)

    eid, acks, meanwhile, task = core.run(scenario())

    assert acks == [ChunkAck(eid, (0,)), ResultAck(eid)]
    assert (meanwhile.status, meanwhile.chunk_count) == ("pending", 0)
    assert logs.read(eid, 0, 1 << 20) == (b"real", 1)


def test_an_order_a_slave_keeps_attaching_without_is_sent_three_times_then_fails(
    core: Core,
) -> None:
    async def scenario() -> tuple[list[Order], list[Outbound], Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        sent = [await web1.order()]
        for _ in range(3):
            await web1.attach()  # restarted without it
            sent.append(await web1.order())
        await web1.attach()
        return sent, web1.queued(), await core.until(task, TaskStatus.FAIL)

    sent, fourth, task = core.run(scenario())

    assert len({o.execution_id for o in sent}) == 1 and len(sent) == 4
    assert fourth == []
    [row] = tasks.executions(task.id)
    assert (row.status, row.reason) == (
        "fail",
        "slave web1 re-attached 3 times without receiving it",
    )


def test_a_slave_back_without_what_it_was_running_loses_it(core: Core) -> None:
    async def scenario() -> Task:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        await web1.attach(running=(eid,))
        await web1.attach(running=())
        return await core.until(task, TaskStatus.FAIL)

    task = core.run(scenario())

    [row] = tasks.executions(task.id)
    assert (row.status, row.reason) == ("lost", "slave web1 came back without it (restarted?)")


def test_a_slave_back_still_running_what_was_killed_meanwhile_is_told_to_kill_it(
    core: Core,
) -> None:
    async def scenario() -> tuple[int, Outbound, Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        web1.detach()
        await core.engine.kill_task(1, task.uuid, "")
        await web1.attach(running=(eid,))
        return eid, await web1.next(), await core.run_db(tasks.get_by_id, task.id)

    eid, told, task = core.run(scenario())

    assert told == KillOrder(eid, "the master closed it meanwhile")
    assert task.status == "killed"


def test_a_result_resent_for_what_was_killed_meanwhile_changes_nothing(core: Core) -> None:
    async def scenario() -> tuple[Outbound, Execution, Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        web1.detach()
        await core.engine.kill_task(1, task.uuid, "")
        await web1.attach(finished=(eid,))  # it had finished, unacked: it sends the result
        web1.finish(eid)
        ack = await web1.next()
        row = await core.run_db(Execution.get_by_id, eid)
        return ack, row, await core.run_db(tasks.get_by_id, task.id)

    ack, row, task = core.run(scenario())

    assert ack == ResultAck(row.id)
    assert (row.status, row.reason, task.status) == ("killed", "killed on request", "killed")


def test_work_of_a_slave_silent_past_the_lease_is_lost_and_its_stream_dropped(
    database: peewee.Database,
) -> None:
    with contextlib.closing(Core.wire(lease=LEASE)) as core:

        async def scenario() -> tuple[list[Execution], bool, bool]:
            web1, web2 = await core.attach("web1"), await core.attach("web2")
            task = await core.engine.submit_command(command("web1", "web2"))
            await web1.order()
            await web2.order()
            await asyncio.sleep(LEASE * 1.25)
            web2.link.heard()
            await core.intake.sweep(core.sessions.heard_within(LEASE / 2))
            dropped = await web1.next() is None
            return await core.executions(task), dropped, core.sessions.attached("web1")

        rows, dropped, still_attached = core.run(scenario())

    assert [(r.node, r.status, r.reason) for r in rows] == [
        ("web1", "lost", "slave silent for more than 0.2 s"),
        ("web2", "pending", ""),
    ]
    assert dropped and not still_attached


def test_an_order_too_large_for_the_link_fails_its_execution(core: Core) -> None:
    async def scenario() -> Task:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        order = await web1.order()
        await core.intake.undeliverable(web1.link, order, 40 << 20, 32 << 20)
        return await core.until(task, TaskStatus.FAIL)

    task = core.run(scenario())

    [row] = tasks.executions(task.id)
    assert row.status == "fail" and "more than the 33554432 a slave link carries" in row.reason


def test_at_start_a_task_whose_last_result_was_stored_unsettled_moves_on(
    core: Core,
) -> None:
    async def scenario() -> Task:
        await core.attach("web1")
        return await core.engine.submit_command(command("web1"))

    task = core.run(scenario())
    [row] = tasks.executions(task.id)
    executions.record_result(SlaveResult(row.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)

    with contextlib.closing(Core.wire()) as restarted:
        restarted.run(restarted.intake.recover())

    assert tasks.get_by_id(task.id).status == "success"


def test_an_order_sent_again_still_goes_over_ssh_or_not_at_all(core: Core) -> None:
    create_node(1, "db9", "10.0.0.9", "", 0, "web1", "me")
    create_account(1, "deploy", "", "pw", "me", core.secrets)

    async def scenario() -> tuple[Order, list[Outbound]]:
        web1 = await core.attach("web1")
        await core.engine.submit_command(command("db9", user="deploy"))
        first = await web1.order()
        await core.run_db(Account.delete().execute)
        await web1.attach()  # restarted without it: it is sent again
        return first, web1.queued()

    first, again = core.run(scenario())

    assert isinstance(first, RunOrder) and first.ssh is not None
    assert [o for o in again if isinstance(o, RunOrder) and o.ssh is None] == []


def test_a_start_and_result_in_one_batch_keep_the_start_time(core: Core) -> None:
    began = dt.datetime(2026, 1, 2, 3, 4, 5)

    async def scenario() -> tuple[int, Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        web1.link.inbox.put_nowait(Started(eid, began))  # both queued before the drain runs
        web1.finish(eid)
        return eid, await core.until(task, TaskStatus.SUCCESS)

    eid, task = core.run(scenario())

    row = Execution.get_by_id(eid)
    assert (task.status, row.status, row.started_at) == ("success", "success", began)


def test_a_result_carrying_its_start_ends_a_pending_execution_in_one_store_call(
    core: Core,
) -> None:
    began, ended = dt.datetime(2026, 1, 2, 3, 4, 5), dt.datetime(2026, 1, 2, 3, 4, 6)
    calls: list[tuple[int, int]] = []
    store = core.intake.groups.store_group

    def counted(chunks: Any, starts: Any, results: Any, busy: Any) -> Any:
        calls.append((len(starts), len(results)))
        return store(chunks, starts, results, busy)

    core.intake.groups.store_group = counted

    async def scenario() -> tuple[int, str, Task]:
        web1 = await core.attach("web1")
        task = await core.engine.submit_command(command("web1"))
        eid = (await web1.order()).execution_id
        status = (await core.run_db(Execution.get_by_id, eid)).status
        result = SlaveResult(eid, ExecutionStatus.SUCCESS, 0, "", 0)
        web1.link.inbox.put_nowait(Finished(result, began, ended))  # no Started before it
        assert await web1.result_ack() == ResultAck(eid)
        return eid, status, await core.until(task, TaskStatus.SUCCESS)

    eid, status_before, task = core.run(scenario())

    row = Execution.get_by_id(eid)
    assert status_before == "pending"
    assert (task.status, row.status, row.started_at, row.finished_at) == (
        "success",
        "success",
        began,
        ended,
    )
    assert calls == [(0, 1)]
