"""Crontabs with real processes: per-second schedules fire once each, stop and resume at once,
share a mutex without overlap, survive a master kill, and refuse bad input."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import grpc
import pytest

from jobfleet.v1 import catalog_pb2, crontab_pb2, crontab_pb2_grpc
from tests.integration import crontabs
from tests.integration.conftest import Cluster, Gateway, Master, Proc
from tests.integration.crontabs import fires, seconds, unix, wait_fires
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import refusal, wait_final
from tests.waiting import wait_until


def assert_contiguous(found: list[dict[str, str]]) -> None:
    """Every second from the first fire to the last is accounted for exactly once."""
    for before, after in zip(found, found[1:], strict=False):
        assert unix(after["time"]) == unix(before["through"]) + 1, (before, after)


def test_a_per_second_crontab_starts_one_task_per_fire(cluster: Cluster) -> None:
    http = cluster.http
    job = create_job(http, "tick", [cmd("tick", "true")])
    crontab = crontabs.create(http, "every second", job)

    wait_fires(http, crontab, 4)
    crontabs.set_status(http, crontab, "unavailable")
    found = fires(http, crontab)

    assert_contiguous(found)
    assert {f["outcome"] for f in found} == {"started"}
    uuids = [f["taskuuid"] for f in found]
    assert len(set(uuids)) == len(uuids)
    assert all(wait_final(http, u)["status"] == "success" for u in uuids)
    listed = http.get("/task/1", params={"limit": 100}).json()["data"]
    assert {t["uuid"] for t in listed} == set(uuids)
    assert {t["calltype"] for t in listed} == {"crontab"}
    tasks = crontabs.tasks(cluster.master, uuids)
    assert {t.crontab_id for t in tasks} == {crontab}
    lateness = [seconds(t.created_at) - unix(f["time"]) for t, f in zip(tasks, found, strict=True)]
    assert max(lateness) < 2, lateness


def test_unavailable_stops_it_at_once_and_available_resumes_it(cluster: Cluster) -> None:
    http = cluster.http
    crontab = crontabs.create(http, "pausable", create_job(http, "j", [cmd("s", "true")]))
    wait_fires(http, crontab, 2)

    stopped = crontabs.set_status(http, crontab, "unavailable")
    before = fires(http, crontab)

    assert stopped["nexttime"] == ""
    assert all(unix(f["time"]) <= unix(stopped["edit_time"]) for f in before)
    crontabs.stays(lambda: len(fires(http, crontab)) == len(before), seconds=2.5)

    resumed = crontabs.set_status(http, crontab, "available")
    after = wait_fires(http, crontab, len(before) + 2)[len(before) :]

    assert resumed["nexttime"] != ""
    assert all(unix(f["time"]) > unix(resumed["edit_time"]) for f in after)
    assert {f["outcome"] for f in after} == {"started"}  # the pause is not caught up


def test_crontabs_sharing_a_mutex_never_overlap_and_record_their_skips(cluster: Cluster) -> None:
    http = cluster.http
    job = create_job(http, "hold", [cmd("hold", "sleep 3")])
    ids = [crontabs.create(http, f"m{i}", job, mutex="nightly") for i in (1, 2)]

    def enough() -> bool:
        outcomes: list[str] = [f["outcome"] for c in ids for f in fires(http, c)]
        return outcomes.count("started") >= 2 and outcomes.count("skipped_mutex") >= 4

    wait_until(enough, 30, what="two mutex runs and four skips")
    for crontab in ids:
        crontabs.set_status(http, crontab, "unavailable")
    found = [f for c in ids for f in fires(http, c)]
    skipped = [f for f in found if f["outcome"] == "skipped_mutex"]
    uuids = [f["taskuuid"] for f in found if f["outcome"] == "started"]

    assert all("mutex 'nightly' is held by task " in f["reason"] for f in skipped)
    assert all(wait_final(http, u)["mutex"] == "nightly" for u in uuids)
    runs = sorted(
        (seconds(t.started_at), seconds(t.finished_at))
        for t in crontabs.tasks(cluster.master, uuids)
    )
    for (_, end), (start, _) in zip(runs, runs[1:], strict=False):
        assert start >= end, runs


def test_a_master_killed_mid_schedule_neither_loses_nor_doubles_a_fire(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = start_master()
    start_slave(master, "s1")
    with start_gateway(master).client() as http:
        crontab = crontabs.create(http, "steady", create_job(http, "j", [cmd("s", "true")]))
        wait_fires(http, crontab, 3)

        master.proc.popen.send_signal(signal.SIGKILL)
        master.proc.popen.wait()
        killed_at = time.time()
        start_master("--listen", master.addr, data_dir=master.data_dir, name="master-again")

        def resumed() -> bool:
            later: list[str] = [
                f["outcome"] for f in fires(http, crontab) if unix(f["time"]) > killed_at
            ]
            return later.count("started") >= 3

        wait_until(resumed, 30, what="three fires after the restart")
        crontabs.set_status(http, crontab, "unavailable")
        found = fires(http, crontab)
        uuids = [f["taskuuid"] for f in found if f["outcome"] == "started"]

        assert_contiguous(found)
        assert {f["outcome"] for f in found} <= {"started", "misfired"}
        assert len(set(uuids)) == len(uuids)
        # each claimed fire has its task (those that fired before the slave came back wait for
        # a decision, as any job task whose step fails)
        assert {t.call_type for t in crontabs.tasks(master, uuids)} == {"crontab"}


def test_two_masters_on_one_database_claim_each_fire_once(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    first = start_master()
    start_slave(first, "s1")
    with start_gateway(first).client() as http:
        crontab = crontabs.create(http, "shared", create_job(http, "j", [cmd("s", "true")]))
        start_master(data_dir=first.data_dir, name="second-master")  # loads it at start
        wait_fires(http, crontab, 8)
        crontabs.set_status(http, crontab, "unavailable")
        found = fires(http, crontab)
        uuids = [f["taskuuid"] for f in found if f["outcome"] == "started"]

        assert_contiguous(found)
        assert len(set(uuids)) == len(uuids)
        # the second master's tasks fail at once (s1 is attached to the first): still one each
        assert {t.crontab_id for t in crontabs.tasks(first, uuids)} == {crontab}


BAD = [
    ({"cron": "61 * * * *"}, 400, "cron: not a usable cron expression: '61 * * * *'"),
    ({"cron": "@reboot"}, 400, "cron: not a usable cron expression: '@reboot'"),
    ({"timezone": "Mars/Olympus"}, 400, "timezone: unknown time zone 'Mars/Olympus'"),
    ({"jobuuid": "nosuchjob"}, 404, "jobuuid: job 'nosuchjob' not found"),
    ({"misfire": "sometimes"}, 400, "misfire: unsupported value 'sometimes'"),
]


def test_bad_cron_zone_or_job_is_refused_and_nothing_is_stored(cluster: Cluster) -> None:
    http = cluster.http
    job = create_job(http, "j", [cmd("s", "true")])
    good = crontabs.create(http, "good", job, cron="0 9 * * *", timezone="Asia/Kolkata")

    for change, status, named in BAD:
        body = {"name": "bad", "jobuuid": job, "cron": "0 9 * * *", **change}
        for resp in (
            http.post("/crontab/1", json=body),
            http.post(f"/crontab/1/{good}", json=body),
        ):
            refusal(resp, status, named)

    assert http.get("/crontab/1/count").json()["data"] == {"available": 1, "unavailable": 0}
    row = crontabs.get(http, good)
    assert (row["name"], row["cron"], row["timezone"]) == ("good", "0 9 * * *", "Asia/Kolkata")
    assert row["nexttime"].endswith(" 03:30:00")  # 09:00 in India is 03:30 UTC
    assert row["fires"] == []


def test_crontabs_over_grpc(cluster: Cluster) -> None:
    job = create_job(cluster.http, "j", [cmd("s", "true")])
    with cluster.master.channel() as channel:
        stub = crontab_pb2_grpc.CrontabServiceStub(channel)
        made = stub.CreateCrontab(
            crontab_pb2.CreateCrontabRequest(
                project_id=1,
                name="nightly backup",
                job_uuid=job,
                cron="30 2 * * *",
                time_zone="Europe/Berlin",
                misfire_policy=crontab_pb2.MISFIRE_POLICY_RUN_ONCE,
                actor="ops",
            ),
            timeout=10,
        ).crontab
        with pytest.raises(grpc.RpcError) as refused:
            stub.CreateCrontab(
                crontab_pb2.CreateCrontabRequest(
                    project_id=1, name="x", job_uuid=job, cron="1 2 3"
                ),
                timeout=10,
            )
        listed = stub.ListCrontabs(
            crontab_pb2.ListCrontabsRequest(
                project_id=1, filter=catalog_pb2.ListFilter(name_contains="backup")
            ),
            timeout=10,
        )
        stub.DeleteCrontab(crontab_pb2.DeleteCrontabRequest(project_id=1, id=made.id), timeout=10)
        with pytest.raises(grpc.RpcError) as gone:
            stub.GetCrontab(crontab_pb2.GetCrontabRequest(project_id=1, id=made.id), timeout=10)

    assert (made.job_name, made.misfire_policy, made.misfire_grace_seconds) == (
        "j",
        crontab_pb2.MISFIRE_POLICY_RUN_ONCE,
        300,
    )
    assert made.status == crontab_pb2.CRONTAB_STATUS_AVAILABLE
    assert made.HasField("next_fire_time") and made.audit.create_user == "ops"
    assert crontabs.grpc_code(refused.value) == grpc.StatusCode.INVALID_ARGUMENT
    assert ("jobfleet-field", "cron") in refused.value.trailing_metadata()
    assert [c.id for c in listed.crontabs] == [made.id] and listed.total == 1
    assert crontabs.grpc_code(gone.value) == grpc.StatusCode.NOT_FOUND
