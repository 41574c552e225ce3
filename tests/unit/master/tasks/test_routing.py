"""Where each node's execution goes: an attached slave runs its own node (agent mode); a machine
of the nodelist is reached over SSH from its pinned slave or else the least loaded one, and only
from slaves serving the project; what cannot be placed fails at once, saying why."""

from __future__ import annotations

import dataclasses

from master.catalogue.rules import create_account, create_node
from master.db.models import Account, Task
from master.domain import CommandSpec, Outbound, RunOrder, ScriptType, SshTarget, TaskStatus
from tests.unit.master.mastertest import Core, PlayedSlave

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----\n"


def command(*nodes: str, user: str = "deploy") -> CommandSpec:
    return CommandSpec(1, "adhoc", "me", user, nodes, ScriptType.SHELL, "uptime")


def machines(*names: str, slave: str = "") -> None:
    for i, name in enumerate(names, 1):
        create_node(1, name, f"10.0.0.{i}", "", 0, slave, "me")


async def orders(slave: PlayedSlave, count: int) -> list[RunOrder]:
    got = [await slave.order() for _ in range(count)]
    assert all(isinstance(o, RunOrder) for o in got)
    return [o for o in got if isinstance(o, RunOrder)]


def ssh(order: RunOrder) -> SshTarget:
    """The order's SSH target, which these tests know is set."""
    assert order.ssh is not None
    return order.ssh


def test_a_node_that_is_an_attached_slave_runs_there_as_the_step_user(core: Core) -> None:
    async def scenario() -> tuple[Task, list[RunOrder]]:
        web1 = await core.attach("web1", run_as=("app", "deploy"))
        task = await core.engine.submit_command(command("web1"))
        return task, await orders(web1, 1)

    task, [order] = core.run(scenario())

    assert (order.ssh, order.user) == (None, "deploy")
    assert [(r.node, r.slave) for r in core.run(core.executions(task))] == [("web1", "web1")]


def test_a_pinned_machine_is_reached_from_its_slave_with_the_account_secrets_opened(
    core: Core,
) -> None:
    create_node(1, "db9", "10.9.9.9", "192.0.2.9", 2222, "gw2", "me")
    create_account(1, "deploy", KEY, "pw", "me", core.secrets)

    async def scenario() -> tuple[list[RunOrder], list[Outbound]]:
        gw1, gw2 = await core.attach("gw1"), await core.attach("gw2")
        await core.engine.submit_command(command("db9"))
        return await orders(gw2, 1), gw1.queued()

    [order], on_gw1 = core.run(scenario())

    assert on_gw1 == []
    assert order.user == ""  # over SSH the account is the login
    assert order.ssh == SshTarget("db9", "10.9.9.9", 2222, "deploy", KEY, "pw")
    stored = Account.get(Account.username == "deploy")
    assert stored.private_key.startswith("enc:v1:") and stored.password.startswith("enc:v1:")


def test_unpinned_machines_go_to_the_least_loaded_serving_slaves(core: Core) -> None:
    machines("m1", "m2", "m3")
    create_account(1, "deploy", KEY, "", "me", core.secrets)

    async def scenario() -> tuple[list[RunOrder], list[RunOrder]]:
        gw1, gw2 = await core.attach("gw1"), await core.attach("gw2")
        gw1.link.heard(running=2)  # its heartbeat: two executions running
        await core.engine.submit_command(command("m1", "m2", "m3"))
        return await orders(gw1, 1), await orders(gw2, 2)

    on_gw1, on_gw2 = core.run(scenario())

    assert [ssh(o).node for o in on_gw2] == ["m1", "m2"]
    assert [ssh(o).node for o in on_gw1] == ["m3"]  # loads even (2, 2): by name


