"""Output flood: a command writing as fast as it can, far past the master's log cap. The log
is the cap plus one marker line, the rest is counted, and neither daemon's memory follows."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.rest import submit, task, tasklog, wait_final

MiB = 1 << 20
FLOOD = int(os.environ.get("JOBFLEET_FLOOD_MIB", "1024")) * MiB
"""What the command writes (1 GiB takes about 6 s here)."""
CAP = 8 * MiB
RSS_BOUND = 256 * MiB
"""Measured: master 80 MiB, slave 129 MiB (its outbox keeps up to 64 MiB unacked)."""
FLOOD_SCRIPT = """
import sys
block = b"x" * 1023 + b"\\n"
out = sys.stdout.buffer
for _ in range({n} // 1024):
    out.write(block)
"""


def peak_rss(proc: Proc) -> int:
    """VmHWM of a running process, in bytes."""
    for line in Path(f"/proc/{proc.popen.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {proc.name}")


def test_a_flood_past_the_log_cap_is_cut_marked_and_bounded_in_memory(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = start_master("--max-log-bytes", str(CAP))
    slave = start_slave(master, "s1")
    with start_gateway(master).client() as http:
        began = time.monotonic()
        uuid = submit(http, FLOOD_SCRIPT.format(n=FLOOD), scripts_type="python", timeout=600)
        done = wait_final(http, uuid, timeout=120)
        took = time.monotonic() - began
        log = tasklog(http, uuid)["s1"]["log"]
        node = task(http, uuid)["nodes"][0]
    rss = {"master": peak_rss(master.proc), "slave": peak_rss(slave)}

    print(
        f"flood of {FLOOD // MiB} MiB in {took:.1f} s "
        f"({FLOOD / MiB / took:.0f} MiB/s); peak RSS master {rss['master'] / MiB:.0f} MiB, "
        f"slave {rss['slave'] / MiB:.0f} MiB"
    )
    assert done["status"] == "success", done
    marker = f"\n[jobfleet: output truncated at {CAP} bytes; {FLOOD - CAP} more bytes dropped]\n"
    assert len(log) == CAP + len(marker)
    assert log.endswith(marker) and log[:CAP] == ("x" * 1023 + "\n") * (CAP // 1024)
    assert (node["logbytes"], node["logdropped"]) == (CAP, FLOOD - CAP)
    assert max(rss.values()) < RSS_BOUND, rss
