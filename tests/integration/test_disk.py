"""Disk faults: a slave that cannot write its scripts fails the execution with the reason; a
master whose database refuses writes answers UNAVAILABLE / 503, drops the slave's stream, and
stores the resent output once it can write again."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Databases, Gateway, Master, Proc
from tests.integration.rest import refusal, submit, tasklog, wait_final
from tests.waiting import wait_until


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount small tmpfs file systems (root only; skipped where mounting is not allowed)."""
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        path = tmp_path / f"disk{len(mounts)}"
        path.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounts.append(path)
        return path

    yield mount
    for path in mounts:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
    return filler


def test_a_full_work_dir_fails_the_execution_with_the_reason(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tiny_disk: Callable[[str], Path],
) -> None:
    disk = tiny_disk("256k")
    master = start_master()
    start_slave(master, "s1", "--work-dir", str(disk))
    fill(disk)
    with start_gateway(master).client() as http:
        uuid = submit(http, "echo " + "x" * 8000)
        done = wait_final(http, uuid, timeout=15)

    assert done["status"] == "fail"
    assert done["nodes"][0]["status"] == "fail"
    assert "cannot write the script" in done["nodes"][0]["reason"]
    assert "No space left on device" in done["nodes"][0]["reason"]


def test_a_database_that_refuses_writes_is_unavailable_and_output_is_resent_later(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tiny_disk: Callable[[str], Path],
    databases: Databases,
) -> None:
    if databases.backend != "sqlite":
        pytest.skip("the PostgreSQL outage is tests/integration/test_postgres.py")
    disk = tiny_disk("4m")
    master = start_master(data_dir=disk / "master")
    start_slave(master, "s1")
    lines = 200
    script = f"for i in $(seq 1 {lines}); do echo line $i {'y' * 200}; sleep 0.02; done"
    with start_gateway(master).client() as http:
        uuid = submit(http, script, timeout=600)
        wait_until(lambda: "line 5 " in tasklog(http, uuid)["s1"]["log"], what="line 5 stored")
        filler = fill(disk)
        wait_until(
            lambda: "dropping the stream" in master.proc.log.read_text(),
            15,
            what="the master dropping the stream on a failed write",
        )
        refused = http.post(
            "/task/1/plugin_cmd",
            json={"name": "t", "node_type": "builtin", "node_cont": "s1", "scripts_cont": "true"},
        )
        filler.unlink()
        done = wait_final(http, uuid, timeout=60)
        log = tasklog(http, uuid)["s1"]["log"]

    refusal(refused, 503, "unavailable")
    assert done["status"] == "success"
    assert log == "".join(f"line {i} {'y' * 200}\n" for i in range(1, lines + 1))
