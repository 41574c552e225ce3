"""A local copy acts as its account, not as the (root) slave: it reads and writes what that
account may, the slave's own /proc entries included, and the slave's other threads stay root."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.commands.runas import resolve_user
from slave.copy.fsids import act_as
from slave.messages import FetchRequest, PlaceRequest, Status
from tests.unit.slave.copy.copytest import MasterProcess, master_files, run_copy, store, temp_files
from tests.unit.slave.copy.test_place import owner_and_mode, tar_bytes

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="acting as another account needs root")

NOBODY = pwd.getpwnam("nobody")


@pytest.fixture
def shared() -> Iterator[Path]:
    """A root-owned directory every account may enter (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="jobfleet-copy-account-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def test_a_fetch_reads_only_what_its_account_may(
    master: MasterProcess, settings: CommandSettings, shared: Path
) -> None:
    private = shared / "private.txt"
    private.write_text("root's only\n")
    private.chmod(0o600)
    public = shared / "public.txt"
    public.write_text("anyone's\n")
    tree = shared / "tree"
    tree.mkdir()
    (tree / "private.txt").write_text("root's only\n")
    (tree / "private.txt").chmod(0o600)

    async def scenario() -> list[tuple[Status, str]]:
        async with master_files(master) as files:
            sinks = [
                await run_copy(FetchRequest(31, str(path), user="nobody"), files, settings)
                for path in (private, tree, "/proc/self/environ", public)
            ]
        return [(s.result.status, s.result.reason) for s in sinks]

    assert asyncio.run(scenario()) == [
        (Status.FAIL, f"permission denied: {private}"),
        (Status.FAIL, f"cannot read {tree}/private.txt: Permission denied"),
        (Status.FAIL, "permission denied: /proc/self/environ"),  # the slave's own environment
        (Status.SUCCESS, ""),
    ]


def test_a_place_writes_only_where_its_account_may_and_as_it(
    master: MasterProcess, settings: CommandSettings, shared: Path
) -> None:
    drop = shared / "drop"
    drop.mkdir()
    os.chown(drop, NOBODY.pw_uid, NOBODY.pw_gid)

    async def scenario() -> list[tuple[Status, str]]:
        async with master_files(master) as files:
            blob = await store(files, b"payload\n")
            archive = await store(files, tar_bytes({"a.txt": b"alpha\n"}), archive=True)
            requests = [
                PlaceRequest(32, blob, str(shared / "root-dir.txt"), user="nobody"),
                PlaceRequest(33, blob, str(drop / "as-root.txt"), chown="root", user="nobody"),
                PlaceRequest(34, blob, str(drop / "mine.txt"), user="nobody"),
                PlaceRequest(35, archive, str(drop / "unpacked"), user="nobody"),
            ]
            sinks = [await run_copy(request, files, settings) for request in requests]
        return [(s.result.status, s.result.reason) for s in sinks]

    assert asyncio.run(scenario()) == [
        (Status.FAIL, f"cannot write in {shared}: Permission denied"),
        (Status.FAIL, f"cannot place {drop}/as-root.txt: Operation not permitted"),
        (Status.SUCCESS, ""),
        (Status.SUCCESS, ""),
    ]
    assert not (shared / "root-dir.txt").exists() and not (drop / "as-root.txt").exists()
    assert temp_files(shared) == []
    assert owner_and_mode(drop / "mine.txt")[0] == "nobody"
    assert owner_and_mode(drop / "unpacked" / "a.txt")[0] == "nobody"
    assert (drop / "unpacked" / "a.txt").read_text() == "alpha\n"


def test_only_the_thread_that_acts_as_an_account_changes() -> None:
    seen: dict[str, object] = {}

    def as_nobody() -> None:
        act_as(resolve_user("nobody"))
        seen["status"] = Path("/proc/thread-self/status").read_text()
        try:
            Path("/etc/shadow").read_bytes()
        except PermissionError as exc:
            seen["shadow"] = exc.strerror

    thread = threading.Thread(target=as_nobody)
    thread.start()
    thread.join()

    fields = status_fields(str(seen["status"]))
    assert fields["Uid"].split()[3] == str(NOBODY.pw_uid)  # real, effective, saved, fs
    assert fields["Groups"].split() == [str(gid) for gid in os.getgrouplist("nobody", 65534)]
    assert int(fields["CapEff"], 16) == 0
    assert seen["shadow"] == "Permission denied"
    main = status_fields(Path("/proc/thread-self/status").read_text())
    assert main["Uid"].split() == ["0", "0", "0", "0"] and int(main["CapEff"], 16) != 0
    assert Path("/etc/shadow").read_bytes()


def status_fields(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in text.splitlines())
