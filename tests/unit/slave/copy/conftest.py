"""Fixtures for the copy tests: a real master process (its FileService is the file store the
copies talk to, with the admin token, which is bound to no copy), settings, and a
login-writable drop directory for the SSH tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.commands.runas import current_user
from slave.commands.scope import Scope
from slave.ssh.hostkeys import KnownHosts
from tests.unit.slave.copy.copytest import ADMIN_TOKEN, MasterProcess
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[4]


def _start_master(data_dir: Path, *extra: str) -> MasterProcess:
    ready = data_dir / "master.ready"
    args = ["--listen", "127.0.0.1:0", "--data-dir", str(data_dir), "--ready-file", str(ready)]
    with (data_dir / "master.log").open("wb") as log:
        popen = subprocess.Popen(
            [sys.executable, "-m", "master", *args, "--db", str(data_dir / "jobfleet.db"), *extra],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "JOBFLEET_ADMIN_TOKEN": ADMIN_TOKEN},
        )

    def ready_address() -> str | None:
        assert popen.poll() is None, (data_dir / "master.log").read_text()
        return str(json.loads(ready.read_text())["listen"]) if ready.exists() else None

    return MasterProcess(popen, wait_until(ready_address, 30, what="master ready"), data_dir)


@pytest.fixture(scope="session")
def start_master(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., MasterProcess]]:
    """start_master(*flags): a real master on 127.0.0.1 port 0; all stopped at the end."""
    started: list[MasterProcess] = []

    def start(*extra: str) -> MasterProcess:
        master = _start_master(tmp_path_factory.mktemp("master"), *extra)
        started.append(master)
        return master

    yield start
    for master in started:
        master.stop()


@pytest.fixture(scope="session")
def master(start_master: Callable[..., MasterProcess]) -> MasterProcess:
    """One master for the session (content-addressed: tests do not get in each other's way)."""
    return start_master()


@pytest.fixture
def settings(tmp_path: Path) -> CommandSettings:
    scope = Scope((current_user().name,))  # as the test's own account, unless a test says
    return CommandSettings(work_dir=tmp_path, kill_grace=1.0, slave_name="s1", scope=scope)


@pytest.fixture
def known_hosts(tmp_path: Path) -> KnownHosts:
    return KnownHosts(tmp_path / "known_hosts")


@pytest.fixture
def drop_dir() -> Iterator[Path]:
    """A directory the SSH login account may write into."""
    path = Path(tempfile.mkdtemp(prefix="jobfleet-copy-test-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)
