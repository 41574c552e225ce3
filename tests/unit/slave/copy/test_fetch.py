"""copy-fetch on this machine into a real master's file store: a file, a directory as a tar,
a missing path, the store's size refusal, output lines."""

from __future__ import annotations

import asyncio
import io
import tarfile
from collections.abc import Callable
from pathlib import Path

from slave.commands.base import CommandSettings
from slave.messages import FetchRequest, Status
from tests.unit.slave.copy.copytest import (
    MB,
    MasterProcess,
    make_tree,
    master_files,
    random_file,
    run_copy,
)
from tests.waiting import wait_until


def test_fetch_a_file_uploads_exactly_its_bytes(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    source = tmp_path / "release.bin"
    digest = random_file(source, 20 * MB + 17)

    async def scenario() -> None:
        async with master_files(master) as files:
            sink = await run_copy(FetchRequest(7, str(source)), files, settings)
        result = sink.result
        assert result.status is Status.SUCCESS, result
        assert result.fetched is not None
        assert (result.fetched.sha256, result.fetched.size) == (digest, 20 * MB + 17)
        assert result.fetched.archive is False
        assert master.blob_path(digest).read_bytes() == source.read_bytes()
        assert result.chunk_count == len(sink.chunks) and sink.started_[0].execution_id == 7
        lines = sink.output_bytes.decode().splitlines()
        assert lines[0] == f"fetching {source} ({20 * MB + 17} bytes) from s1 …"
        assert lines[-1].startswith(
            f"fetched {source} ({20 * MB + 17} bytes, sha256 {digest[:12]}…) from s1 in "
        )
        assert lines[-1].endswith("MB/s)")

    asyncio.run(scenario())


def test_fetch_a_directory_uploads_a_tar_of_it(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    tree = tmp_path / "conf"
    make_tree(tree)

    async def scenario() -> None:
        async with master_files(master) as files:
            sink = await run_copy(FetchRequest(8, str(tree)), files, settings)
        fetched = sink.result.fetched
        assert sink.result.status is Status.SUCCESS, sink.result
        assert fetched is not None and fetched.archive
        with tarfile.open(fileobj=io.BytesIO(master.blob_path(fetched.sha256).read_bytes())) as tar:
            names = {m.name: m for m in tar.getmembers()}
            assert set(names) == {".", "./a.txt", "./sub", "./sub/b.txt", "./run.sh", "./link"}
            member = tar.extractfile("./sub/b.txt")
            assert member is not None and member.read() == b"beta\n"
            assert names["./link"].issym() and names["./link"].linkname == "a.txt"
            assert names["./run.sh"].mode & 0o777 == 0o755
        assert f"fetching {tree} (directory) from s1 …" in sink.output_bytes.decode()

    asyncio.run(scenario())


def test_a_missing_path_fails_naming_it(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    missing = tmp_path / "x" / "y"

    async def scenario() -> None:
        async with master_files(master) as files:
            sink = await run_copy(FetchRequest(9, str(missing)), files, settings)
        assert (sink.result.status, sink.result.reason) == (
            Status.FAIL,
            f"no such file or directory: {missing}",
        )
        assert sink.result.fetched is None
        assert sink.output_bytes.decode() == f"copy failed: no such file or directory: {missing}\n"

    asyncio.run(scenario())


def test_unreadable_and_relative_paths_fail(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    import os

    os.mkfifo(fifo)

    async def scenario() -> list[str]:
        async with master_files(master) as files:
            sinks = [
                await run_copy(FetchRequest(10, path), files, settings)
                for path in (str(fifo), "relative/path")
            ]
        return [s.result.reason for s in sinks if s.result.status is Status.FAIL]

    assert asyncio.run(scenario()) == [
        f"not a regular file or a directory: {fifo}",
        "not an absolute path: 'relative/path'",
    ]


def test_the_stores_size_cap_fails_the_fetch_with_its_message(
    start_master: Callable[..., MasterProcess], settings: CommandSettings, tmp_path: Path
) -> None:
    small = start_master("--max-upload-bytes", str(MB))
    source = tmp_path / "big.bin"
    random_file(source, 3 * MB)

    async def scenario() -> None:
        async with master_files(small, max_upload_bytes=MB) as files:
            sink = await run_copy(FetchRequest(11, str(source)), files, settings)
        assert sink.result.status is Status.FAIL
        assert sink.result.reason.startswith("the master's file store refused the upload: ")
        assert f"larger than the {MB} byte cap" in sink.result.reason
        leftovers = small.data_dir / "blobs" / "tmp"  # the master drops the cancelled upload
        wait_until(lambda: not list(leftovers.iterdir()), 10, what="no upload left behind")

    asyncio.run(scenario())
