"""Machines without a slave, run over SSH from a slave (a real sshd on 127.0.0.1)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.rest import submit, task, tasklog, wait_final
from tests.sshd import SshServer
from tests.waiting import wait_until


@dataclass
class SshFleet:
    http: httpx.Client
    server: SshServer
    tmp: Path

    def add_nodes(self, names: list[str], port: int = 0) -> None:
        for name in names:
            resp = self.http.post(
                "/nodelist/1",
                json={"name": name, "inip": self.server.host, "sshport": port or self.server.port},
            )
            assert resp.status_code == 200, resp.text

    def add_account(self, username: str, **secret: str) -> None:
        resp = self.http.post("/userlist/1", json={"username": username, **secret})
        assert resp.status_code == 200, resp.text


@pytest.fixture
def ssh_fleet(
    sshd: SshServer,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> Iterator[SshFleet]:
    """A master, one slave (s1) that reaches machines over SSH, a gateway, the account."""
    master = start_master()
    start_slave(master, "s1", "--work-dir", str(tmp_path / "slave-work"))
    with start_gateway(master).client() as http:
        fleet = SshFleet(http, sshd, tmp_path)
        fleet.add_account(sshd.user, private_key=sshd.client_key.value)
        yield fleet


def test_twenty_machines_at_once_over_ssh(ssh_fleet: SshFleet) -> None:
    names = [f"vm{i:02d}" for i in range(20)]
    ssh_fleet.add_nodes(names)

    uuid = submit(
        ssh_fleet.http,
        'echo "hello from $(id -un)"; exit 0',
        nodes=",".join(names),
        user=ssh_fleet.server.user,
    )
    done = wait_final(ssh_fleet.http, uuid, timeout=60)
    logs = tasklog(ssh_fleet.http, uuid)

    assert done["status"] == "success", done["reason"]
    assert sorted(logs) == names
    assert {row["log"] for row in logs.values()} == {f"hello from {ssh_fleet.server.user}\n"}
    assert {n["slave"] for n in done["nodes"]} == {"s1"}


def test_a_bad_key_fails_only_its_machines_with_the_reason(ssh_fleet: SshFleet) -> None:
    ssh_fleet.add_nodes(["good1", "good2"])
    ssh_fleet.add_nodes(["closed"], port=1)  # nothing listens there
    ssh_fleet.add_account("intruder", private_key=ssh_fleet.server.other_private_key.value)

    good = submit(ssh_fleet.http, "echo ok", nodes="good1,good2,closed", user=ssh_fleet.server.user)
    bad = submit(ssh_fleet.http, "echo ok", nodes="good1", user="intruder")
    good_done, bad_done = wait_final(ssh_fleet.http, good), wait_final(ssh_fleet.http, bad)

    by_node = {n["node"]: n for n in good_done["nodes"]}
    assert [by_node[n]["status"] for n in ("good1", "good2")] == ["success", "success"]
    assert by_node["closed"]["status"] == "fail" and "refused" in by_node["closed"]["reason"]
    assert bad_done["nodes"][0]["status"] == "fail"
    assert "auth" in bad_done["nodes"][0]["reason"].lower()


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory the SSH login account can write (pytest's tmp dirs are root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="jobfleet-ssh-"))
    os.chmod(path, 0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_kill_ends_the_remote_process_tree(ssh_fleet: SshFleet, shared_dir: Path) -> None:
    ssh_fleet.add_nodes(["far"])
    pids = shared_dir / "pids"
    script = f"sleep 1000 & echo $! >> {pids}; sleep 1000 & echo $! >> {pids}; echo up; wait"

    uuid = submit(ssh_fleet.http, script, nodes="far", user=ssh_fleet.server.user, timeout=600)
    wait_until(lambda: tasklog(ssh_fleet.http, uuid)["far"]["log"] == "up\n", 30, what="started")
    started = [int(p) for p in pids.read_text().split()]
    resp = ssh_fleet.http.delete(f"/slave/s1/killtask/{uuid}")

    assert resp.status_code == 200, resp.text
    assert wait_final(ssh_fleet.http, uuid)["status"] == "fail"
    wait_until(
        lambda: not any(Path(f"/proc/{p}").exists() for p in started), 15, what="remote tree gone"
    )
    assert task(ssh_fleet.http, uuid)["nodes"][0]["status"] == "killed"


def test_a_machine_without_an_account_fails_with_the_reason(ssh_fleet: SshFleet) -> None:
    ssh_fleet.add_nodes(["lonely"])

    done = wait_final(ssh_fleet.http, submit(ssh_fleet.http, "true", nodes="lonely"))

    assert done["status"] == "fail"
    assert "execution account" in done["nodes"][0]["reason"]
