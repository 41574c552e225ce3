"""RunOverSsh against a real sshd on 127.0.0.1: output, exit codes, fan-out, failures, kill."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.commands.output import MAX_CHUNK
from slave.messages import Chunk, ScriptType, Status
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from tests.sshd import SshServer
from tests.unit.slave.slavetest import WAIT, poll
from tests.unit.slave.ssh.sshtest import (
    exec_scripts_left,
    read_pids,
    run_ssh,
    running,
    ssh_command,
)


def test_output_exit_code_args_and_env(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    script = 'printf "%s|" "$@"; echo; echo "$FOO $JOBFLEET_EXECUTION_ID"; echo oops >&2; exit 3'

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            sink = await run_ssh(
                pool,
                sshd.target("web1"),
                script,
                settings=settings,
                execution_id=9141,
                args=("a b", "it's", "$HOME", ""),
                env={"FOO": "bar 'baz'"},
            )
        assert (sink.result.status, sink.result.exit_code) == (Status.FAIL, 3)
        assert sink.result.reason == "exit code 3"
        assert sink.stream_bytes(False) == b"a b|it's|$HOME||\nbar 'baz' 9141\n"
        assert sink.stream_bytes(True) == b"oops\n"
        assert sink.result.chunk_count == len(sink.chunks)
        assert sink.started_[0].pid > 0
        assert exec_scripts_left(9141) == []

    asyncio.run(scenario())


def test_stderr_arrives_apart_in_the_order_written_without_the_wrappers_lines(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    script = (
        "echo err0 >&2; sleep 0.2; echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo out2; "
        "sleep 0.2; head -c 3000000 /dev/zero >&2 & head -c 3000000 /dev/zero; wait"
    )

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            sink = await run_ssh(pool, sshd.target(), script, settings=settings)
        assert sink.result.status is Status.SUCCESS
        assert sink.pieces[:4] == [
            (True, b"err0\n"),
            (False, b"out1\n"),
            (True, b"err1\n"),
            (False, b"out2\n"),
        ]
        assert sink.stream_bytes(True) == b"err0\nerr1\n" + bytes(3000000)
        assert sink.stream_bytes(False) == b"out1\nout2\n" + bytes(3000000)
        assert [c.seq for c in sink.chunks] == list(range(len(sink.chunks)))
        assert max(len(c.data) for c in sink.chunks) <= MAX_CHUNK

    asyncio.run(scenario())


def test_nothing_of_the_slaves_environment_reaches_the_node(
    sshd: SshServer,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the step's own variables and the execution id travel; the node's login sets the
    rest (the slave's secrets and whatever its operator exported stay here)."""
    for name in ("JOBFLEET_JOIN_TOKEN", "JOBFLEET_ADMIN_TOKEN", "FROM_SLAVE"):
        monkeypatch.setenv(name, f"slave-{name.lower()}")

    async def scenario() -> bytes:
        async with SshPool(known_hosts) as pool:
            sink = await run_ssh(
                pool, sshd.target("web1"), "env", settings=settings, env={"FOO": "bar"}
            )
        assert sink.result.status is Status.SUCCESS, sink.output_bytes
        return sink.output_bytes

    seen = asyncio.run(scenario()).decode()

    assert "FOO=bar" in seen.splitlines() and "JOBFLEET_EXECUTION_ID=" in seen
    assert "slave-" not in seen and "JOBFLEET_JOIN_TOKEN" not in seen


@pytest.mark.parametrize(
    ("script_type", "script"),
    [
        (
            ScriptType.PYTHON,
            "import os, sys\nprint(oct(os.stat(sys.argv[0]).st_mode & 0o777), sys.argv[1:])",
        ),
        (ScriptType.PERL, 'printf("%o [%s]\\n", (stat($0))[2] & 0777, join("|", @ARGV));'),
    ],
)
def test_interpreters_get_a_private_script_and_their_arguments(
    sshd: SshServer,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    script_type: ScriptType,
    script: str,
) -> None:
    async def scenario() -> bytes:
        async with SshPool(known_hosts) as pool:
            sink = await run_ssh(
                pool, sshd.target(), script, settings=settings, type=script_type, args=("x", "y z")
            )
        assert sink.result.status is Status.SUCCESS, sink.result
        return sink.output_bytes

    output = asyncio.run(scenario())
    assert output in (b"0o700 ['x', 'y z']\n", b"700 [x|y z]\n")


