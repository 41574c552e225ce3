"""Factories that start real master, slave and gateway processes on loopback ports (port 0,
read back from ready files) and stop them at teardown, showing their logs when a test fails."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
import pytest

from jobfleet.cli.auth import token_channel
from jobfleet.tls import ClientTls
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests import pg
from tests.waiting import wait_until


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, grace: float = 10.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Master:
    proc: Proc
    addr: str
    data_dir: Path
    args: list[str] = field(default_factory=list)
    token: str = ""
    """The master's bootstrap admin token (JOBFLEET_ADMIN_TOKEN), random per test."""
    join_token: str = ""
    """The join token its slaves enrol with (JOBFLEET_JOIN_TOKEN); "" = none (open)."""
    tls: ClientTls | None = None
    """How the test's own calls reach a master serving TLS; None = plaintext."""

    def channel(self, token: str | None = None) -> grpc.Channel:
        """A channel whose calls carry `token` (default: the admin token; "" = none)."""
        return token_channel(self.addr, self.token if token is None else token, self.tls)

    def create_project(self, name: str = "second") -> int:
        """A new project (the admin's CreateProject); its id."""
        with self.channel() as channel:
            stub = catalog_pb2_grpc.CatalogServiceStub(channel)
            ask = catalog_pb2.CreateProjectRequest(name=name)
            return int(stub.CreateProject(ask, timeout=10).project.id)


@dataclass
class Gateway:
    proc: Proc
    url: str
    token: str = ""

    def client(self, token: str | None = None) -> httpx.Client:
        """A client sending `Authorization: Token <token>` (default: the admin token; "" = no
        credentials)."""
        token = self.token if token is None else token
        headers = {"Authorization": f"Token {token}"} if token else {}
        return httpx.Client(base_url=self.url, timeout=30.0, headers=headers)


