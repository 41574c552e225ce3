"""The daemons' C heap keeps freed memory for the next output chunk (jobfleet/heap.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHURN = """
import resource, sys
from jobfleet.heap import keep_freed_memory
from jobfleet.v1 import slave_pb2
set_up = sys.argv[1] == "kept" and keep_freed_memory()
data = b"x" * (1 << 20)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for seq in range(100):  # a chunk put in a message, as the slave sends it
    chunk = slave_pb2.OutputChunk(execution_id=1, seq=seq, data=data)
    message = slave_pb2.SlaveMessage(output=chunk)
print(int(set_up), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
ROOT = Path(__file__).resolve().parents[2]


def page_faults(mode: str) -> tuple[bool, int]:
    """(thresholds set, page faults) of putting a 1 MiB chunk in a message 100 times, in a
    fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", CHURN, mode],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (ROOT, ROOT / "protos")))},
    )
    set_up, faults = out.stdout.split()
    return set_up == "1", int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_copies_of_a_chunk_reuse_freed_memory_instead_of_faulting_in_new_pages() -> None:
    set_up, kept = page_faults("kept")
    _, default = page_faults("default")
    assert set_up
    # the defaults fault in a message's pages at every chunk (~58,000 here, ~1,500 kept)
    assert kept * 10 < default, (kept, default)
