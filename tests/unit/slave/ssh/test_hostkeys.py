"""Host key policy: strict refuses unknown hosts, accept-new records them, a changed or revoked
key is refused either way. Against the real sshd, and on known_hosts files directly."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import paramiko
import pytest

from slave.commands.base import CommandSettings
from slave.messages import HostKeyPolicy, Status
from slave.ssh.hostkeys import HostKeyError, KnownHosts, host_entry_name
from slave.ssh.pool import SshPool
from tests.sshd import SshServer
from tests.unit.slave.ssh.sshtest import run_ssh


def run_once(
    sshd: SshServer, path: Path, settings: CommandSettings, **pool_options: Any
) -> tuple[Status, str]:
    async def scenario() -> tuple[Status, str]:
        async with SshPool(KnownHosts(path), **pool_options) as pool:
            sink = await run_ssh(pool, sshd.target("web3"), "true", settings=settings)
        return sink.result.status, sink.result.reason

    return asyncio.run(scenario())


def test_strict_refuses_an_unknown_host(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    path = tmp_path / "known_hosts"
    status, reason = run_once(sshd, path, settings, default_policy=HostKeyPolicy.STRICT)
    assert status is Status.FAIL
    assert reason.startswith(
        f"ssh web3 (127.0.0.1:{sshd.port}): host key for [127.0.0.1]:{sshd.port} is not in "
        f"{path} and the host key policy is strict"
    )
    assert not path.exists()  # nothing recorded


def test_strict_accepts_a_known_host(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(f"# ours\n[127.0.0.1]:{sshd.port} {sshd.host_public_key}\n")
    status, reason = run_once(sshd, path, settings, default_policy=HostKeyPolicy.STRICT)
    assert (status, reason) == (Status.SUCCESS, "")


def test_the_target_overrides_the_slave_default(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    async def scenario() -> str:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:  # default accept-new
            target = sshd.target(host_key_policy=HostKeyPolicy.STRICT)
            sink = await run_ssh(pool, target, "true", settings=settings)
        return sink.result.reason

    assert "the host key policy is strict" in asyncio.run(scenario())


def test_accept_new_records_then_refuses_a_changed_key(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    path = tmp_path / ".ssh" / "known_hosts"  # the directory is created too
    assert run_once(sshd, path, settings) == (Status.SUCCESS, "")
    name = f"[127.0.0.1]:{sshd.port}"
    assert path.read_text() == f"{name} {sshd.host_public_key}\n"
    assert run_once(sshd, path, settings) == (Status.SUCCESS, "")  # known now: no second line
    assert path.read_text().count("\n") == 1

    other_key = " ".join((sshd.dir / "client_ed25519_key.pub").read_text().split()[:2])
    path.write_text(f"{name} {other_key}\n")  # as if the server's key had changed
    status, reason = run_once(sshd, path, settings)
    assert status is Status.FAIL
    assert reason.startswith(f"ssh web3 (127.0.0.1:{sshd.port}): host key for {name} changed")
    assert "possible man-in-the-middle attack" in reason
    assert path.read_text() == f"{name} {other_key}\n"  # untouched


# --- the file format, without a server ------------------------------------------------------


@pytest.fixture(scope="module")
def key() -> paramiko.PKey:
    return paramiko.ECDSAKey.generate()


@pytest.fixture(scope="module")
def other() -> paramiko.PKey:
    return paramiko.ECDSAKey.generate()


def line(names: str, key: paramiko.PKey, marker: str = "") -> str:
    return f"{marker}{names} {key.get_name()} {key.get_base64()}\n"


def test_entry_names_follow_openssh() -> None:
    assert host_entry_name("web3", 22) == "web3"
    assert host_entry_name("10.0.0.3", 2222) == "[10.0.0.3]:2222"


@pytest.mark.parametrize(
    "names",
    [
        "web3",
        "web1,web3",
        "web*",
        "w?b3",
        "WEB3",
        paramiko.HostKeys.hash_host("web3"),
    ],
)
def test_host_patterns_match(tmp_path: Path, key: paramiko.PKey, names: str) -> None:
    path = tmp_path / "kh"
    path.write_text("garbage line\n@cert-authority * ssh-ed25519 AAAA\n" + line(names, key))
    assert KnownHosts(path).check("web3", 22, key, HostKeyPolicy.STRICT) is False


@pytest.mark.parametrize("names", ["web3.example", "web*,!web3", "[web3]:22", "|1|bad|hash"])
def test_host_patterns_that_do_not_match(tmp_path: Path, key: paramiko.PKey, names: str) -> None:
    path = tmp_path / "kh"
    path.write_text(line(names, key))
    with pytest.raises(HostKeyError, match="not in .* the host key policy is strict"):
        KnownHosts(path).check("web3", 22, key, HostKeyPolicy.STRICT)


def test_a_revoked_key_is_refused_even_under_accept_new(tmp_path: Path, key: paramiko.PKey) -> None:
    path = tmp_path / "kh"
    path.write_text(line("*", key, marker="@revoked "))
    with pytest.raises(HostKeyError, match="is revoked"):
        KnownHosts(path).check("web3", 22, key, HostKeyPolicy.ACCEPT_NEW)


def test_known_key_types_are_offered_first(tmp_path: Path, key: paramiko.PKey) -> None:
    rsa = paramiko.RSAKey.generate(1024)
    path = tmp_path / "kh"
    path.write_text(line("[web3]:2200", key) + line("[web3]:2200", rsa) + line("web3", rsa))
    assert KnownHosts(path).key_types("web3", 2200) == [
        "ecdsa-sha2-nistp256",
        "rsa-sha2-512",
        "rsa-sha2-256",
    ]
    assert KnownHosts(tmp_path / "missing").key_types("web3", 22) == []


def test_a_changed_key_is_refused_under_either_policy(
    tmp_path: Path, key: paramiko.PKey, other: paramiko.PKey
) -> None:
    path = tmp_path / "kh"
    path.write_text(line("web3", key))
    for policy in HostKeyPolicy:
        with pytest.raises(HostKeyError, match="changed"):
            KnownHosts(path).check("web3", 22, other, policy)