def test_only_slaves_serving_the_project_reach_its_machines_even_one_named_like_them(
    core: Core,
) -> None:
    machines("m1", "gw1")
    create_account(1, "deploy", KEY, "", "me", core.secrets)

    async def scenario() -> tuple[list[Outbound], list[RunOrder]]:
        gw1 = await core.attach("gw1", projects=(2,))
        gw2 = await core.attach("gw2")
        gw2.link.heard(running=5)
        await core.engine.submit_command(command("m1", "gw1"))
        return gw1.queued(), await orders(gw2, 2)

    on_gw1, on_gw2 = core.run(scenario())

    assert on_gw1 == []
    assert [(ssh(o).node, ssh(o).host) for o in on_gw2] == [("m1", "10.0.0.1"), ("gw1", "10.0.0.2")]


async def refused(core: Core, spec: CommandSpec, *attached: PlayedSlave) -> tuple[Task, str]:
    """The task of a command none of whose nodes can be placed, and its one execution's reason,
    once it has failed; nothing may have been sent to the slaves."""
    task = await core.engine.submit_command(spec)
    ended = await core.until(task, TaskStatus.FAIL)
    for slave in attached:
        assert slave.queued() == [], f"{slave.name} was sent something"
    [row] = await core.executions(task)
    assert (row.status, row.exit_code) == ("fail", -1)
    return ended, row.reason


def test_a_machine_without_an_account_is_not_reached(core: Core) -> None:
    machines("m1")
    create_account(1, "deploy", KEY, "", "me", core.secrets)

    async def scenario() -> list[str]:
        gw1 = await core.attach("gw1")
        return [(await refused(core, command("m1", user=user), gw1))[1] for user in ("", "ghost")]

    reasons = core.run(scenario())

    assert reasons == [
        "node m1 is reached over SSH and needs an execution account (user)",
        "no execution account 'ghost' in the userlist for SSH to m1",
    ]


def test_a_slave_runs_its_own_node_only_as_one_of_its_accounts(core: Core) -> None:
    async def scenario() -> tuple[Task, str]:
        web1 = await core.attach("web1", run_as=("app",))
        return await refused(core, command("web1", user="root"), web1)

    task, reason = core.run(scenario())

    assert reason == "slave web1 does not run commands as root (it runs as app)"
    assert task.reason == f"1 of 1 node(s) failed: web1 (fail: {reason})"


def test_a_pinned_slave_away_or_serving_other_projects_reaches_nothing(core: Core) -> None:
    create_node(1, "m1", "10.0.0.1", "", 0, "gw1", "me")
    create_node(1, "m2", "10.0.0.2", "", 0, "gw9", "me")
    create_account(1, "deploy", KEY, "", "me", core.secrets)

    async def scenario() -> list[str]:
        gw1 = await core.attach("gw1", projects=(2,))
        gw2 = await core.attach("gw2")
        return [(await refused(core, command(m), gw1, gw2))[1] for m in ("m1", "m2")]

    reasons = core.run(scenario())

    assert reasons == [
        "slave gw1, pinned to reach m1, does not serve project 1 (it serves project(s) 2)",
        "slave gw9, pinned to reach m2, is not attached",
    ]


def test_with_no_slave_serving_the_project_a_machine_is_not_reached(core: Core) -> None:
    machines("m1")
    create_account(1, "deploy", KEY, "", "me", core.secrets)

    async def scenario() -> str:
        gw1 = await core.attach("gw1", projects=(2,))
        return (await refused(core, command("m1"), gw1))[1]

    assert core.run(scenario()) == "no slave serving project 1 is attached to reach m1 over SSH"


def test_a_slave_narrowed_to_another_project_does_not_run_this_ones_commands(
    core: Core,
) -> None:
    async def scenario() -> str:
        web1 = await core.attach("web1")  # enrolled for every project
        web1.intro = dataclasses.replace(web1.intro, projects=(2,))
        await web1.attach()  # serves project 2 only from now on
        return (await refused(core, command("web1", user=""), web1))[1]

    assert core.run(scenario()) == ("slave web1 does not serve project 1 (it serves project(s) 2)")