def test_twenty_nodes_at_once_share_few_connections(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    nodes = [f"web{i}" for i in range(20)]

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            sinks = await asyncio.gather(
                *(
                    run_ssh(
                        pool,
                        sshd.target(node),
                        f"echo {node}; exit {i % 4}",
                        settings=settings,
                        execution_id=i,
                    )
                    for i, node in enumerate(nodes)
                )
            )
            assert pool.connection_count() <= 20 // pool.channels_per_connection + 1
        assert len(known_hosts.path.read_text().splitlines()) == 1  # recorded once
        for i, (node, sink) in enumerate(zip(nodes, sinks, strict=True)):
            assert sink.output_bytes == f"{node}\n".encode()
            assert sink.result.exit_code == i % 4
            assert sink.result.status is (Status.SUCCESS if i % 4 == 0 else Status.FAIL)

    asyncio.run(scenario())


def test_bad_key_fails_only_its_nodes_quickly(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    targets = [
        sshd.target(f"bad{i}", private_key=sshd.other_private_key)
        if i % 4 == 0
        else sshd.target(f"good{i}")
        for i in range(12)
    ]

    async def scenario() -> list[tuple[str, Status, str]]:
        async with SshPool(known_hosts) as pool:
            sinks = await asyncio.gather(
                *(run_ssh(pool, t, "echo ok", settings=settings) for t in targets)
            )
        return [(t.node, s.result.status, s.result.reason) for t, s in zip(targets, sinks)]

    began = time.monotonic()
    results = asyncio.run(scenario())
    assert time.monotonic() - began < 5
    for node, status, reason in results:
        if node.startswith("bad"):
            assert status is Status.FAIL
            assert reason == (
                f"ssh {node} (127.0.0.1:{sshd.port}): authentication failed for user {sshd.user}"
            )
        else:
            assert (status, reason) == (Status.SUCCESS, "")


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word (no SSH banner)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def test_connection_refused_fails_fast_with_the_reason(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings, closed_port: int
) -> None:
    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            target = sshd.target("web3", port=closed_port)
            sink = await run_ssh(pool, target, "true", settings=settings)
        assert sink.result.status is Status.FAIL
        assert sink.result.reason == f"ssh web3 (127.0.0.1:{closed_port}): connection refused"
        assert sink.started_ == [] and sink.result.started_at is None

    began = time.monotonic()
    asyncio.run(scenario())
    assert time.monotonic() - began < 2


def test_silent_server_times_out_without_stalling_other_nodes(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings, silent_port: int
) -> None:
    silent = sshd.target("mute", port=silent_port, connect_timeout=1.5)

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            stuck = asyncio.create_task(run_ssh(pool, silent, "true", settings=settings))
            began = time.monotonic()
            fine = await run_ssh(pool, sshd.target("web1"), "echo hi", settings=settings)
            assert time.monotonic() - began < 1.0  # not behind the silent node
            assert fine.output_bytes == b"hi\n" and not stuck.done()
            sink = await asyncio.wait_for(stuck, WAIT)
        assert sink.result.status is Status.FAIL
        assert sink.result.reason == f"ssh mute (127.0.0.1:{silent_port}): timed out after 1.5 s"

    began = time.monotonic()
    asyncio.run(scenario())
    assert 1.4 < time.monotonic() - began < 4


TREE = (
    'sleep 1000 & echo $! >"$1/pids"; sleep 1000 & echo $! >>"$1/pids"; echo $$ >>"$1/pids"; wait'
)


async def _until_pids(path: Path, count: int) -> list[int]:
    await poll(lambda: len(read_pids(path)) == count)
    return read_pids(path)


def test_kill_ends_the_remote_tree(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings, drop_dir: Path
) -> None:
    async def scenario() -> list[int]:
        async with SshPool(known_hosts) as pool:
            command, sink = ssh_command(
                pool, sshd.target(), TREE, settings, execution_id=9107, args=(str(drop_dir),)
            )
            task = asyncio.create_task(command.start())
            pids = await _until_pids(drop_dir / "pids", 3)
            assert all(running(pid) for pid in pids)
            command.interrupt("operator said so")
            await asyncio.wait_for(task, WAIT)
            await poll(lambda: not any(running(pid) for pid in pids))
        assert (sink.result.status, sink.result.reason) == (Status.KILLED, "operator said so")
        assert sink.result.exit_code == -signal.SIGTERM
        assert exec_scripts_left(9107) == []
        return pids

    asyncio.run(scenario())


def test_timeout_ends_the_remote_tree(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings, drop_dir: Path
) -> None:
    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            command, sink = ssh_command(
                pool, sshd.target(), TREE, settings, timeout=0.5, args=(str(drop_dir),)
            )
            began = time.monotonic()
            await asyncio.wait_for(command.start(), WAIT)
            assert time.monotonic() - began < 3
            pids = read_pids(drop_dir / "pids")
            assert len(pids) == 3
            await poll(lambda: not any(running(pid) for pid in pids))
        assert (sink.result.status, sink.result.reason) == (Status.TIMEOUT, "timed out after 0.5 s")

    asyncio.run(scenario())


def test_cancelling_the_command_leaves_nothing_running(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings, drop_dir: Path
) -> None:
    """The slave's last resort at exit (cancel_all): SIGKILL the remote group, no result."""

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            command, sink = ssh_command(pool, sshd.target(), TREE, settings, args=(str(drop_dir),))
            task = asyncio.create_task(command.start())
            pids = await _until_pids(drop_dir / "pids", 3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, WAIT)
            await poll(lambda: not any(running(pid) for pid in pids))
        assert sink.results == []

    asyncio.run(scenario())


def test_kill_escalates_to_sigkill_when_sigterm_is_ignored(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    settings = dataclasses.replace(settings, kill_grace=0.5)

    async def scenario() -> float:
        async with SshPool(known_hosts) as pool:
            command, sink = ssh_command(
                pool, sshd.target(), "trap '' TERM; echo ready; sleep 1000 & wait", settings
            )
            task = asyncio.create_task(command.start())
            await poll(lambda: sink.output_bytes == b"ready\n")
            began = time.monotonic()
            command.interrupt("stop")
            await asyncio.wait_for(task, WAIT)
            took = time.monotonic() - began
        assert (sink.result.status, sink.result.exit_code) == (Status.KILLED, -signal.SIGKILL)
        return took

    assert 0.5 <= asyncio.run(scenario()) < 4


def test_executions_past_the_cap_wait_their_turn_and_can_be_killed_waiting(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    async def scenario() -> None:
        async with SshPool(KnownHosts(tmp_path / "kh"), max_sessions=1) as pool:
            first, first_sink = ssh_command(pool, sshd.target("a"), "echo a; sleep 1000", settings)
            second, second_sink = ssh_command(pool, sshd.target("b"), "echo b", settings)
            tasks = [asyncio.create_task(c.start()) for c in (first, second)]
            await poll(lambda: first_sink.output_bytes == b"a\n")
            second.interrupt("not needed")
            await asyncio.wait_for(tasks[1], WAIT)
            assert second_sink.started_ == []
            assert second_sink.result.status is Status.KILLED
            third, third_sink = ssh_command(pool, sshd.target("c"), "echo c", settings)
            waiting = asyncio.create_task(third.start())
            with pytest.raises(AssertionError):  # no slot while the first one runs
                await poll(lambda: bool(third_sink.started_), timeout=0.3)
            first.interrupt("done")
            await asyncio.wait_for(asyncio.gather(tasks[0], waiting), WAIT)
            assert third_sink.output_bytes == b"c\n"

    asyncio.run(scenario())


def test_output_waits_for_room_in_the_sink(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings, drop_dir: Path
) -> None:
    """Backpressure: while the sink takes nothing, the remote command is paused, not buffered."""
    size = 24 << 20
    marker = drop_dir / "done"

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            command, sink = ssh_command(
                pool,
                sshd.target(),
                f'head -c {size} /dev/zero; touch "$1"',
                settings,
                args=(str(marker),),
            )
            gate = asyncio.Event()
            taken = sink.output

            async def slow_output(chunk: Chunk) -> None:
                await gate.wait()
                await taken(chunk)

            setattr(sink, "output", slow_output)  # a method: mypy refuses a plain assignment
            task = asyncio.create_task(command.start())
            with pytest.raises(AssertionError):
                await poll(marker.exists, timeout=1.0)
            gate.set()
            await asyncio.wait_for(task, WAIT)
        assert sink.result.status is Status.SUCCESS
        assert len(sink.output_bytes) == size
        assert max(len(c.data) for c in sink.chunks) <= MAX_CHUNK

    asyncio.run(scenario())


def test_background_child_does_not_hold_the_result(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    settings = dataclasses.replace(settings, drain_timeout=0.5)

    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            began = time.monotonic()
            script = "echo before; sleep 30 & echo $!; echo after"
            sink = await run_ssh(pool, sshd.target(), script, settings=settings)
            assert time.monotonic() - began < 3
        lines = sink.output_bytes.split()
        assert sink.result.status is Status.SUCCESS
        assert (lines[0], lines[2]) == (b"before", b"after")
        leftover = int(lines[1])
        signal_pid(leftover)

    asyncio.run(scenario())


def signal_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # the test's own leftover sleep
    except ProcessLookupError:
        pass


def test_start_failures_name_the_node_and_the_cause(
    sshd: SshServer, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            missing = await run_ssh(
                pool,
                sshd.target("db1"),
                "print(1)",
                settings=settings,
                type=ScriptType.PYTHON,
                env={"PATH": "/nonexistent"},
                execution_id=9199,
            )
            other_user = await run_ssh(
                pool, sshd.target("db1"), "true", settings=settings, user="postgres"
            )
            unknown = await run_ssh(pool, sshd.target("db1"), "true", settings=settings, type=None)
        label = f"ssh db1 (127.0.0.1:{sshd.port})"
        assert missing.result.reason == f"{label}: cannot start python3: not found"
        assert other_user.result.reason == (
            f"{label}: cannot run as postgres: "
            f"over SSH a command runs as the login user {sshd.user}"
        )
        assert unknown.result.reason == f"{label}: cannot start: unknown script type"
        for sink in (missing, other_user, unknown):
            assert (sink.result.status, sink.result.exit_code) == (Status.FAIL, -1)
            assert sink.started_ == []
        assert exec_scripts_left(9199) == []  # the wrapper removed the script it wrote

    asyncio.run(scenario())
