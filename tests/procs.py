"""Looking at processes the way a user would: is this pid still doing anything?"""

from __future__ import annotations

import os
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
