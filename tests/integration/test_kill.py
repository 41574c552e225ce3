"""Kill ends the whole process tree on the slave and keeps the partial output."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cgroups import require_cgroups, unique_sleep
from tests.integration.conftest import Cluster, Gateway, Master, Proc
from tests.integration.rest import refusal, submit, tasklog, wait_final
from tests.procs import alive, kill_all, with_argument
from tests.waiting import wait_until


def test_kill_leaves_no_process_behind(cluster: Cluster, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = f"""
sleep 1000 & echo $! >> {pids}
sleep 1000 & echo $! >> {pids}
echo $$ >> {pids}
echo children started
wait
"""
    uuid = submit(cluster.http, script, timeout=600)
    wait_until(
        lambda: "children started" in tasklog(cluster.http, uuid)["s1"]["log"],
        what="children started",
    )
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 3 and all(alive(p) for p in started)

    resp = cluster.http.delete(f"/slave/s1/killtask/{uuid}")

    assert resp.status_code == 200, resp.text
    done = wait_final(cluster.http, uuid, timeout=30)
    assert (done["status"], done["reason"]) == ("fail", "killed by api")  # OpenC3's words
    assert done["nodes"][0]["status"] == "killed"
    wait_until(lambda: not any(alive(p) for p in started), 15, what="process tree gone")
    assert tasklog(cluster.http, uuid)["s1"]["log"] == "children started\n"


def test_kill_of_a_finished_task_is_refused(cluster: Cluster) -> None:
    uuid = submit(cluster.http, "true")
    wait_final(cluster.http, uuid)

    resp = cluster.http.delete(f"/slave/s1/killtask/{uuid}")

    refusal(resp, 409)


def test_kill_of_an_unknown_task_is_not_found(cluster: Cluster) -> None:
    resp = cluster.http.delete("/slave/s1/killtask/nosuchtask")

    refusal(resp, 404)


def test_kill_ends_children_that_left_the_process_group(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    tmp_path: Path,
) -> None:
    """`setsid` and a double fork leave the group; kill finds them by the execution's mark,
    and a command that ignores SIGTERM is SIGKILLed once the grace is over."""
    grace = 1.0
    master = start_master()
    start_slave(master, "s1", "--kill-grace", str(grace))
    pids = tmp_path / "pids"
    script = f"""
trap '' TERM
setsid sleep 1000 & echo $! >> {pids}
( sleep 1000 & echo $! >> {pids} ) &
setsid bash -c 'trap "" TERM; echo $$ >> {pids}; exec sleep 1000' &
echo $$ >> {pids}
sleep 0.5
echo children started
sleep 1000
"""
    with start_gateway(master).client() as http:
        uuid = submit(http, script, timeout=600)
        wait_until(lambda: "children started" in tasklog(http, uuid)["s1"]["log"], what="started")
        started = [int(p) for p in pids.read_text().split()]
        assert len(started) == 4 and all(alive(p) for p in started)

        killed_at = time.monotonic()
        resp = http.delete(f"/slave/s1/killtask/{uuid}")
        wait_until(lambda: not any(alive(p) for p in started), grace + 5, what="tree gone")
        took = time.monotonic() - killed_at
        done = wait_final(http, uuid, timeout=15)

    print(f"kill: every process gone {took:.2f} s after the request (grace {grace:g} s)")
    assert resp.status_code == 200, resp.text
    assert done["nodes"][0]["status"] == "killed"
    assert grace <= took < grace + 3


CLEAN_ESCAPES = """
env -i setsid sleep {t} &
env -i sh -c 'setsid sleep {t} &'
env -i setsid sh -c 'trap "" TERM; sleep {t}; :' &
echo children started
sleep 1000
"""
"""Children with a clean environment (no run mark): setsid; a double fork; one ignoring
SIGTERM. Only a cgroup holds them."""


@pytest.mark.parametrize(
    "cgroups",
    [
        "auto",
        pytest.param(
            "off",
            marks=pytest.mark.skip(
                reason="known limitation: without cgroups, a process that leaves the process "
                "group with a cleared environment (env -i) is found by nothing (docs/faults.md)"
            ),
        ),
    ],
)
def test_kill_ends_children_that_cleared_their_environment(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
    cgroups: str,
) -> None:
    require_cgroups()
    grace = 1.0
    master = start_master()
    slave = start_slave(master, "s1", "--kill-grace", str(grace), "--cgroups", cgroups)
    tag = unique_sleep()
    with start_gateway(master).client() as http:
        uuid = submit(http, CLEAN_ESCAPES.format(t=tag), timeout=600)
        try:
            wait_until(
                lambda: (
                    "children started" in tasklog(http, uuid)["s1"]["log"]
                    and len(with_argument(tag)) >= 4
                ),
                what="4 children started",
            )
            assert "runs are contained in cgroup v2" in slave.log.read_text()

            killed_at = time.monotonic()
            resp = http.delete(f"/slave/s1/killtask/{uuid}")
            wait_until(lambda: not with_argument(tag), grace + 5, what="every child gone")
            took = time.monotonic() - killed_at
            done = wait_final(http, uuid, timeout=15)
        finally:
            kill_all(with_argument(tag))

    print(f"kill (cgroup): every process gone {took:.2f} s after the request (grace {grace:g} s)")
    assert resp.status_code == 200, resp.text
    assert done["nodes"][0]["status"] == "killed"
    assert grace <= took < grace + 3
