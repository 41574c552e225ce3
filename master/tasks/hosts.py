"""Which host an execution is on, as bk-job names hosts: (cloud area, IP), recorded with the
execution when it is written, so a later view finds a host's output by its address even after
the nodelist changes.

The IP is the node's inner IP; else its name, when the name is an IP; else the first address
the slave of that name reported in its Hello (the one it reaches the master from: loopback for
a slave on the master's own machine), when that slave serves the project (another project's
slave of that name is not this node); else "" (a machine named by a host name, reached over
SSH, with no inner IP). The cloud area is the node's `cloud_id`, 0 without a nodelist row.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Sequence

from master.db.models import Node
from master.domain import Placement
from master.store import catalogue, slaves


def host_of(name: str, machine: Node | None, addresses: Sequence[str]) -> tuple[str, int]:
    """(IP, cloud area) of the node `name` (its nodelist row, if any; its slave's addresses)."""
    cloud_id = int(machine.cloud_id) if machine is not None else 0
    if machine is not None and machine.inip:
        return str(machine.inip), cloud_id
    if is_ip(name):
        return name, cloud_id
    return (addresses[0] if addresses else ""), cloud_id


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def identified(project_id: int, placements: list[Placement]) -> list[Placement]:
    """The placements, each with the host it is on (synchronous: reads the nodelist and the
    slaves' reported addresses)."""
    names = list(dict.fromkeys(p.node for p in placements))
    machines = catalogue.machines_named(project_id, names)
    return identify(placements, machines, slaves.addresses_of(names, project_id))


def identify(
    placements: list[Placement], machines: dict[str, Node], addresses: dict[str, list[str]]
) -> list[Placement]:
    """The placements, each with the host it is on, from their nodelist rows and their slaves'
    reported addresses (by node; rows and addresses of other nodes may be there too)."""
    names = dict.fromkeys(p.node for p in placements)
    found = {n: host_of(n, machines.get(n), addresses.get(n, ())) for n in names}
    return [
        dataclasses.replace(p, ip=found[p.node][0], cloud_id=found[p.node][1]) for p in placements
    ]
