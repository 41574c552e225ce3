"""Faults: the master or a slave killed mid-task, a slave paused past the keepalive, output that
must arrive exact (numbered lines, none lost, none doubled) whatever happened on the way."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.integration.conftest import Gateway, Master, Proc
from tests.integration.jobs import cmd, control, create_job, run_job, subtasks, wait_status
from tests.integration.rest import submit, task, tasklog, wait_final
from tests.procs import alive
from tests.waiting import wait_until

NUMBERED = "for i in $(seq 1 40); do echo line $i; sleep 0.1; done"


def numbered(lines: int, pause: float, done_dir: Path | None = None) -> str:
    """A script printing `line 1` .. `line N`, then (optionally) leaving a done-file."""
    done = f"; touch {done_dir}/$JOBFLEET_EXECUTION_ID" if done_dir else ""
    return f"for i in $(seq 1 {lines}); do echo line $i; sleep {pause}; done{done}"


def lost_and_doubled(log: str, lines: int) -> tuple[int, int]:
    """How many of `line 1`..`line N` are missing, and how many extra lines there are."""
    got = log.splitlines()
    expected = {f"line {i}" for i in range(1, lines + 1)}
    return len(expected - set(got)), len(got) - len(set(got) & expected)


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


def test_master_killed_under_50_writing_executions_loses_and_doubles_no_line(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> None:
    """25 tasks on 2 slaves = 50 executions writing numbered lines; the master is SIGKILLed
    mid-output and stays down until the short ones have finished; every log ends exact."""
    master = start_master()
    start_slave(master, "s1")
    start_slave(master, "s2")
    done_dir = tmp_path / "done"
    done_dir.mkdir()
    short, long = 30, 150
    lengths = [short if k % 2 else long for k in range(25)]
    with start_gateway(master).client() as http:
        uuids = [
            submit(http, numbered(n, 0.04, done_dir), nodes="s1,s2", timeout=600) for n in lengths
        ]

        def all_writing() -> bool:
            return all(
                all("line 2\n" in row["log"] for row in tasklog(http, uuid).values())
                for uuid in uuids
            )

        wait_until(all_writing, 30, interval=0.2, what="all 50 executions writing")
        master.proc.popen.send_signal(signal.SIGKILL)
        master.proc.popen.wait()
        wait_until(
            lambda: len(list(done_dir.iterdir())) >= 2 * lengths.count(short),
            30,
            interval=0.1,
            what="short commands finished while the master is down",
        )
        start_master("--listen", master.addr, data_dir=master.data_dir, name="master-again")
        finals = [wait_final(http, uuid, timeout=90) for uuid in uuids]
        logs = {uuid: tasklog(http, uuid) for uuid in uuids}

    counts = [
        lost_and_doubled(row["log"], n)
        for uuid, n in zip(uuids, lengths)
        for row in logs[uuid].values()
    ]
    lost, doubled = sum(c[0] for c in counts), sum(c[1] for c in counts)
    print(f"50 executions: {lost} lines lost, {doubled} doubled")
    assert (len(counts), lost, doubled) == (50, 0, 0)
    assert [f["status"] for f in finals] == ["success"] * 25
    for uuid, n in zip(uuids, lengths):
        for row in logs[uuid].values():
            assert row["log"] == "".join(f"line {i}\n" for i in range(1, n + 1))


def test_slave_killed_mid_step_is_lost_within_the_lease_then_rerun_once_it_is_back(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> None:
    """A job step on 2 slaves; the slave running the long half is SIGKILLed: its execution is
    `lost` with a reason within the lease, the step waits for a decision, and `running` reruns
    it once the slave is back (the rerun finds the lock taken and ends at once)."""
    lease = 3.0
    master = start_master("--lease", str(lease), "--heartbeat", "0.5")
    slaves = {name: start_slave(master, name) for name in ("s1", "s2")}
    lock = tmp_path / "lock"
    script = f"if mkdir {lock} 2>/dev/null; then echo sleeper; sleep 60; fi; echo ok"
    with start_gateway(master).client() as http:
        job = create_job(http, "lease", [cmd("step", script, nodes="s1,s2", timeout=600)])
        uuid = run_job(http, job)

        def sleeper() -> str | None:
            rows = tasklog(http, uuid).values()
            return next((r["node"] for r in rows if r["log"] == "sleeper\n"), None)

        victim = wait_until(sleeper, 20, what="one node sleeping")
        slaves[victim].popen.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        slaves[victim].popen.wait()

        def lost() -> dict[str, Any] | None:
            nodes = {n["node"]: n for n in task(http, uuid)["nodes"]}
            return nodes[victim] if nodes[victim]["status"] == "lost" else None

        lost_row = wait_until(lost, lease + 10, what=f"{victim} lost")
        took = time.monotonic() - killed_at
        waiting = wait_status(http, uuid, "waiting", timeout=10)
        start_slave(master, victim)
        rerun = control(http, uuid, subtasks(http, uuid)[0], "running")
        done = wait_final(http, uuid, timeout=30)
        logs = tasklog(http, uuid)

    print(f"slave SIGKILL -> execution lost in {took:.2f} s (lease {lease:g} s)")
    assert "silent" in lost_row["reason"] and f"{lease:g}" in lost_row["reason"]
    assert took < lease + 3, f"lost only after {took:.1f} s"
    assert waiting["status"] == "waiting"
    assert rerun.status_code == 200, rerun.text
    assert done["status"] == "success"
    assert [n["status"] for n in done["nodes"]] == ["success", "success"]
    assert logs[victim]["log"] == "ok\n"


def test_slave_paused_past_the_keepalive_resumes_its_output_exactly(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    """SIGSTOP the slave until the master drops its silent stream (half the lease), then
    SIGCONT within the lease: the slave re-attaches, the execution is not lost, its numbered
    output ends complete and exact."""
    master = start_master("--lease", "8", "--heartbeat", "0.5")
    slave = start_slave(master, "s1")
    lines = 300
    with start_gateway(master).client() as http:
        uuid = submit(http, numbered(lines, 0.02), timeout=600)
        wait_until(lambda: "line 20\n" in tasklog(http, uuid)["s1"]["log"], what="line 20 stored")

        slave.popen.send_signal(signal.SIGSTOP)
        try:
            wait_until(
                lambda: "slave s1 detached" in master.proc.log.read_text(),
                10,
                interval=0.1,
                what="the master dropping the stopped slave's stream",
            )
            during = task(http, uuid)
        finally:
            slave.popen.send_signal(signal.SIGCONT)
        done = wait_final(http, uuid, timeout=30)
        log = tasklog(http, uuid)["s1"]["log"]

    assert during["status"] == "running"
    assert done["status"] == "success", done
    assert lost_and_doubled(log, lines) == (0, 0)
    assert log == "".join(f"line {i}\n" for i in range(1, lines + 1))


def test_slave_paused_past_the_lease_has_its_work_lost_and_killed_when_it_wakes(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> None:
    """Past the lease the master gives the execution up (`lost`); the slave, once resumed,
    re-attaches still running it and is told to kill it, so it cannot run twice after a rerun."""
    master = start_master("--lease", "3", "--heartbeat", "0.5")
    slave = start_slave(master, "s1")
    pid_file = tmp_path / "pid"
    with start_gateway(master).client() as http:
        uuid = submit(http, f"echo $$ > {pid_file}; echo up; sleep 600", timeout=900)
        wait_until(lambda: tasklog(http, uuid)["s1"]["log"] == "up\n", what="command running")
        pid = int(pid_file.read_text())

        slave.popen.send_signal(signal.SIGSTOP)
        try:
            done = wait_final(http, uuid, timeout=15)
        finally:
            slave.popen.send_signal(signal.SIGCONT)
        wait_until(
            lambda: "kill requested: the master closed it" in slave.log.read_text(),
            15,
            what="the slave told to kill what the master gave up",
        )
        wait_until(lambda: not alive(pid), 15, what="the given-up command killed on the slave")

    assert done["nodes"][0]["status"] == "lost"
    assert "silent" in done["nodes"][0]["reason"]
