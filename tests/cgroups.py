"""Whether the tests can use cgroup v2 here: skip where they cannot, except where they must.

The cgroup tests are skipped on a machine without a writable cgroup2 hierarchy (a non-root
run, a container without one), but fail under CI (CI=true) when the run is root and a cgroup2
hierarchy is mounted: there they must run, not quietly skip.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from slave.commands.cgroups import Cgroup, CgroupsUnavailable, gated, locate


def own_cgroup_dir() -> Path:
    """This process's cgroup v2 directory (CgroupsUnavailable when there is none)."""
    return locate(Path("/proc/self/mountinfo").read_text(), Path("/proc/self/cgroup").read_text())


def unavailable() -> str | None:
    """Why the tests cannot make cgroups here, or None when they can."""
    try:
        own = own_cgroup_dir()
    except CgroupsUnavailable as exc:
        return str(exc)
    if not (os.access(own, os.W_OK) and os.access(own / "cgroup.procs", os.W_OK)):
        return f"{own} is not writable by uid {os.geteuid()}"
    return None


def require_cgroups() -> None:
    """Skip the calling test when cgroup v2 is unusable here, or fail where it must be."""
    reason = unavailable()
    if reason is None:
        return
    mounted = (
        "cgroup2" in Path("/proc/mounts").read_text() or Path("/sys/fs/cgroup/unified").is_dir()
    )
    if _in_ci() and os.geteuid() == 0 and mounted:
        pytest.fail(f"cgroup v2 is mounted and the tests run as root under CI, yet: {reason}")
    pytest.skip(f"cgroup v2 not usable here: {reason}")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def start_inside(cgroup: Cgroup, script: str) -> subprocess.Popen[bytes]:
    """`sh -c script` in a session of its own, inside `cgroup` before it runs, as a slave
    starts a run."""
    proc = subprocess.Popen(
        gated(["sh", "-c", script], os.environ), stdin=subprocess.PIPE, start_new_session=True
    )
    assert proc.stdin is not None
    cgroup.adopt(proc.pid)
    proc.stdin.write(b"go\n")
    proc.stdin.close()
    return proc


def unique_sleep() -> str:
    """A sleep length no other process has: the argument finds the processes that got it."""
    return f"300.{secrets.randbelow(10**9):09d}"
