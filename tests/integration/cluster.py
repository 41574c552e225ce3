"""Several masters on one fresh PostgreSQL database (multi-master mode, `--advertise`): each
with its own listen port, advertise name and data dir, all with the same database, secrets key
file, admin token and join token (a slave enrolled through one attaches to any). Multi-master
tests run only on PostgreSQL (JOBFLEET_TEST_DB, the PostgreSQL phase of scripts/test)."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests import pg
from tests.integration.conftest import Master, Services

needs_postgresql = pytest.mark.skipif(
    not pg.server_url(),
    reason="several masters share one PostgreSQL: JOBFLEET_TEST_DB is not set "
    "(the PostgreSQL phase of scripts/test sets it)",
)


def free_port() -> int:
    """A loopback port free now (a master must know its port before it starts: it is its
    name, --advertise)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MasterCluster:
    """Masters by name (their --advertise); `start` adds one, or starts one again by name."""

    services: Services
    db_url: str
    root: Path
    join_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    masters: dict[str, Master] = field(default_factory=dict)
    extra: tuple[str, ...] = ()

    @property
    def key_file(self) -> Path:
        return self.root / "secrets.key"

    def start(self, name: str = "", *extra: str) -> Master:
        """A master of the cluster: a new one (a free port), or `name` started again (its
        port, name and data dir)."""
        name = name or f"127.0.0.1:{free_port()}"
        data = self.root / name.replace(":", "_")
        master = self.services.start_master(
            "--listen",
            name,
            "--advertise",
            name,
            "--db",
            self.db_url,
            "--key-file",
            str(self.key_file),
            *self.extra,
            *extra,
            data_dir=data,
            name=f"master-{name.rpartition(':')[2]}",
            env={"JOBFLEET_JOIN_TOKEN": self.join_token},
        )
        self.masters[name] = master
        return master

    def names(self) -> list[str]:
        return list(self.masters)

    def kill(self, name: str) -> None:
        """SIGKILL: no clean stop, its row stays until its lease lapses."""
        self.masters[name].proc.kill()

    def stop(self) -> None:
        for master in self.masters.values():
            master.proc.stop()


def start_cluster(services: Services, count: int, *extra: str) -> Iterator[MasterCluster]:
    """`count` masters on a fresh database, stopped and the database dropped at the end (for a
    module-scoped fixture: `yield from start_cluster(module_services, 3)`)."""
    url = pg.create_database(pg.server_url())
    cluster = MasterCluster(services, url, services.processes.tmp / "cluster", extra=extra)
    cluster.root.mkdir(parents=True, exist_ok=True)
    try:
        first = cluster.start()  # makes the key file and the schema before the others start
        for _ in range(count - 1):
            cluster.start()
        assert first.proc.popen.poll() is None
        yield cluster
    finally:
        cluster.stop()
        pg.drop_database(url)


def health(master: Master) -> str:
    """The master's gRPC health ("" = the server as a whole), by name: SERVING, NOT_SERVING."""
    with master.channel() as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=5
        )
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
