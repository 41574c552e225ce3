"""OpsGrat's `/api/job/log/` (job-log-api.txt) as a client sees it: runs started through
OpenC3's door show one output row per node, every line labelled with its node; notes are
posted, listed, changed and deleted (`pk` and `pk[]`); output rows are never changed; paging
reads like DRF's; bad input is named and changes nothing; another project's token finds none
of it. One master, two slaves (s1, s2) and a gateway for the module."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from jobfleet.v1 import task_pb2, task_pb2_grpc
from tests.integration.conftest import Gateway, Master, Services
from tests.integration.rest import FINAL, submit, task
from tests.waiting import wait_until

LOGS = "/api/job/log/"
# Pauses longer than a slave's flush interval (50 ms): each line comes as a chunk of its own,
# in order, whichever stream it was written to.
SCRIPT = "echo out-1; sleep 0.3; echo err-1 >&2; sleep 0.3; echo out-2"
NEVER_REWRITTEN = "machine output is never rewritten; POST a note"


@dataclass(frozen=True)
class Runs:
    master: Master
    gateway: Gateway
    one: str  # project 1's token
    two: str  # project 2's token
    both: int  # a run of project 1 on s1 and s2
    single: int  # a run of project 1 on s1
    theirs: int  # a run of project 2 on s1
    started: int  # unix seconds before the runs

    def client(self, token: str = "") -> httpx.Client:
        return self.gateway.client(token or self.one)


def run(http: httpx.Client, script: str, nodes: str, project: int = 1) -> int:
    """A run started through OpenC3's door, once ended: its numeric id."""
    uuid = submit(http, script, nodes, project)

    def ended() -> dict[str, Any] | None:
        row = task(http, uuid, project)
        return row if row["status"] in FINAL else None

    ended_row = wait_until(ended, 60, what=f"run {uuid} ended")
    assert ended_row["status"] == "success", ended_row
    return int(ended_row["id"])


def token(http: httpx.Client, project: int) -> str:
    reply = http.post(f"/token/{project}", json={"describe": "opsgrat"})
    assert reply.json()["stat"] is True, reply.text
    return str(reply.json()["data"]["token"])


@pytest.fixture(scope="module")
def runs(module_services: Services) -> Iterator[Runs]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    module_services.start_slave(master, "s2")
    gateway = module_services.start_gateway(master)
    started = int(time.time()) - 1
    other = master.create_project("second")
    with gateway.client() as admin:
        both = run(admin, SCRIPT, "s1,s2")
        single = run(admin, "echo single", "s1")
        theirs = run(admin, "echo secret-of-two", "s1", other)
        yield Runs(
            master, gateway, token(admin, 1), token(admin, other), both, single, theirs, started
        )


def rows(http: httpx.Client, **query: Any) -> dict[str, Any]:
    reply = http.get(LOGS, params=query)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def post_note(http: httpx.Client, job: int, text: str) -> dict[str, Any]:
    reply = http.post(LOGS, json={"job": job, "log": text})
    assert reply.status_code == 201, reply.text
    row: dict[str, Any] = reply.json()
    return row


def note_count(master: Master, task_id: int) -> tuple[int, int]:
    """The run's note count as the master answers it alone and in a list."""
    with master.channel() as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        one = stub.GetTask(task_pb2.GetTaskRequest(project_id=1, id=task_id), timeout=10).task
        listed = stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10).tasks
    return one.note_count, next(t.note_count for t in listed if t.id == task_id)


def test_a_runs_output_is_one_row_per_node_its_lines_labelled(runs: Runs) -> None:
    with runs.client() as http:
        listed = rows(http, job=runs.both, ordering="id")
        whole = [http.get(f"{LOGS}{row['id']}/").json() for row in listed["results"]]

    assert listed["count"] == 2
    results = listed["results"]
    assert [(r["node"], r["job"], r["note"], r["author"]) for r in results] == [
        ("s1", runs.both, False, ""),
        ("s2", runs.both, False, ""),
    ]
    for row in results:
        node = row["node"]
        assert row["log"] == f"[{node}] out-1\n[{node}] err-1\n[{node}] out-2\n"
        assert row["id"] % 2 == 0 and not row["truncated"]
        assert runs.started <= row["ctime"] <= time.time()
    assert whole == results


