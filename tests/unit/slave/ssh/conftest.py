"""Fixtures for the SSH runner's tests (they use the real sshd of the tests.sshd plugin)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.ssh.hostkeys import KnownHosts


@pytest.fixture
def settings(tmp_path: Path) -> CommandSettings:
    return CommandSettings(work_dir=tmp_path, kill_grace=1.0)


@pytest.fixture
def known_hosts(tmp_path: Path) -> KnownHosts:
    return KnownHosts(tmp_path / "known_hosts")


@pytest.fixture
def drop_dir() -> Iterator[Path]:
    """A directory the remote login account may write into (pid files and markers)."""
    path = Path(tempfile.mkdtemp(prefix="jobfleet-ssh-test-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)
