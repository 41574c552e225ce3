"""Kill and timeout interrupt a copy mid-transfer: streams cancelled, channels closed, temp
files removed, result KILLED or TIMEOUT."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from slave.commands.base import CommandSettings
from slave.messages import FetchRequest, PlaceRequest, SshTarget, Status
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from tests.sshd import SshServer
from tests.unit.slave.copy.copytest import (
    MB,
    MasterProcess,
    Paused,
    command,
    make_tree,
    master_files,
    random_file,
    store,
    temp_files,
)
from tests.unit.slave.slavetest import poll


async def kill_place_midway(
    master: MasterProcess,
    settings: CommandSettings,
    dest: Path,
    ssh: SshTarget | None = None,
    pool: SshPool | None = None,
) -> None:
    async with master_files(master) as real:
        blob = await store(real, os.urandom(32 * MB))
        files = Paused(real, after=4)
        copy, sink = command(
            PlaceRequest(51, blob, str(dest / "big.bin"), ssh=ssh), files, settings, pool
        )
        running = asyncio.create_task(copy.start())
        await asyncio.wait_for(files.stalled.wait(), 10)
        await poll(lambda: any(p.stat().st_size >= 4 * MB for p in dest.glob(".big.bin.*")))
        copy.interrupt("by test")
        await asyncio.wait_for(running, 10)
    assert (sink.result.status, sink.result.reason) == (Status.KILLED, "by test")
    assert sink.result.exit_code == -1


def test_kill_during_a_large_local_place_leaves_no_temp_file(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    asyncio.run(kill_place_midway(master, settings, tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_kill_during_a_large_place_over_ssh_leaves_no_temp_file(
    sshd: SshServer,
    master: MasterProcess,
    settings: CommandSettings,
    known_hosts: KnownHosts,
    drop_dir: Path,
) -> None:
    async def scenario() -> None:
        async with SshPool(known_hosts) as pool:
            await kill_place_midway(master, settings, drop_dir, sshd.target("m1"), pool)
            assert pool.connection_count() == 1  # the connection stays for later copies

    asyncio.run(scenario())
    assert temp_files(drop_dir) == [] and not (drop_dir / "big.bin").exists()


def test_a_fetch_past_its_timeout_is_cut_and_the_store_keeps_nothing(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    random_file(source, 16 * MB)

    async def scenario() -> None:
        async with master_files(master) as real:
            files = Paused(real, after=3)
            copy, sink = command(FetchRequest(52, str(source), timeout=0.5), files, settings)
            await asyncio.wait_for(copy.start(), 10)
        assert (sink.result.status, sink.result.reason) == (
            Status.TIMEOUT,
            "timed out after 0.5 s",
        )
        assert sink.result.fetched is None
        await poll(lambda: list((master.data_dir / "blobs" / "tmp").iterdir()) == [])

    asyncio.run(scenario())


def tar_processes(directory: Path) -> list[int]:
    """Processes whose command line names `directory` (the node's tar)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(b"tar\0-C\0" + str(directory).encode() + b"\0"):
            found.append(int(pid))
    return found


def test_kill_during_a_directory_fetch_over_ssh_ends_the_nodes_tar(
    sshd: SshServer,
    master: MasterProcess,
    settings: CommandSettings,
    known_hosts: KnownHosts,
    drop_dir: Path,
) -> None:
    tree = drop_dir / "tree"
    make_tree(tree)
    random_file(tree / "big.bin", 24 * MB)

    async def scenario() -> None:
        async with master_files(master) as real, SshPool(known_hosts) as pool:
            files = Paused(real, after=2)
            request = FetchRequest(53, str(tree), ssh=sshd.target("web1"))
            copy, sink = command(request, files, settings, pool)
            running = asyncio.create_task(copy.start())
            await asyncio.wait_for(files.stalled.wait(), 10)
            assert tar_processes(tree)
            copy.interrupt("by test")
            await asyncio.wait_for(running, 10)
            assert sink.result.status is Status.KILLED
            await poll(lambda: not tar_processes(tree))

    asyncio.run(scenario())


def test_kill_before_the_start_and_while_waiting_for_a_session_slot(
    sshd: SshServer,
    master: MasterProcess,
    settings: CommandSettings,
    known_hosts: KnownHosts,
    drop_dir: Path,
) -> None:
    async def scenario() -> None:
        async with master_files(master) as files, SshPool(known_hosts, max_sessions=1) as pool:
            early, early_sink = command(FetchRequest(54, "/etc/hostname"), files, settings)
            early.interrupt("early")
            await early.start()
            await pool.acquire_slot()  # every slot taken
            waiting, waiting_sink = command(
                FetchRequest(55, "/etc/hostname", ssh=sshd.target()), files, settings, pool
            )
            running = asyncio.create_task(waiting.start())
            await asyncio.sleep(0.2)
            assert not waiting_sink.results
            waiting.interrupt("by test")
            await asyncio.wait_for(running, 5)
            pool.release_slot()
        assert (early_sink.result.status, early_sink.result.reason) == (Status.KILLED, "early")
        assert (waiting_sink.result.status, waiting_sink.result.reason) == (
            Status.KILLED,
            "by test",
        )
        assert early_sink.started_ == waiting_sink.started_ == []

    asyncio.run(scenario())
