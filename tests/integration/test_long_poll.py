"""Watching a task costs no polling: GetTask and GET /task/{projectid}/{uuid} wait for the task
to differ from the state the client last saw (its etag), answering at once when it already
does, as soon as it changes, else at the end of the wait with the task unchanged. A task polled
while unchanged is answered from memory: every change still shows at the next poll."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import httpx
import pytest

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration.conftest import Master, Services
from tests.integration.rest import refusal, submit
from tests.waiting import wait_until

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


def paused_job(catalog: catalog_pb2_grpc.CatalogServiceStub) -> catalog_pb2.Job:
    """A job whose first step pauses for a decision once run."""
    nodes = common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="s1")
    shell = common_pb2.SCRIPT_TYPE_SHELL
    steps = [
        common_pb2.Step(
            name=name,
            pause=pause,
            cmd=common_pb2.CmdStep(nodes=nodes, script_type=shell, script=f"echo {name}"),
        )
        for name, pause in (("a", "look"), ("b", ""))
    ]
    ask = catalog_pb2.CreateJobRequest(project_id=1, name="polled", steps=steps, actor="t")
    job: catalog_pb2.Job = catalog.CreateJob(ask, timeout=10).job
    return job


def test_a_polled_task_shows_a_note_a_decision_its_end_and_its_deletion_at_the_next_poll(
    watched: Watched,
) -> None:
    with watched.master.channel() as channel:
        tasks = task_pb2_grpc.TaskServiceStub(channel)
        job = paused_job(catalog_pb2_grpc.CatalogServiceStub(channel))
        ask = task_pb2.SubmitJobRequest(project_id=1, job_uuid=job.uuid)
        task = tasks.SubmitJob(ask, timeout=10).task
        seen: list[task_pb2.GetTaskResponse] = []

        def poll() -> task_pb2.GetTaskResponse:
            answer: task_pb2.GetTaskResponse = tasks.GetTask(
                task_pb2.GetTaskRequest(project_id=1, uuid=task.uuid), timeout=10
            )
            seen.append(answer)
            return answer

        waiting = common_pb2.TASK_STATUS_WAITING

        def waits() -> task_pb2.GetTaskResponse | None:
            answer = poll()
            return answer if answer.task.status == waiting else None

        paused = wait_until(waits, what="paused")
        unchanged = [poll() for _ in range(20)]  # answered from memory
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a page long-polling meanwhile
            woken = pool.submit(
                timed, lambda: get(watched.http, task.uuid, wait=50, etag=paused.etag)
            )
            note = task_pb2.AddTaskNoteRequest(project_id=1, task_id=task.id, text="seen")
            tasks.AddTaskNote(note, timeout=10)
            noted = poll()
            (long_polled, _), waited = woken.result(timeout=90)
        control = task_pb2.ControlSubtaskRequest(
            project_id=1,
            task_uuid=task.uuid,
            subtask_uuid=job.steps[0].uuid,
            control=task_pb2.SUBTASK_CONTROL_NEXT,
        )
        tasks.ControlSubtask(control, timeout=10)
        decided = poll()
        for _ in tasks.FollowTask(task_pb2.FollowTaskRequest(project_id=1, uuid=task.uuid)):
            pass  # its last message: the task ended
        ended = poll()
        tasks.DeleteTasks(task_pb2.DeleteTasksRequest(project_id=1, ids=[task.id]), timeout=10)
        with pytest.raises(grpc.RpcError) as gone:
            poll()

    assert {a.etag for a in unchanged} == {paused.etag} and paused.task.note_count == 0
    assert (noted.task.note_count, noted.task.status) == (1, waiting)
    assert (long_polled["etag"], waited < 10) == (noted.etag, True)
    assert paused.task.subtasks[0].pause == "look" and decided.task.subtasks[0].pause == ""
    assert decided.task.status != waiting
    assert ended.task.status == common_pb2.TASK_STATUS_SUCCESS
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    runs = [e for i, e in enumerate(a.etag for a in seen) if i == 0 or seen[i - 1].etag != e]
    assert len(runs) == len(set(runs))  # a state once left is never shown again


def test_a_task_polled_by_its_project_stays_hidden_from_another_projects_token(
    watched: Watched,
) -> None:
    uuid = submit(watched.http, "true")
    other = watched.master.create_project("polled-other")
    reply = watched.http.post(f"/token/{other}", json={"describe": "other"})
    theirs = str(reply.json()["data"]["token"])
    with watched.master.channel() as channel:
        admin = task_pb2_grpc.TaskServiceStub(channel)
        ours = [
            admin.GetTask(task_pb2.GetTaskRequest(project_id=1, uuid=uuid), timeout=10).task
            for _ in range(3)
        ]
        by_id = task_pb2.GetTaskRequest(id=ours[0].id)
        ours += [admin.GetTask(by_id, timeout=10).task for _ in range(3)]
    codes = []
    with watched.master.channel(token=theirs) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        for ask in (
            task_pb2.GetTaskRequest(project_id=other, uuid=uuid),
            task_pb2.GetTaskRequest(project_id=other, id=ours[0].id),
            task_pb2.GetTaskRequest(id=ours[0].id),
            task_pb2.GetTaskRequest(project_id=1, uuid=uuid),
        ):
            with pytest.raises(grpc.RpcError) as err:
                stub.GetTask(ask, timeout=10)
            codes.append(err.value.code())
    scoped = {"Authorization": f"Token {theirs}"}
    with httpx.Client(base_url=str(watched.http.base_url), headers=scoped) as http:
        unseen = http.get(f"/task/{other}/{uuid}").json()

    assert {t.uuid for t in ours} == {uuid} and ours[0].project_id == 1
    assert codes == [grpc.StatusCode.NOT_FOUND] * 3 + [grpc.StatusCode.PERMISSION_DENIED]
    assert unseen["data"] == {"status": "norun"}
