"""cgroup v2 containment against the real hierarchy: find it, gate a run into its cgroup, kill
everything in it however it left its group and environment, remove what is empty."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
from pathlib import Path
from typing import cast

import pytest

from slave.commands.cgroups import (
    Cgroup,
    CgroupRoot,
    CgroupsUnavailable,
    locate,
    sweep_stale,
)
from tests.cgroups import own_cgroup_dir, start_inside, unique_sleep
from tests.procs import kill_all, with_argument
from tests.waiting import wait_until

HYBRID = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
CONTAINER = "900 800 0:40 /kubepods/pod1 /sys/fs/cgroup rw,nosuid shared:5 - cgroup2 cgroup2 rw\n"


def test_locate_finds_cgroup2_next_to_v1_controllers() -> None:
    assert locate(HYBRID, "1:cpu:/\n0::/\n") == Path("/sys/fs/cgroup/unified")
    assert locate(HYBRID, "0::/system.slice/jf.service\n") == Path(
        "/sys/fs/cgroup/unified/system.slice/jf.service"
    )


def test_locate_maps_a_mount_of_a_subtree_and_unescapes_mount_points() -> None:
    assert locate(CONTAINER, "0::/kubepods/pod1/app\n") == Path("/sys/fs/cgroup/app")
    spaced = "50 1 0:40 / /mnt/cg\\040two rw - cgroup2 none rw\n"
    assert locate(spaced, "0::/\n") == Path("/mnt/cg two")


@pytest.mark.parametrize(
    ("mountinfo", "proc_cgroup", "message"),
    [
        (HYBRID.replace("cgroup2", "tmpfs"), "0::/\n", "no cgroup2 hierarchy is mounted"),
        (HYBRID, "1:cpu:/\n", "/proc/self/cgroup has no cgroup v2 line (0::)"),
        (CONTAINER, "0::/other\n", "the slave's cgroup /other is not inside any mounted"),
    ],
    ids=["no-cgroup2", "no-v2-line", "outside-the-mount"],
)
def test_locate_says_why_it_cannot(mountinfo: str, proc_cgroup: str, message: str) -> None:
    with pytest.raises(CgroupsUnavailable, match=re.escape(message)):
        locate(mountinfo, proc_cgroup)


ESCAPES = """
env -i setsid sleep {t} &
env -i sh -c 'setsid sleep {t} &'
env -i setsid sh -c 'trap "" TERM; sleep {t}; :' &
sleep {t}
"""
"""Away from the group and the environment: setsid; a double fork; one ignoring SIGTERM."""


def test_open_makes_the_slave_s_directory_and_close_removes_it(cgroup_root: CgroupRoot) -> None:
    assert cgroup_root.path == own_cgroup_dir() / f"jobfleet-{os.getpid()}"
    assert [p for p in cgroup_root.path.iterdir() if p.is_dir()] == []  # the probe's is gone

    asyncio.run(cgroup_root.close())

    assert not cgroup_root.path.exists()


@pytest.mark.parametrize("kill_file", [True, False], ids=["cgroup.kill", "freeze-kill-thaw"])
def test_kill_ends_every_process_the_run_started_however_it_left(
    cgroup_root: CgroupRoot, kill_file: bool
) -> None:
    tag = unique_sleep()
    cgroup = cgroup_root.create("exec-1")
    cgroup.kill_file = kill_file
    proc = start_inside(cgroup, ESCAPES.format(t=tag))
    try:
        started = cast(  # the check's truthy value is the list of pids
            list[int], wait_until(lambda: len(with_argument(tag)) >= 6 and with_argument(tag))
        )
        assert set(started) <= set(cgroup.pids())
        assert cgroup.alive()

        assert cgroup.kill()

        assert asyncio.run(cgroup.wait_empty(5))
        wait_until(lambda: not with_argument(tag), 5, what="every process gone")
        assert proc.wait(5) == -signal.SIGKILL
        cgroup_root.release(cgroup)
        assert not cgroup.path.exists()
        assert not cgroup.kill()  # nothing left to kill
    finally:
        cgroup.kill()
        kill_all(with_argument(tag))
        proc.kill()
        proc.wait()


def test_a_cgroup_still_running_something_is_kept_until_it_is_empty(
    cgroup_root: CgroupRoot,
) -> None:
    tag = unique_sleep()
    cgroup = cgroup_root.create("exec-2")
    proc = start_inside(cgroup, f"exec sleep {tag}")
    try:
        cgroup_root.release(cgroup)
        asyncio.run(cgroup_root.close())
        assert cgroup.path.exists() and cgroup_root.path.exists()

        proc.kill()
        proc.wait()
        assert asyncio.run(cgroup.wait_empty(5))
        asyncio.run(cgroup_root.close())

        assert not cgroup_root.path.exists()
    finally:
        cgroup.kill()
        proc.kill()
        proc.wait()


def test_stale_directories_of_gone_slaves_go_unless_a_process_runs_in_them(
    cgroup_root: CgroupRoot,
) -> None:
    own = cgroup_root.path.parent
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    gone = pid_max + 1 + 2 * secrets.randbelow(10**6)  # never a running pid; unique per run
    empty = own / f"jobfleet-{gone}"
    (empty / "exec-1-aaaa").mkdir(parents=True)
    busy = Cgroup(own / f"jobfleet-{gone + 1}" / "exec-2-bbbb")
    busy.path.mkdir(parents=True)
    tag = unique_sleep()
    proc = start_inside(busy, f"exec sleep {tag}")
    try:
        sweep_stale(own)

        assert not empty.exists()
        assert proc.pid in busy.pids()
        assert cgroup_root.path.exists()  # the running slave's own is not stale
    finally:
        busy.kill()
        proc.wait()
        asyncio.run(busy.wait_empty(5))
        Cgroup(busy.path.parent).remove()
