"""Watching a task costs no polling: GetTask and GET /task/{projectid}/{uuid} wait for the task
to differ from the state the client last saw (its etag), answering at once when it already
does, as soon as it changes, else at the end of the wait with the task unchanged."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import httpx
import pytest

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Master, Services
from tests.integration.rest import refusal, submit

T = TypeVar("T")


@dataclass(frozen=True)
class Watched:
    """The module's master (with slave s1), an admin REST client, and project 1's token."""

    master: Master
    http: httpx.Client
    project_one: str


@pytest.fixture(scope="module")
def watched(module_services: Services) -> Iterator[Watched]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    with gateway.client() as http:
        reply = http.post("/token/1", json={"describe": "watcher"})
        assert reply.status_code == 200, reply.text
        yield Watched(master, http, str(reply.json()["data"]["token"]))


def timed(call: Callable[[], T]) -> tuple[T, float]:
    began = time.monotonic()
    answer = call()
    return answer, time.monotonic() - began


def get(http: httpx.Client, uuid: str, **query: Any) -> tuple[dict[str, Any], str]:
    """GET /task/1/<uuid> with the query: its data, and its ETag header."""
    reply = http.get(f"/task/1/{uuid}", params=query, timeout=90)
    assert reply.status_code == 200 and reply.json()["stat"] is True, reply.text
    return reply.json()["data"], reply.headers.get("etag", "")


def test_grpc_get_task_waits_for_the_finish_answers_stale_at_once_else_at_the_deadline(
    watched: Watched,
) -> None:
    uuid = submit(watched.http, "sleep 2")
    with watched.master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)

        def ask(wait: int, seen: str) -> task_pb2.GetTaskResponse:
            request = task_pb2.GetTaskRequest(uuid=uuid, wait_seconds=wait, seen_etag=seen)
            answer: task_pb2.GetTaskResponse = stub.GetTask(request, timeout=90)
            return answer

        first = ask(0, "")
        done, waited = timed(lambda: ask(50, first.etag))
        while done.task.status != common_pb2.TASK_STATUS_SUCCESS:  # started, then finished
            done, more = timed(lambda: ask(50, done.etag))
            waited += more
        stale, at_once = timed(lambda: ask(50, first.etag))
        same, deadline = timed(lambda: ask(2, done.etag))

    assert first.task.status in (common_pb2.TASK_STATUS_RUNNING, common_pb2.TASK_STATUS_INIT)
    assert first.etag and done.etag != first.etag
    assert 0.5 < waited < 20  # woken by the finish, long before its 50 s
    assert (stale.etag, stale.task.status, at_once < 2) == (done.etag, done.task.status, True)
    assert (same.etag, same.task) == (done.etag, done.task) and 2 <= deadline < 10


def test_rest_long_poll_answers_the_change_with_its_etag_and_waits_out_an_unchanged_task(
    watched: Watched,
) -> None:
    uuid = submit(watched.http, "sleep 2")
    first, header = get(watched.http, uuid)
    done, waited = timed(lambda: get(watched.http, uuid, wait=50, etag=first["etag"]))
    while done[0]["status"] != "success":
        done, more = timed(lambda: get(watched.http, uuid, wait=50, etag=done[0]["etag"]))
        waited += more
    stale, at_once = timed(lambda: get(watched.http, uuid, wait=50, etag=first["etag"]))
    same, deadline = timed(lambda: get(watched.http, uuid, wait=2, etag=done[0]["etag"]))
    run = f"/api/job/job/{done[0]['id']}/"  # OpsGrat's view of the same task
    ops, ops_deadline = timed(lambda: watched.http.get(run, params={"wait": 2, "etag": done[1]}))

    assert header == f'"{first["etag"]}"' and done[1] == f'"{done[0]["etag"]}"'
    assert 0.5 < waited < 20 and done[0]["etag"] != first["etag"]
    assert stale[0]["etag"] == done[0]["etag"] and at_once < 2
    assert same[0]["etag"] == done[0]["etag"] and 2 <= deadline < 10
    assert ops.status_code == 200 and ops.headers["etag"] == done[1] and 2 <= ops_deadline < 10


def test_a_bad_wait_is_refused_and_another_projects_task_is_not_found_at_once(
    watched: Watched,
) -> None:
    uuid = submit(watched.http, "true")
    other = watched.master.create_project("watched-other")
    theirs = submit(watched.http, "true", project=other)
    ours = watched.http.get(f"/task/1/{uuid}").json()["data"]["etag"]
    with watched.master.channel(token=watched.project_one) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        refused = []
        for wait in (61, -1):
            with pytest.raises(grpc.RpcError) as err:
                stub.GetTask(
                    task_pb2.GetTaskRequest(project_id=1, uuid=uuid, wait_seconds=wait), timeout=10
                )
            refused.append(err.value)
        ask = task_pb2.GetTaskRequest(project_id=1, uuid=theirs, wait_seconds=30, seen_etag=ours)
        with pytest.raises(grpc.RpcError) as err:
            timed(lambda: stub.GetTask(ask, timeout=10))
        hidden = err.value
    scoped = {"Authorization": f"Token {watched.project_one}"}
    with httpx.Client(base_url=str(watched.http.base_url), headers=scoped) as http:
        (unseen, _), at_once = timed(lambda: get(http, theirs, wait=30, etag=ours))
        bad = [http.get(f"/task/1/{uuid}", params={"wait": w}) for w in ("61", "soon")]
        run = f"/api/job/job/{http.get(f'/task/1/{uuid}').json()['data']['id']}/"
        bad.append(http.get(run, params={"wait": "-1"}))

    assert [e.code() for e in refused] == [grpc.StatusCode.INVALID_ARGUMENT] * 2
    assert all("wait_seconds" in e.details() for e in refused)
    assert hidden.code() == grpc.StatusCode.NOT_FOUND
    assert (unseen, at_once < 5) == ({"status": "norun"}, True)
    for reply in bad:
        refusal(reply, 400, "wait")
