"""Copies on a node over SSH (a real sshd on 127.0.0.1, a real master's file store): SFTP for
files, tar over exec for directories, owner and mode, missing paths, the session cap."""

from __future__ import annotations

import asyncio
import os
import pwd
import socket
from pathlib import Path

from slave.commands.base import CommandSettings
from slave.messages import FetchRequest, PlaceRequest, Status
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from tests.sshd import SshServer
from tests.unit.slave.copy.copytest import (
    MB,
    MasterProcess,
    make_tree,
    master_files,
    random_file,
    run_copy,
    sha256_of,
    store,
    temp_files,
)


def test_fetch_a_file_and_a_directory_over_ssh(
    sshd: SshServer,
    master: MasterProcess,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    drop_dir: Path,
) -> None:
    source = drop_dir / "release.bin"
    digest = random_file(source, 9 * MB + 3)
    make_tree(drop_dir / "conf")
    target = sshd.target("web1")

    async def scenario() -> None:
        async with master_files(master) as files, SshPool(known_hosts) as pool:
            one = await run_copy(FetchRequest(31, str(source), ssh=target), files, settings, pool)
            tree = await run_copy(
                FetchRequest(32, str(drop_dir / "conf"), ssh=target), files, settings, pool
            )
        assert one.result.status is Status.SUCCESS, one.result
        assert one.result.fetched is not None
        assert (one.result.fetched.sha256, one.result.fetched.size) == (digest, 9 * MB + 3)
        assert one.output_bytes.decode().splitlines()[0] == (
            f"fetching {source} ({9 * MB + 3} bytes) from web1 …"
        )
        assert tree.result.status is Status.SUCCESS, tree.result
        assert tree.result.fetched is not None and tree.result.fetched.archive

    asyncio.run(scenario())


def test_place_a_file_and_an_archive_over_ssh_with_owner_and_mode(
    sshd: SshServer,
    master: MasterProcess,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    tmp_path: Path,
    drop_dir: Path,
) -> None:
    make_tree(tmp_path / "conf")
    data = os.urandom(5 * MB)
    as_root = sshd.target("m1", user="root")

    async def scenario() -> None:
        async with master_files(master) as files, SshPool(known_hosts) as pool:
            blob = await store(files, data)
            fetched = await run_copy(FetchRequest(33, str(tmp_path / "conf")), files, settings)
            archive = fetched.result.fetched
            assert archive is not None
            one = await run_copy(
                PlaceRequest(
                    34, blob, str(drop_dir / "a" / "b"), "release.bin", "nobody", "0640", as_root
                ),
                files,
                settings,
                pool,
            )
            tree = await run_copy(
                PlaceRequest(
                    35, archive, str(drop_dir / "conf"), "conf", "nobody", "0750", as_root
                ),
                files,
                settings,
                pool,
            )
        assert one.result.status is Status.SUCCESS, one.result
        assert tree.result.status is Status.SUCCESS, tree.result
        lines = one.output_bytes.decode().splitlines()
        assert lines[-3].startswith(
            f"copied release.bin ({5 * MB} bytes, sha256 {blob.sha256[:12]}…) "
            f"to m1:{drop_dir}/a/b in "
        )
        assert lines[-2:] == [f"chown nobody {drop_dir}/a/b", f"chmod 0640 {drop_dir}/a/b"]

    asyncio.run(scenario())
    placed = drop_dir / "a" / "b"
    assert placed.read_bytes() == data
    assert (pwd.getpwuid(placed.stat().st_uid).pw_name, placed.stat().st_mode & 0o777) == (
        "nobody",
        0o640,
    )
    conf = drop_dir / "conf"
    assert (conf / "sub" / "b.txt").read_text() == "beta\n"
    assert os.readlink(conf / "link") == "a.txt"
    for path in (conf, conf / "a.txt", conf / "sub" / "b.txt"):
        info = path.stat()
        assert (pwd.getpwuid(info.st_uid).pw_name, info.st_mode & 0o777) == ("nobody", 0o750)
    assert temp_files(drop_dir) == []


def test_place_into_an_existing_directory_as_the_login_user(
    sshd: SshServer,
    master: MasterProcess,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    drop_dir: Path,
) -> None:
    async def scenario() -> None:
        async with master_files(master) as files, SshPool(known_hosts) as pool:
            blob = await store(files, b"hello\n")
            sink = await run_copy(
                PlaceRequest(36, blob, str(drop_dir), "hello.txt", ssh=sshd.target()),
                files,
                settings,
                pool,
            )
        assert sink.result.status is Status.SUCCESS, sink.result

    asyncio.run(scenario())
    placed = drop_dir / "hello.txt"
    assert placed.read_text() == "hello\n"
    assert pwd.getpwuid(placed.stat().st_uid).pw_name == sshd.user


def test_missing_paths_and_refused_chown_fail_naming_the_node(
    sshd: SshServer,
    master: MasterProcess,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    drop_dir: Path,
) -> None:
    target = sshd.target("web2")  # not root: may not give files away

    async def scenario() -> list[str]:
        async with master_files(master) as files, SshPool(known_hosts) as pool:
            blob = await store(files, b"data")
            sinks = [
                await run_copy(FetchRequest(37, "/x/y", ssh=target), files, settings, pool),
                await run_copy(
                    PlaceRequest(38, blob, str(drop_dir / "f"), chown="root", ssh=target),
                    files,
                    settings,
                    pool,
                ),
                await run_copy(
                    PlaceRequest(39, blob, "/proc/jobfleet/f", ssh=target), files, settings, pool
                ),
            ]
        assert all(s.result.status is Status.FAIL for s in sinks)
        return [s.result.reason for s in sinks]

    fetch, chown, place = asyncio.run(scenario())
    assert fetch == "no such file or directory: web2:/x/y"
    assert chown.startswith("chown failed on web2: ")
    assert "not permitted" in chown
    assert place.startswith("cannot create directory web2:/proc/jobfleet: ")
    assert not (drop_dir / "f").exists() and temp_files(drop_dir) == []


def test_copies_wait_for_a_session_slot(
    sshd: SshServer,
    master: MasterProcess,
    known_hosts: KnownHosts,
    settings: CommandSettings,
    drop_dir: Path,
) -> None:
    source = drop_dir / "src.bin"
    digest = random_file(source, 2 * MB)

    async def scenario() -> None:
        async with master_files(master) as files, SshPool(known_hosts, max_sessions=2) as pool:
            sinks = await asyncio.gather(
                *(
                    run_copy(
                        FetchRequest(40 + n, str(source), ssh=sshd.target(f"n{n}")),
                        files,
                        settings,
                        pool,
                    )
                    for n in range(6)
                )
            )
        assert {s.result.status for s in sinks} == {Status.SUCCESS}
        assert {s.result.fetched.sha256 for s in sinks if s.result.fetched} == {digest}

    asyncio.run(scenario())
    assert sha256_of(source) == digest


def test_an_unreachable_node_fails_fast_naming_it(
    sshd: SshServer, master: MasterProcess, known_hosts: KnownHosts, settings: CommandSettings
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = sshd.target("web9", port=port)

    async def scenario() -> tuple[Status, str]:
        async with master_files(master) as files, SshPool(known_hosts) as pool:
            sink = await run_copy(
                FetchRequest(49, "/etc/hostname", ssh=target), files, settings, pool
            )
        return sink.result.status, sink.result.reason

    assert asyncio.run(scenario()) == (
        Status.FAIL,
        f"ssh web9 (127.0.0.1:{port}): connection refused",
    )
