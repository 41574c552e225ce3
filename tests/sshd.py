"""A real OpenSSH server on 127.0.0.1 for the tests that need one (pytest plugin).

`sshd` (session scope) starts one through scripts/sshd and stops it at the end. If it cannot
start, the tests that use it fail under CI (CI=true) or whenever the sshd binary exists; they
are skipped only in a plain local run on a machine without it (and without a way to install
it). Logins: the light account the script creates (shell /bin/sh, no start-up files), with the
client key the script generated; see docs/ssh.md.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slave.messages import Secret, SshTarget

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "sshd"
SSHD_BINARY = Path("/usr/sbin/sshd")


@dataclass(frozen=True)
class SshServer:
    dir: Path
    host: str
    port: int
    user: str

    @property
    def client_key(self) -> Secret:
        """The private key authorized for `user` (and root)."""
        return Secret((self.dir / "client_ed25519_key").read_text())

    @property
    def host_public_key(self) -> str:
        """`ssh-ed25519 AAAA...`: the server's host key as known_hosts holds it."""
        return " ".join((self.dir / "host_ed25519_key.pub").read_text().split()[:2])

    @property
    def other_private_key(self) -> Secret:
        """A valid private key that is not authorized (the server's own host key)."""
        return Secret((self.dir / "host_ed25519_key").read_text())

    def authorize(self, public_key_line: str) -> None:
        """Add another public key to the server's authorized_keys."""
        with open(self.dir / "authorized_keys", "a") as keys:
            keys.write(public_key_line.strip() + "\n")

    def target(self, node: str = "node", **fields: Any) -> SshTarget:
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "private_key": self.client_key,
            "connect_timeout": 5.0,
        }
        values.update(fields)
        return SshTarget(node=node, **values)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def sshd() -> Iterator[SshServer]:
    with start_sshd() as server:
        yield server


@contextlib.contextmanager
def start_sshd(**env: str) -> Iterator[SshServer]:
    """Start a private sshd (`env` adds JOBFLEET_SSHD_* settings); stop it on exit."""
    directory = Path(tempfile.mkdtemp(prefix="jobfleet-sshd-", dir="/tmp"))
    directory.chmod(0o711)  # the login account reads authorized_keys in here
    started = subprocess.run(
        [str(SCRIPT), "start", str(directory)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )
    if started.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        message = f"scripts/sshd could not start a test sshd:\n{started.stderr.strip()}"
        if _in_ci() or SSHD_BINARY.exists():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield SshServer(
            dir=directory,
            host="127.0.0.1",
            port=int((directory / "port").read_text()),
            user=(directory / "user").read_text().strip(),
        )
    finally:
        subprocess.run([str(SCRIPT), "stop", str(directory)], capture_output=True, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)
