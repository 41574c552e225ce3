"""Running the installed `jobfleet` command as a user would, with an environment of the test's
own (no config file of the machine's user, no colour settings inherited)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

JOBFLEET = str(Path(sys.executable).parent / "jobfleet")
TASK_LINE = re.compile(r"task (\w+): (\w+)")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """os.environ without JOBFLEET_*/NO_COLOR, HOME and XDG_CONFIG_HOME under `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBFLEET_") and k != "NO_COLOR"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), **extra)
    return env


def jobfleet(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JOBFLEET, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def task_uuid(stderr: str) -> str:
    """The task a run or tail reported at its end (`task UUID: status`)."""
    found = TASK_LINE.findall(stderr)
    assert found, stderr
    return str(found[-1][0])
