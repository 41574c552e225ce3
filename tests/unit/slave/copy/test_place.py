"""copy-place on this machine from a real master's file store: atomic, verified writes, into
directories, archives unpacked safely, owner and mode, and what a bad blob leaves (nothing)."""

from __future__ import annotations

import asyncio
import io
import os
import pwd
import tarfile
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.messages import Blob, PlaceRequest, Status
from tests.unit.slave.copy.copytest import (
    MB,
    MasterProcess,
    master_files,
    run_copy,
    sha256_of,
    store,
    temp_files,
)


def place(
    blob: Blob, path: Path | str, name: str = "", chown: str = "", chmod: str = ""
) -> PlaceRequest:
    return PlaceRequest(21, blob, str(path), name=name, chown=chown, chmod=chmod)


def tar_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def owner_and_mode(path: Path) -> tuple[str, int]:
    info = path.lstat()
    return pwd.getpwuid(info.st_uid).pw_name, info.st_mode & 0o7777


root_only = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


@root_only
def test_a_file_is_written_verified_with_owner_and_mode(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    data = os.urandom(12 * MB + 5)
    target = tmp_path / "deep" / "er" / "release.bin"  # parents are created

    async def scenario() -> None:
        async with master_files(master) as files:
            blob = await store(files, data)
            sink = await run_copy(
                place(blob, target, name="release.bin", chown="nobody", chmod="0640"),
                files,
                settings,
            )
        assert sink.result.status is Status.SUCCESS, sink.result
        assert target.read_bytes() == data
        assert owner_and_mode(target) == ("nobody", 0o640)
        assert temp_files(tmp_path) == []
        lines = sink.output_bytes.decode().splitlines()
        label = f"release.bin ({len(data)} bytes, sha256 {blob.sha256[:12]}…)"
        assert lines[0] == f"placing {label} at s1:{target} …"
        assert lines[-3].startswith(f"copied {label} to s1:{target} in ")
        assert lines[-2:] == [f"chown nobody {target}", f"chmod 0640 {target}"]

    asyncio.run(scenario())


def test_into_an_existing_directory_under_the_source_name_replacing_keeps_the_mode(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    (tmp_path / "app.conf").write_text("old\n")
    (tmp_path / "app.conf").chmod(0o600)

    async def scenario() -> None:
        async with master_files(master) as files:
            blob = await store(files, b"new\n")
            sink = await run_copy(place(blob, tmp_path, name="app.conf"), files, settings)
        assert sink.result.status is Status.SUCCESS, sink.result
        assert (tmp_path / "app.conf").read_text() == "new\n"
        assert (tmp_path / "app.conf").stat().st_mode & 0o777 == 0o600

    asyncio.run(scenario())


def test_a_new_file_gets_the_usual_mode(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with master_files(master) as files:
            blob = await store(files, b"x")
            sink = await run_copy(place(blob, tmp_path / "new.txt"), files, settings)
        assert sink.result.status is Status.SUCCESS, sink.result

    umask = os.umask(0o022)
    os.umask(umask)
    asyncio.run(scenario())
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o666 & ~umask


@root_only
def test_an_archive_unpacks_into_the_directory_with_owner_and_mode(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    archive = tar_bytes({"./a.txt": b"alpha\n", "./sub/b.txt": b"beta\n"})
    dest = tmp_path / "copied"  # created

    async def scenario() -> None:
        async with master_files(master) as files:
            blob = await store(files, archive, archive=True)
            sink = await run_copy(
                place(blob, dest, name="conf", chown="nobody:nogroup", chmod="0750"),
                files,
                settings,
            )
        assert sink.result.status is Status.SUCCESS, sink.result
        assert sink.output_bytes.decode().splitlines()[-2:] == [
            f"chown -R nobody:nogroup {dest}",
            f"chmod -R 0750 {dest}",
        ]

    asyncio.run(scenario())
    assert (dest / "a.txt").read_text() == "alpha\n"
    assert (dest / "sub" / "b.txt").read_text() == "beta\n"
    for path in (dest, dest / "sub", dest / "sub" / "b.txt"):
        assert owner_and_mode(path) == ("nobody", 0o750)
    assert temp_files(tmp_path) == []


def test_an_archives_absolute_names_land_inside_its_directory(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    archive = tar_bytes({"/tmp/jobfleet-absolute.txt": b"inside\n"})
    dest = tmp_path / "dest"

    async def scenario() -> None:
        async with master_files(master) as files:
            blob = await store(files, archive, archive=True)
            sink = await run_copy(place(blob, dest), files, settings)
        assert sink.result.status is Status.SUCCESS, sink.result

    asyncio.run(scenario())
    assert (dest / "tmp" / "jobfleet-absolute.txt").read_text() == "inside\n"
    assert not Path("/tmp/jobfleet-absolute.txt").exists()


@pytest.mark.parametrize("member", ["../escape.txt", "sub/../../escape.txt"])
def test_an_archive_cannot_write_outside_its_directory(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path, member: str
) -> None:
    archive = tar_bytes({member: b"owned\n"})
    dest = tmp_path / "dest"

    async def scenario() -> None:
        async with master_files(master) as files:
            blob = await store(files, archive, archive=True)
            sink = await run_copy(place(blob, dest), files, settings)
        assert sink.result.status is Status.FAIL
        assert sink.result.reason.startswith(f"cannot unpack into {dest}: ")

    asyncio.run(scenario())
    assert not (tmp_path / "escape.txt").exists()
    assert temp_files(tmp_path) == []


def test_a_corrupted_download_is_detected_and_nothing_is_left(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    data = os.urandom(3 * MB)
    target = tmp_path / "release.bin"

    async def scenario() -> tuple[Status, str]:
        async with master_files(master) as files:
            blob = await store(files, data)
            stored = master.blob_path(blob.sha256)
            stored.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # bit rot in the store
            try:
                sink = await run_copy(place(blob, target), files, settings)
            finally:
                stored.write_bytes(data)
        return sink.result.status, sink.result.reason

    status, reason = asyncio.run(scenario())
    assert status is Status.FAIL
    assert reason.startswith("sha256 mismatch: the download is ")
    assert not target.exists() and temp_files(tmp_path) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"size": 10}, "the download is longer than the blob's 10 bytes; not placed"),
        ({"size": 99}, "the download has 11 bytes, the blob 99; not placed"),
        ({"sha256": "0" * 64}, "the master's file store refused the download: "),
    ],
)
def test_a_blob_that_does_not_match_fails_and_leaves_nothing(
    master: MasterProcess,
    settings: CommandSettings,
    tmp_path: Path,
    change: dict[str, object],
    reason: str,
) -> None:
    async def scenario() -> str:
        async with master_files(master) as files:
            blob = await store(files, b"hello world")
            wrong = Blob(**{**blob.__dict__, **change})
            sink = await run_copy(place(wrong, tmp_path / "out.txt"), files, settings)
        assert sink.result.status is Status.FAIL
        return sink.result.reason

    assert asyncio.run(scenario()).startswith(reason)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"chmod": "rwx"}, "chmod: not an octal mode: 'rwx'"),
        ({"chown": "no body"}, "chown: not a user[:group]: 'no body'"),
        ({"chown": "jobfleet-no-such-user"}, "chown: no such user: jobfleet-no-such-user"),
    ],
)
def test_bad_owner_or_mode_fails_and_writes_nothing(
    master: MasterProcess,
    settings: CommandSettings,
    tmp_path: Path,
    fields: dict[str, str],
    reason: str,
) -> None:
    async def scenario() -> tuple[Status, str]:
        async with master_files(master) as files:
            blob = await store(files, b"data")
            sink = await run_copy(place(blob, tmp_path / "out.txt", **fields), files, settings)
        return sink.result.status, sink.result.reason

    assert asyncio.run(scenario()) == (Status.FAIL, reason)
    assert list(tmp_path.iterdir()) == []


def test_a_fetched_file_round_trips_through_the_store(
    master: MasterProcess, settings: CommandSettings, tmp_path: Path
) -> None:
    from slave.messages import FetchRequest
    from tests.unit.slave.copy.copytest import random_file

    source = tmp_path / "src.bin"
    digest = random_file(source, 2 * MB)

    async def scenario() -> None:
        async with master_files(master) as files:
            fetched = await run_copy(FetchRequest(1, str(source)), files, settings)
            assert fetched.result.fetched is not None
            placed = await run_copy(
                place(fetched.result.fetched, tmp_path / "dst.bin"), files, settings
            )
        assert placed.result.status is Status.SUCCESS, placed.result

    asyncio.run(scenario())
    assert sha256_of(tmp_path / "dst.bin") == digest
