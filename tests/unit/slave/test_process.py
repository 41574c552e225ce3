"""Finding the processes of one run that left its group: by the run's own mark, and no other."""

from __future__ import annotations

import os
import subprocess
import sys

from slave.commands.process import escaped


def test_escaped_finds_exactly_the_processes_carrying_the_mark() -> None:
    mine = subprocess.Popen(
        ["setsid", "sleep", "60"], env={**os.environ, "JOBFLEET_RUN_MARK": "aaaa"}
    )
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={**os.environ, "JOBFLEET_RUN_MARK": "aaaab"},
    )
    try:
        found = escaped("aaaa")
    finally:
        for proc in (mine, other):
            proc.kill()
            proc.wait()

    assert mine.pid in found and other.pid not in found
    assert escaped("") == []
