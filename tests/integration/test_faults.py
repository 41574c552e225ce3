"""Faults the first slice already survives: a master restart mid-task and a vanished slave."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.rest import submit, tasklog, wait_final
from tests.waiting import wait_until

NUMBERED = "for i in $(seq 1 40); do echo line $i; sleep 0.1; done"


def test_master_killed_mid_task_loses_and_doubles_no_line(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = start_master()
    start_slave(master, "s1")
    gateway = start_gateway(master)
    with gateway.client() as http:
        uuid = submit(http, NUMBERED)
        wait_until(lambda: "line 5\n" in tasklog(http, uuid)["s1"]["log"], what="line 5 stored")

        master.proc.popen.send_signal(signal.SIGKILL)
        master.proc.popen.wait()
        start_master("--listen", master.addr, data_dir=master.data_dir, name="master-again")
        done = wait_final(http, uuid, timeout=60)
        log = tasklog(http, uuid)["s1"]["log"]

    assert done["status"] == "success"
    assert log == "".join(f"line {i}\n" for i in range(1, 41))


def test_vanished_slave_has_its_work_marked_lost_within_the_lease(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = start_master("--lease", "3", "--heartbeat", "0.5")
    slave = start_slave(master, "s1")
    with start_gateway(master).client() as http:
        uuid = submit(http, "echo up; sleep 20", timeout=600)
        wait_until(lambda: tasklog(http, uuid)["s1"]["log"] == "up\n", what="command running")

        slave.popen.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        done = wait_final(http, uuid, timeout=30)
        took = time.monotonic() - killed_at

    assert done["status"] == "fail"
    assert done["nodes"][0]["status"] == "lost"
    assert "silent" in done["nodes"][0]["reason"]
    assert took < 3 + 5, f"lost only after {took:.1f} s"
