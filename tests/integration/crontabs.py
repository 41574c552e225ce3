"""REST helpers for crontabs: create, switch, read their fires; precise task times over gRPC."""

from __future__ import annotations

import calendar
import time
from typing import Any

import grpc
import httpx

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Master
from tests.waiting import wait_until

EVERY_SECOND = "* * * * * *"


def create(
    http: httpx.Client,
    name: str,
    job: str,
    cron: str = EVERY_SECOND,
    start: bool = True,
    **extra: Any,
) -> int:
    """A new crontab (created unavailable, as OpenC3's), set available when `start`."""
    resp = http.post("/crontab/1", json={"name": name, "jobuuid": job, "cron": cron, **extra})
    assert resp.status_code == 200, resp.text
    made = resp.json()["data"]
    assert made["status"] == "unavailable", made
    if start:
        set_status(http, int(made["id"]), "available")
    return int(made["id"])


def get(http: httpx.Client, crontab_id: int, fires: int = 100) -> dict[str, Any]:
    resp = http.get(f"/crontab/1/{crontab_id}", params={"fires": fires})
    assert resp.status_code == 200, resp.text
    row: dict[str, Any] = resp.json()["data"]
    return row


def set_status(http: httpx.Client, crontab_id: int, status: str) -> dict[str, Any]:
    resp = http.post(f"/crontab/1/{crontab_id}/status", json={"status": status})
    assert resp.status_code == 200, resp.text
    row: dict[str, Any] = resp.json()["data"]
    return row


def fires(http: httpx.Client, crontab_id: int) -> list[dict[str, Any]]:
    """Its fires, oldest first."""
    return list(reversed(get(http, crontab_id)["fires"]))


def started(http: httpx.Client, crontab_id: int) -> list[dict[str, Any]]:
    return [f for f in fires(http, crontab_id) if f["outcome"] == "started"]


def wait_fires(
    http: httpx.Client, crontab_id: int, count: int, outcome: str = "started", timeout: float = 20
) -> list[dict[str, Any]]:
    """Wait until the crontab has `count` fires with that outcome; all its fires, oldest first."""

    def enough() -> list[dict[str, Any]] | None:
        found = fires(http, crontab_id)
        return found if sum(f["outcome"] == outcome for f in found) >= count else None

    return wait_until(enough, timeout, what=f"{count} {outcome} fire(s) of crontab {crontab_id}")


def stays(check: Any, seconds: float, interval: float = 0.2) -> None:
    """Assert `check()` holds at every poll for `seconds` (for "nothing happens" claims)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert check()
        time.sleep(interval)


def unix(text: str) -> int:
    """A `YYYY-MM-DD HH:MM:SS` UTC time from a row, as unix seconds."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


def tasks(master: Master, uuids: list[str]) -> list[common_pb2.Task]:
    """The tasks as gRPC GetTask answers them (times to the microsecond, crontab_id)."""
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        return [stub.GetTask(task_pb2.GetTaskRequest(uuid=u), timeout=10).task for u in uuids]


def seconds(stamp: Any) -> float:
    return float(stamp.ToNanoseconds()) / 1e9


def grpc_code(exc: grpc.RpcError) -> grpc.StatusCode:
    code: grpc.StatusCode = exc.code()
    return code
