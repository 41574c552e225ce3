"""Several masters behind one setting: `--master a:7070,b:7070,c:7070` (or one DNS name that
resolves to several addresses), as the slaves and the gateway read it.

The masters share one database, so any of them serves any client: a slave attaches to one and
moves to the next when its stream fails (`Rotation`); the gateway hands the whole list to one
grpc channel (`channel_target`, pick_first over the addresses) with a retry policy, so a call
that meets an UNAVAILABLE master goes to another. A DNS name is left to grpc's own resolver,
which gives pick_first every address the name has.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import zlib
from collections.abc import Sequence

logger = logging.getLogger(__name__)

__all__ = [
    "FAILOVER_SERVICE_CONFIG",
    "NOT_RETRIED",
    "Rotation",
    "channel_target",
    "failover_options",
    "parse_masters",
    "start_index",
]

NOT_RETRIED = ("SubmitCommand", "SubmitCopy", "SubmitJob", "RedoTask", "AddTaskNote")
"""TaskService calls that start work (or add a row) with no key of the caller's: one cut by its
master's death may have been done already, and done again it would run a command twice, so
its UNAVAILABLE reaches the caller (503), who knows what it asked for."""

FAILOVER_SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"pick_first": {}}],
        "methodConfig": [
            {
                "name": [{}],  # every method of every service...
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 3,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            },
            {  # ...but these (a more specific name wins)
                "name": [{"service": "jobfleet.v1.TaskService", "method": m} for m in NOT_RETRIED],
            },
        ],
    }
)
"""A call whose master is UNAVAILABLE (it died, or refuses connections) is tried again on the
channel, which by then has picked another address; calls that already received a message are
not retried by grpc (a follow stream resumes itself: gateway/follow.py). New calls go to a live
master in any case: pick_first leaves a dead one for the next address."""


def parse_masters(raw: str) -> tuple[str, ...]:
    """`HOST:PORT` or a comma list of them (IPv6 as `[addr]:port`), in the order given, each
    once; ValueError says which entry is wrong."""
    entries = [part.strip() for part in raw.split(",")]
    if not any(entries):
        raise ValueError(f"{raw!r} is not HOST:PORT[,HOST:PORT...]")
    found: list[str] = []
    for entry in entries:
        if not entry:
            raise ValueError(f"{raw!r} has an empty entry (HOST:PORT[,HOST:PORT...])")
        host, sep, port = entry.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{entry!r} is not HOST:PORT")
        if host.startswith("[") != host.endswith("]") or (":" in host and "[" not in host):
            raise ValueError(f"{entry!r} is not HOST:PORT (an IPv6 address goes in [brackets])")
        address = f"{host}:{int(port)}"
        if address not in found:
            found.append(address)
    return tuple(found)


def start_index(name: str, count: int) -> int:
    """Where a client named `name` starts in a list of `count` masters: a stable hash of the
    name, so a fleet spreads over the masters instead of all attaching to the first, and a
    slave that restarts goes back to the same one."""
    return zlib.crc32(name.encode()) % count if count else 0


class Rotation:
    """The order a slave dials its masters in: from its own start (`start_index`), moving on
    by one after every failure; `round_done` says every master failed since the last success,
    the moment to back off."""

    def __init__(self, masters: Sequence[str], name: str) -> None:
        if not masters:
            raise ValueError("no master to dial")
        self.masters = tuple(masters)
        self._index = start_index(name, len(self.masters))
        self._failed = 0

    @property
    def current(self) -> str:
        return self.masters[self._index]

    def failed(self) -> bool:
        """The current master failed: move to the next. True once every master has failed in
        a row (the count starts again, for the next round)."""
        self._index = (self._index + 1) % len(self.masters)
        self._failed += 1
        if self._failed >= len(self.masters):
            self._failed = 0
            return True
        return False

    def succeeded(self) -> None:
        """Attached: the next failure starts a new round."""
        self._failed = 0


def channel_target(masters: Sequence[str]) -> str:
    """One grpc target for the list: a single entry as it is (grpc resolves a name to all its
    addresses); several as `ipv4:`/`ipv6:` address lists, names resolved now (one that does
    not resolve is left out, with a warning). Raises OSError when none resolves."""
    if len(masters) == 1:
        return masters[0]
    v4: list[str] = []
    v6: list[str] = []
    for entry in masters:
        host, _, port = entry.rpartition(":")
        try:
            addresses = _addresses(host.strip("[]"), int(port))
        except OSError as exc:  # one missing DNS record must not keep the others unused
            logger.warning("master %s left out: it does not resolve (%s)", entry, exc)
            continue
        for address in addresses:
            if isinstance(address, ipaddress.IPv4Address):
                v4.append(f"{address}:{port}")
            else:
                v6.append(f"[{address}]:{port}")
    if not v4 and not v6:
        raise OSError(f"master: none of {','.join(masters)} resolves to an address")
    if v4:  # grpc's address-list targets hold one family; IPv4 first, as most fleets have it
        return "ipv4:" + ",".join(dict.fromkeys(v4))
    return "ipv6:" + ",".join(dict.fromkeys(v6))


def failover_options(masters: Sequence[str]) -> list[tuple[str, str]]:
    """Channel options for a target of several masters: pick_first with the retry policy, and
    the first entry as the authority (the name TLS checks unless a server name is given)."""
    if len(masters) == 1:
        return []
    return [
        ("grpc.service_config", FAILOVER_SERVICE_CONFIG),
        ("grpc.default_authority", masters[0]),
    ]


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
