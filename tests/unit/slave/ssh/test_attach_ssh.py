"""A real Slave daemon, a scriptable in-process master and a real sshd: RunCommand with `ssh`
set runs on the node, KillCommand ends the remote tree, and the CLI/config knobs reach the pool."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jobfleet.v1 import common_pb2, slave_pb2
from slave.daemon import Slave
from tests.sshd import SshServer
from tests.unit.slave.slavetest import MakeConfig, StartMaster, poll
from tests.unit.slave.ssh.sshtest import read_pids, running
from tests.unit.slave.test_attach import attach


def ssh_run(eid: int, script: str, sshd: SshServer, node: str, **ssh: Any) -> Any:
    target = slave_pb2.SshTarget(
        node=node,
        host=sshd.host,
        port=sshd.port,
        user=sshd.user,
        private_key=sshd.client_key.value,
        host_key_policy=slave_pb2.HOST_KEY_POLICY_ACCEPT_NEW,
        connect_timeout={"seconds": 5},
        **ssh,
    )
    return slave_pb2.RunCommand(
        execution_id=eid,
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
        args=["one arg"],
        ssh=target,
    )


def test_run_and_kill_over_ssh_through_the_link(
    fake_master: StartMaster,
    slave_config: MakeConfig,
    sshd: SshServer,
    tmp_path: Path,
    drop_dir: Path,
) -> None:
    known_hosts = tmp_path / "known_hosts"
    tree = f'echo "$1"; sleep 1000 & echo $! >{drop_dir}/pids; echo $$ >>{drop_dir}/pids; wait'

    async def scenario() -> list[Any]:
        async with fake_master() as (master, address):
            config = slave_config(address, ssh_known_hosts=known_hosts, max_ssh_sessions=4)
            async with Slave(config):
                stream, _ = await attach(master)
                stream.send(run=ssh_run(1, 'echo "hello $1"', sshd, "web1"))
                stream.send(run=ssh_run(2, tree, sshd, "web2"))
                got = [await stream.next("started", "output", "result") for _ in range(3)]
                await poll(lambda: len(read_pids(drop_dir / "pids")) == 2)
                pids = read_pids(drop_dir / "pids")
                stream.send(kill=slave_pb2.KillCommand(execution_id=2, reason="by test"))
                while not (got and hasattr(got[-1], "status") and got[-1].execution_id == 2):
                    got.append(await stream.next("started", "output", "result"))
                await poll(lambda: not any(running(pid) for pid in pids))
                return got

    messages = asyncio.run(scenario())
    results = {m.execution_id: m for m in messages if hasattr(m, "status")}
    outputs = {m.execution_id: m.data for m in messages if hasattr(m, "seq")}
    assert results[1].status == common_pb2.EXECUTION_STATUS_SUCCESS
    assert outputs[1] == b"hello one arg\n"
    assert (results[2].status, results[2].reason) == (
        common_pb2.EXECUTION_STATUS_KILLED,
        "by test",
    )
    assert f"[127.0.0.1]:{sshd.port} ssh-ed25519" in known_hosts.read_text()