def test_pages_read_like_drf_and_the_job_filter_keeps_one_run(runs: Runs) -> None:
    with runs.client() as http:
        everything = rows(http, ordering="id", limit=1000)
        ids = [r["id"] for r in everything["results"]]
        first = rows(http, ordering="id", limit=2)
        middle = rows(http, ordering="id", limit=2, offset=1)
        last = http.get(str(first["next"])).json()
        newest = rows(http)
        by_job = rows(http, ordering="-job,ctime")
        single = rows(http, job=runs.single)
        theirs = rows(http, job=runs.theirs)

    count = everything["count"]
    assert count == len(ids) >= 3 and ids == sorted(ids)
    assert [r["id"] for r in first["results"]] == ids[:2] and first["previous"] is None
    base = f"{runs.gateway.url}{LOGS}?ordering=id&limit=2"
    assert first["next"] == f"{base}&offset=2"
    assert [r["id"] for r in middle["results"]] == ids[1:3]
    assert middle["previous"] == base  # DRF drops `offset` on the way back to the first page
    assert [r["id"] for r in last["results"]] == ids[2:4]
    assert last["previous"] == base
    assert (last["next"] is None) == (count <= 4)
    assert [r["id"] for r in newest["results"]] == sorted(ids, reverse=True)[:20]
    jobs = [r["job"] for r in by_job["results"]]
    assert jobs == sorted(jobs, reverse=True)
    assert [(r["node"], r["log"]) for r in single["results"]] == [("s1", "[s1] single\n")]
    assert theirs == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_note_is_posted_listed_and_changed_by_put_and_patch(runs: Runs) -> None:
    before = note_count(runs.master, runs.both)
    with runs.client() as http:
        reply = http.post(LOGS, json={"job": runs.both, "log": "\nfixed main.yml\n", "ctime": 1})
        posted = reply.json()
        listed = rows(http, job=runs.both)["results"]
        counted = note_count(runs.master, runs.both)
        put = http.put(f"{LOGS}{posted['id']}/", data={"log": "fixed main.yml, ran again"})
        patched = http.patch(f"{LOGS}{posted['id']}/", json={"job": runs.single})
        shown = http.get(f"{LOGS}{posted['id']}/").json()
        moved = rows(http, job=runs.single)["results"]

    assert reply.status_code == 201
    assert (posted["job"], posted["log"], posted["note"], posted["node"]) == (
        runs.both,
        "\nfixed main.yml\n",
        True,
        "",
    )
    assert posted["id"] % 2 == 1 and posted["ctime"] >= runs.started  # the server's time
    assert posted["author"] == "api"
    assert posted in listed
    assert counted == (before[0] + 1, before[1] + 1)
    assert (put.status_code, put.json()["log"]) == (200, "fixed main.yml, ran again")
    assert (patched.status_code, patched.json()["job"]) == (200, runs.single)
    assert shown == {**posted, "job": runs.single, "log": "fixed main.yml, ran again"}
    assert posted["id"] in [r["id"] for r in moved]
    assert note_count(runs.master, runs.both) == before


def test_output_rows_are_never_changed_nor_deleted(runs: Runs) -> None:
    with runs.client() as http:
        output = rows(http, job=runs.both, ordering="id")["results"][0]
        note = post_note(http, runs.both, "kept")
        at = f"{LOGS}{output['id']}/"
        refused = [
            http.put(at, json={"log": "forged"}),
            http.patch(at, data={"log": "forged", "job": str(runs.single)}),
            http.delete(at),
            http.request("DELETE", LOGS, json={"pk": f"{note['id']},{output['id']}"}),
        ]
        after = http.get(at).json()
        still = http.get(f"{LOGS}{note['id']}/")

    assert [r.status_code for r in refused] == [409, 409, 409, 409]
    assert all(NEVER_REWRITTEN in r.json()["detail"] for r in refused[:2])
    assert refused[2].json()["detail"].startswith("id: ")
    assert refused[3].json()["detail"].startswith("pk: ")
    assert "deleting their run removes it" in refused[3].json()["detail"]
    assert after == output
    assert still.status_code == 200


