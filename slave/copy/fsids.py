"""Make the calling thread act as an account for file access (Linux), leaving the others be.

A local copy runs in the slave, which may be root. Its file operations run in a thread of the
copy's own whose filesystem credentials are the account's: fsuid/fsgid (setfsuid/setfsgid),
the account's groups (the raw setgroups system call: glibc's wrapper would change every
thread of the process), and no capabilities (capset on this thread). The kernel checks file
access with exactly these, per thread: the copy reads and writes what the account may, and a
chown to another account fails as it would at a login of it. The slave's own /proc entries
(environ, mem, fd/) belong to root with owner-only modes, so they are shut too.

The thread is never given other work, and ends with its copy; nothing switches back.
"""

from __future__ import annotations

import ctypes
import os
import platform

from slave.commands.runas import RunAs

_SYSCALLS = {
    "x86_64": {"setgroups": 116, "capget": 125, "capset": 126},
    "aarch64": {"setgroups": 159, "capget": 90, "capset": 91},
}
_CAPABILITY_VERSION_3 = 0x20080522


class FsIdsError(OSError):
    """The thread could not take on the account's identity."""


def act_as(run_as: RunAs) -> None:
    """Make the calling thread's file access that of `run_as` (no-op when it is the slave's
    own account). Raises FsIdsError, and then the thread must not be used."""
    if run_as.uid is None:
        return
    numbers = _SYSCALLS.get(platform.machine())
    if numbers is None:
        raise FsIdsError(f"acting as another account is not supported on {platform.machine()}")
    libc = ctypes.CDLL(None, use_errno=True)
    gid = run_as.uid if run_as.gid is None else run_as.gid
    groups = (ctypes.c_uint32 * max(1, len(run_as.groups)))(*run_as.groups)
    if libc.syscall(numbers["setgroups"], len(run_as.groups), groups) != 0:
        raise _failed("setgroups")
    libc.setfsgid(gid)
    libc.setfsuid(run_as.uid)
    if libc.setfsgid(-1) != gid or libc.setfsuid(-1) != run_as.uid:  # -1 reads them back
        raise FsIdsError(f"cannot take the file identity of {run_as.name}")
    _drop_capabilities(libc, numbers)


def _drop_capabilities(libc: ctypes.CDLL, numbers: dict[str, int]) -> None:
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)  # 0 = this thread
    empty = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2 words
    if libc.syscall(numbers["capset"], header, empty) != 0:
        raise _failed("capset")
    check = (ctypes.c_uint32 * 6)(1, 1, 1, 1, 1, 1)
    if libc.syscall(numbers["capget"], header, check) != 0 or any(check):
        raise FsIdsError("capabilities are still there after capset")


def _failed(call: str) -> FsIdsError:
    errno = ctypes.get_errno()
    return FsIdsError(errno, f"{call}: {os.strerror(errno)}")
