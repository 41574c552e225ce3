"""Which slave runs each node's execution, and how.

A node that is itself an attached slave runs there (agent mode). A machine of the project's
nodelist without a slave runs over SSH from its pinned slave, or else from the least loaded
attached slave; the execution account (userlist) gives the SSH credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from master.link import SlaveSessions
from master.models import Account, Node
from master.store.tasks import Placement


@dataclass(frozen=True)
class SshTarget:
    node: str
    host: str
    port: int
    user: str
    private_key: str = field(default="", repr=False)
    password: str = field(default="", repr=False)


def place(
    sessions: SlaveSessions, nodes: list[str], machines: dict[str, Node], seen_slaves: set[str]
) -> list[Placement]:
    load = {name: sessions.load(name) for name in sessions.names()}
    placements = []
    for name in nodes:
        placement = _place_one(sessions, name, machines.get(name), seen_slaves, load)
        if placement.slave and not placement.failure:
            load[placement.slave] = load.get(placement.slave, 0) + 1
        placements.append(placement)
    return placements


def _place_one(
    sessions: SlaveSessions, name: str, machine: Node | None, seen: set[str], load: dict[str, int]
) -> Placement:
    if sessions.attached(name):
        return Placement(name, name)
    if machine is None:
        if name in seen:
            return Placement(name, name, f"slave {name} is not attached to the master")
        return Placement(name, "", f"node {name} is neither a slave nor in the nodelist")
    if machine.slave:
        if sessions.attached(machine.slave):
            return Placement(name, machine.slave)
        return Placement(
            name, machine.slave, f"slave {machine.slave}, pinned to reach {name}, is not attached"
        )
    if not load:
        return Placement(name, "", f"no slave is attached to reach {name} over SSH")
    return Placement(name, min(load, key=lambda s: (load[s], s)))


def ssh_target(machine: Node, account: Account | None, user: str) -> SshTarget | str:
    """The SSH target for a machine, or why there is none."""
    if not user:
        return f"node {machine.name} is reached over SSH and needs an execution account (user)"
    if account is None:
        return f"no execution account {user!r} in the userlist for SSH to {machine.name}"
    host = machine.inip or machine.exip or machine.name
    return SshTarget(
        node=machine.name,
        host=host,
        port=machine.ssh_port or 22,
        user=user,
        private_key=account.private_key,
        password=account.password,
    )
