"""What the slave tells the master about its machine (best effort, never fatal)."""

from __future__ import annotations

import contextlib
import socket

_ANYWHERE = ("192.0.2.1", 9)  # TEST-NET-1: only asks the kernel for the default route


def local_addresses(master: str) -> list[str]:
    """IP addresses of this machine, the master may match nodes by them: the one routing to the
    master, the default route's, the host name's. Falls back to 127.0.0.1. Blocking (DNS)."""
    found: list[str] = []
    host, _, port = master.rpartition(":")
    for target in ((host.strip("[]"), port), _ANYWHERE):
        with contextlib.suppress(OSError, ValueError):
            found.append(_route_to(target[0], int(target[1])))
    with contextlib.suppress(OSError):
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM):
            found.append(str(sockaddr[0]))
    unique = list(dict.fromkeys(a for a in found if a and not a.startswith("0.")))
    return unique or ["127.0.0.1"]


def _route_to(host: str, port: int) -> str:
    """The local address the kernel would use toward host (a UDP connect sends nothing)."""
    family, kind, proto, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.connect(sockaddr)
        return str(probe.getsockname()[0])
