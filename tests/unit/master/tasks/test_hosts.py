"""Which host each execution ran on, as bk-job names hosts (cloud area, IP), recorded when the
execution is written; and what a copy's halves moved."""

from __future__ import annotations

import pytest

from master.catalogue.rules import create_node
from master.db.models import Node
from master.domain import (
    Blob,
    CommandSpec,
    ExecutionStatus,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
)
from master.domain import TaskStatus as Status
from master.errors import InvalidArgument
from master.rpc.convert.task import execution
from master.store import slaves, tasks
from master.tasks.hosts import host_of
from tests.unit.master.mastertest import Core

SHA = "ab" * 32


def node(inip: str = "", cloud_id: int = 0) -> Node:
    return Node(name="n", inip=inip, cloud_id=cloud_id)


@pytest.mark.parametrize(
    ("name", "machine", "addresses", "host"),
    [
        ("web1", node("10.0.0.1", 3), ["192.0.2.9"], ("10.0.0.1", 3)),  # the inner IP first
        ("10.0.0.7", node("", 4), ["192.0.2.9"], ("10.0.0.7", 4)),  # then a name that is an IP
        ("10.0.0.7", None, [], ("10.0.0.7", 0)),
        ("web1", None, ["127.0.0.1", "192.0.2.9"], ("127.0.0.1", 0)),  # then the slave's first
        ("web1", node("", 5), [], ("", 5)),  # a host name reached over SSH: no IP known
    ],
)
def test_the_host_of_a_node(
    name: str, machine: Node | None, addresses: list[str], host: tuple[str, int]
) -> None:
    assert host_of(name, machine, addresses) == host


def test_a_cloud_area_outside_bk_jobs_range_is_refused(core: Core) -> None:
    for bad in (-1, 2**31):
        with pytest.raises(InvalidArgument) as refused:
            create_node(1, "web9", "10.0.0.9", "", 0, "", "me", bad)
        assert refused.value.field == "cloud_id"


def test_each_execution_records_the_host_it_ran_on(core: Core) -> None:
    create_node(1, "db9", "10.9.9.9", "", 0, "", "me", 7)
    create_node(1, "web2", "", "", 0, "", "me", 2)
    create_node(1, "10.1.1.1", "", "", 0, "", "me")
    spec = CommandSpec(1, "a", "me", "", ("web1", "db9", "web2", "10.1.1.1"), ScriptType.SHELL, "x")

    async def scenario() -> list[tuple[str, str, int]]:
        await core.attach("web1")
        await core.attach("web2", projects=(2,))  # not this project's: no node of it
        slaves.register("web1", "web1.host", ["127.0.0.1", "192.0.2.1"], "test")
        slaves.register("web2", "web2.host", ["192.0.2.2"], "test")
        task = await core.engine.submit_command(spec)
        return [(r.node, r.ip, r.cloud_id) for r in await core.executions(task)]

    assert core.run(scenario()) == [
        ("web1", "127.0.0.1", 0),
        ("db9", "10.9.9.9", 7),
        ("web2", "", 2),
        ("10.1.1.1", "10.1.1.1", 0),  # it fails (no account to log in), still on that host
    ]


def test_a_copys_halves_answer_their_role_and_what_they_moved(core: Core) -> None:
    create_node(1, "db1", "10.0.0.1", "", 0, "", "me", 1)
    step = Step(
        kind=StepKind.SCP,
        name="copy",
        src=Selector(SelectorType.BUILTIN, "db1"),
        src_path="/etc/app.conf",
        dst=Selector(SelectorType.BUILTIN, "web1"),
        dst_path="/etc/app/",
    )

    async def scenario() -> int:
        db1, web1 = await core.attach("db1"), await core.attach("web1")
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {})
        await db1.complete(await db1.order(), fetched=Blob(SHA, 321))
        await web1.complete(await web1.order())
        return int((await core.until(task, Status.SUCCESS)).id)

    rows = tasks.executions(core.run(scenario()))
    shown = [execution(r) for r in rows]
    assert [(e.node, e.role, e.copied_bytes, e.ip, e.cloud_id) for e in shown] == [
        ("db1", "fetch", 321, "10.0.0.1", 1),
        ("web1", "place", 321, "", 0),  # a slave of the test reports no address
    ]


def test_a_failed_place_copied_nothing(core: Core) -> None:
    step = Step(
        kind=StepKind.SCP,
        name="copy",
        src=Selector(SelectorType.BUILTIN, "db1"),
        src_path="/etc/app.conf",
        dst=Selector(SelectorType.BUILTIN, "web1"),
        dst_path="/etc/app/",
    )

    async def scenario() -> int:
        db1, web1 = await core.attach("db1"), await core.attach("web1")
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {})
        await db1.complete(await db1.order(), fetched=Blob(SHA, 321))
        await web1.complete(await web1.order(), ExecutionStatus.FAIL)
        return int((await core.until(task, Status.FAIL)).id)

    rows = tasks.executions(core.run(scenario()))
    assert [(r.role, execution(r).copied_bytes) for r in rows] == [("fetch", 321), ("place", 0)]
