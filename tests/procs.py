"""Looking at processes the way a user would: is this pid still doing anything?"""

from __future__ import annotations

import os
import signal
from pathlib import Path


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (PID 1 here may never reap them)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def with_argument(text: str) -> list[int]:
    """Running processes one of whose arguments contains `text` (their environment aside, so
    this finds processes started with `env -i` too)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if any(text.encode() in arg for arg in argv) and alive(int(name)):
            found.append(int(name))
    return found


def kill_all(pids: list[int]) -> None:
    """A failed test's leftovers, so they do not outlive it."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
