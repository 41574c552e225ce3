"""Private keys, passphrases and passwords never reach a log line, a reason or a repr; keys of
every type paramiko reads (with or without a passphrase) log in."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.messages import RunRequest, ScriptType, Secret, SshTarget, Status
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from tests.sshd import SshServer
from tests.unit.slave.slavetest import ListSink
from tests.unit.slave.ssh.sshtest import run_ssh

PASSWORD = "hunter2-PASSWORD-8c1f"
PASSPHRASE = "open-sesame-PASSPHRASE-77ad"


def keygen(directory: Path, kind: str, passphrase: str = "", pem: bool = False) -> Path:
    """A fresh key pair of `kind` (ssh-keygen -t), optionally encrypted or in PEM format."""
    path = directory / f"id_{kind}{'_pem' if pem else ''}{'_enc' if passphrase else ''}"
    command = ["ssh-keygen", "-q", "-t", kind, "-N", passphrase, "-C", "test", "-f", str(path)]
    if kind == "rsa":
        command += ["-b", "2048"]
    if pem:
        command += ["-m", "PEM"]
    subprocess.run(command, check=True, timeout=60)
    return path


def secret_fragments(target: SshTarget) -> list[str]:
    """What must never be seen: each secret, and every line of a private key's body."""
    found = [s.value for s in (target.password, target.passphrase) if s]
    if target.private_key:
        found += [x for x in target.private_key.value.splitlines() if x and "-----" not in x]
    return found


def test_secrets_never_reach_logs_reasons_or_reprs(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, paramiko's debug lines included
    encrypted = Secret(keygen(tmp_path, "ed25519", PASSPHRASE).read_text())
    targets = [
        sshd.target("pw", private_key=None, password=Secret(PASSWORD)),
        sshd.target("both", private_key=sshd.other_private_key, password=Secret(PASSWORD)),
        sshd.target("wrong-phrase", private_key=encrypted, passphrase=Secret(PASSWORD)),
        sshd.target("no-phrase", private_key=encrypted),
        sshd.target("good", password=Secret(PASSWORD), passphrase=Secret(PASSPHRASE)),
    ]

    async def scenario() -> list[ListSink]:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            return [await run_ssh(pool, t, "echo hi", settings=settings) for t in targets]

    sinks = asyncio.run(scenario())
    reasons = [s.result.reason for s in sinks]
    label = f"(127.0.0.1:{sshd.port})"
    assert reasons == [
        f"ssh pw {label}: authentication failed for user {sshd.user}",
        f"ssh both {label}: authentication failed for user {sshd.user}",
        f"ssh wrong-phrase {label}: cannot read the private key "
        "(wrong passphrase, or not a private key)",
        f"ssh no-phrase {label}: private key is encrypted and no passphrase was given",
        "",
    ]
    assert sinks[-1].result.status is Status.SUCCESS
    seen = "\n".join(
        [caplog.text, *reasons]
        + [repr(s.results) for s in sinks]
        + [repr(t) + str(t) for t in targets]
        + [repr(RunRequest(1, ScriptType.SHELL, "true", ssh=t)) for t in targets]
    )
    assert "authentication failed" in caplog.text  # the log was captured at all
    for target in targets:
        for fragment in secret_fragments(target):
            assert fragment not in seen


@pytest.mark.parametrize(
    ("kind", "passphrase", "pem"),
    [
        ("rsa", "", True),
        ("ecdsa", "", False),
        ("ed25519", PASSPHRASE, False),
        ("rsa", PASSPHRASE, False),
    ],
)
def test_every_key_type_logs_in(
    sshd: SshServer,
    tmp_path: Path,
    settings: CommandSettings,
    kind: str,
    passphrase: str,
    pem: bool,
) -> None:
    path = keygen(tmp_path, kind, passphrase, pem)
    sshd.authorize(path.with_suffix(".pub").read_text())
    target = sshd.target(
        private_key=Secret(path.read_text()),
        passphrase=Secret(passphrase) if passphrase else None,
    )

    async def scenario() -> ListSink:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            return await run_ssh(pool, target, "echo in", settings=settings)

    sink = asyncio.run(scenario())
    assert (sink.result.status, sink.output_bytes) == (Status.SUCCESS, b"in\n")