def test_notes_are_deleted_in_bulk_with_pk_or_pk_brackets_all_or_none(runs: Runs) -> None:
    with runs.client() as http:
        a, b, c, d = (post_note(http, runs.single, f"note {n}")["id"] for n in "abcd")
        unknown = http.request("DELETE", LOGS, json={"pk": f"{a},{b + 2000000}"})
        after_unknown = http.get(f"{LOGS}{a}/").status_code
        by_pk = http.request("DELETE", LOGS, json={"pk": f"{a},{b}"})
        by_brackets = http.request(
            "DELETE",
            LOGS,
            content=f"pk[]={c}&pk[]={d}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        gone = [http.get(f"{LOGS}{i}/").status_code for i in (a, b, c, d)]
        again = http.delete(f"{LOGS}{a}/")

    assert (unknown.status_code, after_unknown) == (404, 200)
    assert unknown.json()["detail"].startswith("pk: ")
    assert (by_pk.status_code, by_brackets.status_code) == (204, 204)
    assert gone == [404] * 4
    assert again.status_code == 404


def test_bad_input_is_named_and_changes_nothing(runs: Runs) -> None:
    with runs.client() as http:
        note = post_note(http, runs.single, "as it was")
        before = rows(http, limit=1000)
        at = f"{LOGS}{note['id']}/"
        answers = [
            ("job", http.post(LOGS, json={"log": "no run"})),
            ("log", http.post(LOGS, data={"job": str(runs.single), "log": "  "})),
            ("job", http.post(LOGS, json={"job": runs.theirs + 1000, "log": "x"})),
            ("ordering", http.get(LOGS, params={"ordering": "name"})),
            ("limit", http.get(LOGS, params={"limit": "0"})),
            ("job", http.get(LOGS, params={"job": "x"})),
            ("log", http.patch(at, json={"log": ""})),
            ("job", http.put(at, json={"job": 0, "log": "x"})),
            ("pk", http.request("DELETE", LOGS, json={"pk": f"{note['id']},x"})),
            ("pk[]", http.request("DELETE", LOGS, json={"pk[]": [note["id"], -1]})),
        ]
        after = rows(http, limit=1000)
        kept = http.get(at).json()

    for field, reply in answers:
        assert reply.status_code == 400, (field, reply.text)
        assert list(reply.json()) == [field], reply.text
        assert reply.headers["X-Jobfleet-Status"] == "400"
    assert after == before
    assert kept == note


def test_another_projects_token_finds_none_of_it(runs: Runs) -> None:
    with runs.client() as mine:
        note = post_note(mine, runs.both, "project one's")
        output = next(r for r in rows(mine, job=runs.both)["results"] if not r["note"])
        before = rows(mine, limit=1000)
    with runs.client(runs.two) as theirs:
        listed = rows(theirs, limit=1000)
        filtered = rows(theirs, job=runs.both)
        probes = [
            theirs.get(f"{LOGS}{note['id']}/"),
            theirs.get(f"{LOGS}{output['id']}/"),
            theirs.put(f"{LOGS}{note['id']}/", json={"log": "hijacked"}),
            theirs.patch(f"{LOGS}{output['id']}/", json={"log": "hijacked"}),
            theirs.delete(f"{LOGS}{note['id']}/"),
            theirs.request("DELETE", LOGS, json={"pk[]": [note["id"]]}),
        ]
        into = theirs.post(LOGS, json={"job": runs.both, "log": "planted"})
    with runs.client() as mine:
        after = rows(mine, limit=1000)

    assert [r["job"] for r in listed["results"]] == [runs.theirs]
    assert listed["results"][0]["log"] == "[s1] secret-of-two\n"
    assert filtered["count"] == 0
    assert [p.status_code for p in probes] == [404] * 6
    assert [next(iter(p.json())) for p in probes] == ["detail"] * 6
    assert (into.status_code, list(into.json())) == (400, ["job"])
    assert after == before


def test_a_long_log_is_cut_in_lists_and_whole_at_its_own_url(runs: Runs) -> None:
    with runs.client() as http:
        long_run = run(http, "seq 1 60000", "s2")  # 348,894 bytes
        [listed] = rows(http, job=long_run)["results"]
        [alone] = rows(http, job=long_run, limit=1)["results"]
        whole = http.get(f"{LOGS}{listed['id']}/").json()

    lines = [f"[s2] {n}\n" for n in range(1, 60001)]
    shown = [len(r["log"].replace("[s2] ", "").encode()) for r in (listed, alone)]
    assert shown == [(2 << 20) // 20, 256 << 10]  # a page of 20 rows shares 2 MiB
    assert listed["truncated"] is alone["truncated"] is True
    assert "".join(lines).startswith(alone["log"])
    assert (whole["log"], whole["truncated"]) == ("".join(lines), False)
