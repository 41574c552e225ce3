"""A master drives its tasks only while its lease holds: past the lease less a margin without
a renewal it stops (before any other master may take them over), and takes over no other
master until its own lease has held for a whole lease."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import peewee
import pytest

from master.cluster import registry
from master.cluster.registry import LEASE, MARGIN, Registry
from master.db.connection import DbRunner
from master.db.models import Task
from master.domain import CommandSpec, ExecutionStatus, ScriptType, SlaveResult, SubtaskStatus
from master.slaves.sessions import SlaveSessions
from master.store import executions, tasks
from tests.unit.master.mastertest import Core


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_lease_lets_a_master_drive_until_lease_less_margin_and_take_over_after_a_lease(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr(registry, "time", SimpleNamespace(monotonic=clock))
    runner = DbRunner(1)
    lease = Registry("me:7070", runner, SlaveSessions())
    runner.close(connections=False)
    before = lease.lease_held()
    lease._renewed = lease._held_since = clock.now  # registered now

    held = lease.lease_held(), lease.may_take_over()
    clock.now += LEASE
    lease._renewed = clock.now  # renewed all along
    later = lease.may_take_over()
    lease._renewed = clock.now - (LEASE - MARGIN)  # the last renewal that succeeded

    assert before is False, "not registered: not driving"
    assert held == (True, False), "drives at once, takes over others only after a lease"
    assert later is True
    assert lease.lease_held() is False and lease.may_take_over() is False


def test_a_master_whose_lease_lapsed_leaves_its_tasks_as_they_are_until_it_holds_it_again(
    database: peewee.Database,
) -> None:
    with contextlib.closing(Core.wire()) as first:

        async def before() -> Task:
            await first.attach("web1")
            spec = CommandSpec(1, "short", "me", "", ("web1",), ScriptType.SHELL, "true")
            return await first.engine.submit_command(spec)

        task = first.run(before())
    sent = tasks.executions(task.id)[0]
    executions.record_result(SlaveResult(sent.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)
    tasks.set_subtask(tasks.subtask_at(task.id, 0).id, SubtaskStatus.SUCCESS)
    held = False

    with contextlib.closing(Core.wire()) as master:
        master.engine.may_drive = lambda: held
        master.run(master.intake.recover())
        lapsed = tasks.get_by_id(task.id).status
        held = True
        master.run(master.intake.recover())

    assert lapsed == "running"
    assert tasks.get_by_id(task.id).status == "success"
