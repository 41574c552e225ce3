"""Which slave runs each node's execution, and how.

A node that is itself an attached slave runs there (agent mode). A machine of the project's
nodelist without a slave runs over SSH from its pinned slave, or else from the least loaded
attached slave; the execution account (userlist) gives the SSH credentials. Only slaves that
serve the project take its work, and so only they ever receive its SSH secrets: a slave named
like one of the project's machines but not serving it is not that machine.

Every way a node cannot be reached ends as its placement's `failure`, never as an exception.
"""

from __future__ import annotations

import dataclasses

from master.db.models import Account, Node
from master.domain import Blob, Identity, Placement, Role, SshTarget
from master.slaves.sessions import SlaveSessions


def place(
    sessions: SlaveSessions,
    nodes: list[str],
    machines: dict[str, Node],
    seen_slaves: set[str],
    project_id: int,
    user: str,
    role: Role = Role.RUN,
    blob: Blob | None = None,
) -> list[Placement]:
    """Where each node's execution of a step of `project_id` (run as `user`) goes."""
    pool = {name: sessions.load(name) for name in sessions.serving(project_id)}
    placements = []
    for name in nodes:
        placement = _place_one(
            sessions, name, machines.get(name), seen_slaves, pool, project_id, user
        )
        if placement.slave in pool and not placement.failure:
            pool[placement.slave] += 1
        placements.append(dataclasses.replace(placement, role=role, blob=blob))
    return placements


def _place_one(
    sessions: SlaveSessions,
    name: str,
    machine: Node | None,
    seen: set[str],
    pool: dict[str, int],
    project_id: int,
    user: str,
) -> Placement:
    agent = sessions.identity(name)
    if agent is not None and (agent.serves(project_id) or machine is None):
        return Placement(name, name, _refusal(agent, project_id, user))
    if machine is None:
        if name in seen:
            return Placement(name, name, f"slave {name} is not attached to the master")
        return Placement(name, "", f"node {name} is neither a slave nor in the nodelist")
    if machine.slave:
        pinned = sessions.identity(machine.slave)
        if pinned is None:
            why = f"slave {machine.slave}, pinned to reach {name}, is not attached"
        elif not pinned.serves(project_id):
            why = (
                f"slave {machine.slave}, pinned to reach {name}, does not serve project "
                f"{project_id} (it serves {pinned.describe_projects()})"
            )
        else:
            why = ""
        return Placement(name, machine.slave, why)
    if not pool:
        return Placement(
            name, "", f"no slave serving project {project_id} is attached to reach {name} over SSH"
        )
    return Placement(name, min(pool, key=lambda s: (pool[s], s)))


def _refusal(agent: Identity, project_id: int, user: str) -> str:
    """Why the slave cannot run a command of the project as `user` on itself, or ""."""
    if not agent.serves(project_id):
        return (
            f"slave {agent.name} does not serve project {project_id} "
            f"(it serves {agent.describe_projects()})"
        )
    if not agent.runs_as(user):
        return (
            f"slave {agent.name} does not run commands as {user} "
            f"(it runs as {', '.join(agent.run_as)})"
        )
    return ""


def over_ssh(placement: Placement) -> bool:
    """Whether the placement's slave reaches its node over SSH (it is not the node itself)."""
    return not placement.failure and placement.slave != placement.node


def reach(
    placements: list[Placement],
    machines: dict[str, Node],
    account: Account | None,
    user: str,
    unopened: str = "",
) -> list[Placement]:
    """The placements, those reached over SSH given their target or the failure saying why
    there is none. `unopened`: why the account's secrets cannot be opened, if they cannot."""
    return [
        _reached(p, machines[p.node], account, user, unopened) if over_ssh(p) else p
        for p in placements
    ]


def _reached(
    placement: Placement, machine: Node, account: Account | None, user: str, unopened: str
) -> Placement:
    if unopened:
        return dataclasses.replace(placement, failure=unopened)
    if not user:
        why = f"node {machine.name} is reached over SSH and needs an execution account (user)"
        return dataclasses.replace(placement, failure=why)
    if account is None:
        why = f"no execution account {user!r} in the userlist for SSH to {machine.name}"
        return dataclasses.replace(placement, failure=why)
    return dataclasses.replace(placement, ssh=ssh_target(machine, account, user))


def ssh_target(machine: Node, account: Account, user: str) -> SshTarget:
    """The SSH target for a machine, logging in as `user` with the account's secrets."""
    return SshTarget(
        node=machine.name,
        host=machine.inip or machine.exip or machine.name,
        port=machine.ssh_port or 22,
        user=user,
        private_key=account.private_key,
        password=account.password,
    )
