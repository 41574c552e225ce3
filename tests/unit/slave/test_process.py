"""Finding the processes of one run that left its group: by the run's own mark, and no other;
by its cgroup, when they shed the mark too."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from slave.commands.cgroups import CgroupRoot
from slave.commands.process import Tree, end_group, escaped
from tests.cgroups import start_inside, unique_sleep
from tests.procs import with_argument
from tests.waiting import wait_until


def test_escaped_finds_exactly_the_processes_carrying_the_mark() -> None:
    mine = subprocess.Popen(
        ["setsid", "sleep", "60"], env={**os.environ, "JOBFLEET_RUN_MARK": "aaaa"}
    )
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={**os.environ, "JOBFLEET_RUN_MARK": "aaaab"},
    )
    try:  # polled: while `setsid` execs `sleep`, the process's environ reads empty for a moment
        found = wait_until(lambda: escaped("aaaa") if mine.pid in escaped("aaaa") else None)
    finally:
        for proc in (mine, other):
            proc.kill()
            proc.wait()

    assert mine.pid in found and other.pid not in found
    assert escaped("") == []


def test_end_group_ends_what_left_both_the_group_and_the_environment(
    cgroup_root: CgroupRoot,
) -> None:
    """`env -i setsid` escapes the group and the mark; its cgroup still holds it, and one that
    ignores SIGTERM gets SIGKILL after the grace."""
    tag = unique_sleep()
    cgroup = cgroup_root.create("exec-1")
    proc = start_inside(
        cgroup, f"env -i setsid sh -c 'trap \"\" TERM; sleep {tag}; :' & sleep {tag}"
    )
    try:
        wait_until(lambda: len(with_argument(tag)) >= 4, what="4 processes")

        sigkilled = asyncio.run(end_group(Tree(proc.pid, "", cgroup), grace=0.3))

        assert sigkilled
        wait_until(lambda: not with_argument(tag), 5, what="every process gone")
    finally:
        cgroup.kill()
        proc.wait()
        cgroup_root.release(cgroup)
