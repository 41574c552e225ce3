"""Submits handed in together are launched by one database call, each with its own outcome:
its task, or its own error (an outage as Unavailable), the others unaffected."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import peewee

from master.db.connection import DbRunner
from master.db.models import Task
from master.domain import CommandSpec, ScriptType
from master.errors import InvalidArgument, Unavailable
from master.tasks.launch import Launched
from master.tasks.launchgroups import MAX_GROUP, LaunchGroups
from tests.unit.master.mastertest import Core


class CountingRunner(DbRunner):
    """A DbRunner counting its calls (each one a hand-off to a database thread)."""

    def __init__(self) -> None:
        super().__init__(2)
        self.calls = 0

    async def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return await super().__call__(fn, *args, **kwargs)


def written(name: str) -> Callable[[], Launched]:
    return lambda: Launched(Task(name=name))


def refused() -> Launched:
    raise InvalidArgument("no such thing", "nodes")


def unreachable() -> Launched:
    raise peewee.OperationalError("database is locked")


def test_submits_of_one_tick_are_one_call_each_with_its_own_outcome(database: Any) -> None:
    async def scenario() -> tuple[list[Any], int]:
        runner = CountingRunner()
        groups = LaunchGroups(runner)
        calls = [written("a"), refused, written("b"), unreachable, written("c")]
        found = await asyncio.gather(*(groups.launch(c) for c in calls), return_exceptions=True)
        runner.close(connections=False)
        return found, runner.calls

    found, calls = asyncio.run(scenario())

    assert calls == 1
    assert [f.task.name for f in found if isinstance(f, Launched)] == ["a", "b", "c"]
    assert isinstance(found[1], InvalidArgument) and found[1].field == "nodes"
    assert isinstance(found[3], Unavailable)


def test_a_long_queue_is_launched_in_groups_in_order(database: Any) -> None:
    async def scenario() -> tuple[list[str], int]:
        runner = CountingRunner()
        groups = LaunchGroups(runner)
        count = MAX_GROUP * 2 + 1
        found = await asyncio.gather(*(groups.launch(written(str(i))) for i in range(count)))
        runner.close(connections=False)
        return [f.task.name for f in found], runner.calls

    names, calls = asyncio.run(scenario())

    assert names == [str(i) for i in range(MAX_GROUP * 2 + 1)]
    assert calls == 3


def test_commands_submitted_together_each_start_as_alone(core: Core) -> None:
    """Real submits through the engine: one bad among good ones fails alone, naming its field."""

    def command(*nodes: str) -> CommandSpec:
        return CommandSpec(1, "adhoc", "me", "", nodes, ScriptType.SHELL, "true")

    async def scenario() -> list[Any]:
        await core.attach("web1")
        specs = [command("web1"), command("nope!"), command("web1")]
        return await asyncio.gather(
            *(core.engine.start_command(s) for s in specs), return_exceptions=True
        )

    good, bad, other = core.run(scenario())

    assert isinstance(bad, InvalidArgument) and bad.field == "nodes"
    assert isinstance(good, Launched) and isinstance(other, Launched)
    assert good.view is not None and other.view is not None
    assert good.task.uuid != other.task.uuid