class Databases:
    """The database of each master data dir: SQLite inside it, or, when the tests run on
    PostgreSQL (JOBFLEET_TEST_DB), a fresh database of its own on that server. A master started
    again on the same data dir gets the same database back; all are dropped at teardown."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.urls: dict[Path, str] = {}

    @property
    def backend(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def url_for(self, data_dir: Path) -> str:
        if not self.server:
            return str(data_dir / "jobfleet.db")
        if data_dir not in self.urls:
            self.urls[data_dir] = pg.create_database(self.server)
        return self.urls[data_dir]

    def drop_all(self) -> None:
        for url in self.urls.values():
            pg.drop_database(url)


@pytest.fixture
def databases() -> Iterator[Databases]:
    dbs = Databases(pg.server_url())
    yield dbs
    dbs.drop_all()


class Processes:
    """Everything a test started; stopped at teardown."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.procs: list[Proc] = []

    def spawn(
        self,
        name: str,
        module: str,
        args: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Proc:
        taken = sum(proc.name == name for proc in self.procs)
        log = self.tmp / (f"{name}.log" if not taken else f"{name}.{taken + 1}.log")
        with log.open("ab") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=cwd,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def show_logs(self) -> None:
        """Each process's log tail (pytest shows it when a test failed)."""
        for proc in self.procs:
            print(f"----- {proc.name} log (exit {proc.popen.returncode}) -----\n{proc.tail(60)}")


def read_ready(proc: Proc, path: Path, timeout: float = 30.0) -> str:
    def ready() -> str | None:
        assert proc.popen.poll() is None, f"{proc.name} exited:\n{proc.tail()}"
        return str(json.loads(path.read_text())["listen"]) if path.exists() else None

    return wait_until(ready, timeout, what=f"{proc.name} ready")


@pytest.fixture
def processes(
    tmp_path: Path, request: pytest.FixtureRequest, databases: Databases
) -> Iterator[Processes]:
    """Everything the test starts; stopped before its databases are dropped."""
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
    procs.show_logs()


@pytest.fixture
def admin_token() -> str:
    """The bootstrap admin token every master of the test is started with."""
    return secrets.token_urlsafe(32)


def master_starter(
    processes: Processes, databases: Databases, admin_token: str
) -> Callable[..., Master]:
    count = 0

    def start(
        *extra: str,
        data_dir: Path | None = None,
        name: str = "",
        env: dict[str, str] | None = None,
        tls: ClientTls | None = None,
    ) -> Master:
        """`tls`: what the test's calls use when `extra` turns TLS on (--tls-cert ...). The
        master gets a random join token unless `env` sets JOBFLEET_JOIN_TOKEN ("" = none)."""
        nonlocal count
        count += 1
        data = data_dir or processes.tmp / f"master{count}"
        data.mkdir(parents=True, exist_ok=True)
        ready = data / "master.ready"
        ready.unlink(missing_ok=True)
        args = [
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(data),
            "--ready-file",
            str(ready),
            "--db",
            databases.url_for(data),
            *extra,
        ]
        env = {
            "JOBFLEET_ADMIN_TOKEN": admin_token,
            "JOBFLEET_JOIN_TOKEN": secrets.token_urlsafe(24),
            **(env or {}),
        }
        proc = processes.spawn(name or f"master{count}", "master", args, env=env)
        join = env["JOBFLEET_JOIN_TOKEN"]
        return Master(proc, read_ready(proc, ready), data, args, admin_token, join, tls)

    return start


def slave_starter(processes: Processes) -> Callable[..., Proc]:
    def start(
        master: Master, name: str, *extra: str, env: dict[str, str] | None = None, wait: bool = True
    ) -> Proc:
        """A slave enrolling with the master's join token (unless `env` sets another); its
        state dir is the test's (`state_dir`), its known_hosts too (every test sshd has a
        fresh host key). Commands run as root where a test names no account (tests of
        accounts pass their own --run-as)."""
        args = [
            "--master",
            master.addr,
            "--name",
            name,
            "--ssh-known-hosts",
            str(processes.tmp / f"known_hosts-{name}"),
            *([] if "--state-dir" in extra else ["--state-dir", str(state_dir(processes, name))]),
            *([] if "--run-as" in extra else ["--run-as", "root"]),
        ]
        env = {"JOBFLEET_JOIN_TOKEN": master.join_token, **(env or {})}
        proc = processes.spawn(f"slave-{name}", "slave", [*args, *extra], env=env)
        if wait:
            wait_attached(master, name, proc)
        return proc

    return start


def state_dir(processes: Processes, name: str) -> Path:
    """Where the fixture's slave `name` keeps its credential."""
    return processes.tmp / f"slave-{name}-state"


def credential_file(processes: Processes, name: str) -> Path:
    """The fixture's slave's credential file, once its enrolment has written it (the master
    lists a slave as attached a moment before the slave has its Welcome)."""
    path = state_dir(processes, name) / f"{name}.credential"
    return wait_until(lambda: path if path.exists() else None, 30, what=f"{name}'s credential")


def gateway_starter(processes: Processes) -> Callable[..., Gateway]:
    count = 0

    def start(master: Master, *extra: str, env: dict[str, str] | None = None) -> Gateway:
        nonlocal count
        count += 1
        ready = processes.tmp / f"gateway{count}.ready"
        args = ["--master", master.addr, "--listen", "127.0.0.1:0", "--ready-file", str(ready)]
        proc = processes.spawn(f"gateway{count}", "gateway", [*args, *extra], env=env)
        return Gateway(proc, "http://" + read_ready(proc, ready), master.token)

    return start


@pytest.fixture
def start_master(
    processes: Processes, databases: Databases, admin_token: str
) -> Callable[..., Master]:
    return master_starter(processes, databases, admin_token)


@pytest.fixture
def start_slave(processes: Processes) -> Callable[..., Proc]:
    return slave_starter(processes)


@pytest.fixture
def start_gateway(processes: Processes) -> Callable[..., Gateway]:
    return gateway_starter(processes)


@dataclass
class Services:
    """Starters whose processes live for a whole test module (started services shared by its
    tests keep the suite fast); stopped, and their logs shown, at the module's end."""

    processes: Processes
    start_master: Callable[..., Master]
    start_slave: Callable[..., Proc]
    start_gateway: Callable[..., Gateway]


@pytest.fixture(scope="module")
def module_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    databases = Databases(pg.server_url())
    procs = Processes(tmp_path_factory.mktemp("services"))
    token = secrets.token_urlsafe(32)
    yield Services(
        procs,
        master_starter(procs, databases, token),
        slave_starter(procs),
        gateway_starter(procs),
    )
    procs.stop_all()
    procs.show_logs()
    databases.drop_all()


def wait_attached(master: Master, name: str, proc: Proc | None = None, timeout: float = 30) -> None:
    with master.channel() as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)

        def attached() -> bool:
            if proc is not None:
                assert proc.popen.poll() is None, f"{proc.name} exited:\n{proc.tail()}"
            slaves = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=5).slaves
            return any(s.name == name and s.attached for s in slaves)

        wait_until(attached, timeout, what=f"slave {name} attached")


@dataclass
class Cluster:
    master: Master
    gateway: Gateway
    http: httpx.Client


@pytest.fixture
def cluster(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> Iterator[Cluster]:
    """A master, one slave named s1 and a gateway."""
    master = start_master()
    start_slave(master, "s1")
    gateway = start_gateway(master)
    with gateway.client() as http:
        yield Cluster(master, gateway, http)
