"""Once its settings are read, the slave keeps its secrets from what it starts."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import ctypes, os, subprocess
from slave.hardening import harden
harden()
child = subprocess.run(["sh", "-c", "echo ${JOBFLEET_JOIN_TOKEN:-none} ${OTHER:-none}"],
                       capture_output=True, text=True).stdout.strip()
print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0), child)  # 3 = PR_GET_DUMPABLE
"""


def test_the_secrets_leave_the_environment_and_the_process_is_not_dumpable() -> None:
    env = {
        **os.environ,
        "JOBFLEET_JOIN_TOKEN": "join-s3cret",
        "JOBFLEET_ADMIN_TOKEN": "admin-s3cret",
        "OTHER": "kept",
    }

    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["0", "none", "kept"]
