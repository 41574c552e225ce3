"""Kill ends the whole process tree on the slave and keeps the partial output."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import Cluster
from tests.integration.rest import submit, tasklog, wait_final
from tests.procs import alive
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
    assert done["status"] == "killed"
    assert done["nodes"][0]["status"] == "killed"
    wait_until(lambda: not any(alive(p) for p in started), 15, what="process tree gone")
    assert tasklog(cluster.http, uuid)["s1"]["log"] == "children started\n"


def test_kill_of_a_finished_task_is_refused(cluster: Cluster) -> None:
    uuid = submit(cluster.http, "true")
    wait_final(cluster.http, uuid)

    resp = cluster.http.delete(f"/slave/s1/killtask/{uuid}")

    assert resp.status_code == 409
    assert resp.json()["stat"] is False


def test_kill_of_an_unknown_task_is_not_found(cluster: Cluster) -> None:
    resp = cluster.http.delete("/slave/s1/killtask/nosuchtask")

    assert resp.status_code == 404
    assert resp.json()["stat"] is False
