"""`jobfleet run --master` takes the list of masters the slaves and gateways take: a master
that is down is passed over, and a list it cannot read is refused naming --master."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable

from tests.integration.conftest import Master, Proc


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def jobfleet_run(master: str, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobfleet.cli.main", "run", "--master", master, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "JOBFLEET_TOKEN": token},
    )


def test_jobfleet_run_passes_over_a_master_that_is_down_in_its_list(
    start_master: Callable[..., Master], start_slave: Callable[..., Proc]
) -> None:
    master = start_master()
    start_slave(master, "s1")
    down = f"127.0.0.1:{free_port()}"  # nothing listens there

    ran = jobfleet_run(
        f"{down},{master.addr}", master.token, "--nodes", "s1", "echo through the list"
    )
    refused = [
        jobfleet_run(bad, master.token, "--nodes", "s1", "echo never")
        for bad in (f"{master.addr},", "no-port", f"{master.addr},[::1:7070")
    ]

    assert ran.returncode == 0, ran.stderr
    assert "[s1] through the list" in ran.stdout
    for bad in refused:
        assert bad.returncode == 2, bad.stderr
        assert bad.stderr.startswith("jobfleet run: --master: ") and "Traceback" not in bad.stderr
        assert "never" not in bad.stdout
