"""OpsGrat's `/api/job/job/` (job-task-api.txt) on a real master, two slaves and a gateway: runs
listed a page at a time (DRF's `{count, next, previous, results}`), filtered and ordered;
launched from a template or ad hoc, running for real and seen through OpenC3's routes too;
history that PUT and PATCH do not rewrite; deletes all or none; bad input refused naming the
field with nothing changed; another project's token seeing none of it.

One module-scoped set of services: project 1 (its token `one`) holds the catalogue, project 2
(its token `two`) one run of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc
from tests.integration import crontabs, snapshot
from tests.integration.conftest import Gateway, Master, Services
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import tasklog
from tests.waiting import wait_until

RUNS = "/api/job/job/"
ENDED = {"successful", "failed"}
LASTING = {
    **{
        table: f'SELECT * FROM "{table}"'
        for table in ("project", "job", "node", "node_group", "account", "variable", "token")
    },
    "task": "SELECT id, project_id, uuid, job_id, nodegroup_id, account_id, options FROM task",
    "subtask": "SELECT id, task_id, spec FROM subtask",
    "execution": "SELECT id, task_id, node FROM execution",
    "log_chunk": "SELECT execution_id, seq FROM log_chunk",
}
"""What only a request changes: the engine changes a running task's status and times, the
slaves' heartbeats their rows."""


@dataclass(frozen=True)
class Fleet:
    master: Master
    gateway: Gateway
    admin: httpx.Client
    one: httpx.Client
    two: httpx.Client
    one_token_id: int
    two_token: str
    ids: dict[str, int]
    """Project 1's job `greet`, group `both` (s1, s2), account `root`; project 2's id."""
    scratch: Path

    def run(self, http: httpx.Client | None = None, **fields: Any) -> dict[str, Any]:
        """Launch a run (project 1's token by default): its row, answered 201."""
        reply = (http or self.one).post(RUNS, json=fields)
        assert reply.status_code == 201, reply.text
        row: dict[str, Any] = reply.json()
        return row

    def row(self, run_id: int, http: httpx.Client | None = None) -> dict[str, Any]:
        reply = (http or self.one).get(f"{RUNS}{run_id}/")
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    def ended(self, run_id: int, http: httpx.Client | None = None) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            row = self.row(run_id, http)
            return row if row["state"] in ENDED else None

        return wait_until(done, 60, what=f"run {run_id} ended")

    def lasting(self) -> dict[str, list[str]]:
        """What only a request changes (`LASTING`)."""
        db_url = self.master.args[self.master.args.index("--db") + 1]
        return snapshot.selected(db_url, LASTING)


def made(reply: httpx.Response) -> Any:
    """The `data` of an OpenC3 route's answer (the catalogue is set up through them)."""
    assert reply.status_code == 200 and reply.json()["stat"] is True, reply.text
    return reply.json()["data"]


@pytest.fixture(scope="module")
def fleet(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    master = module_services.start_master()
    for name in ("s1", "s2"):
        module_services.start_slave(master, name)
    gateway = module_services.start_gateway(master)
    second = master.create_project("second")
    with gateway.client() as admin:
        one = made(admin.post("/token/1", json={"describe": "opsgrat"}))
        two = made(admin.post(f"/token/{second}", json={"describe": "other"}))
        ids = {
            "group": made(admin.post("/nodegroup/1", json={"name": "both", "params": "s1,s2"}))[
                "id"
            ],
            "account": made(admin.post("/userlist/1", json={"username": "root"}))["id"],
            "project2": second,
        }
        uuid = create_job(admin, "greet", [cmd("hi", "echo hello ${who} as $(id -un)")])
        made(admin.post("/variable/1", json={"jobuuid": uuid, "name": "who", "value": "all"}))
        ids["job"] = next(j["id"] for j in made(admin.get("/jobs/1")) if j["uuid"] == uuid)
        upload = admin.post("/fileserver/1", files={"file": ("notes.txt", b"copied by opsgrat\n")})
        made(upload)
        with (
            gateway.client(str(one["token"])) as one_http,
            gateway.client(str(two["token"])) as two_http,
        ):
            yield Fleet(
                master,
                gateway,
                admin,
                one_http,
                two_http,
                int(one["id"]),
                str(two["token"]),
                ids,
                tmp_path_factory.mktemp("copies"),
            )


def test_a_template_run_on_a_host_list_with_limit_and_credential_runs_and_reads_as_documented(
    fleet: Fleet,
) -> None:
    ids = fleet.ids
    row = fleet.run(
        template=ids["job"],
        inventory=ids["group"],
        limit="s2",
        credential=ids["account"],
        variables="who: world  # YAML, as OpsGrat's templates hold it\n",
        tags="web",
        verbosity=1,
        become_enabled=1,
        cuser=12345,  # ignored: the token says who
    )

    ended = fleet.ended(row["id"])
    assert row["state"] in ("running", "successful") and row["id"] == ended["id"]
    assert ended == {
        **ended,
        "template": ids["job"],
        "template_name": "greet",
        "inventory": ids["group"],
        "inventory_name": "both",
        "credential": ids["account"],
        "credential_name": "root",
        "user": f"token{fleet.one_token_id}@token",
        "cuser": fleet.one_token_id,
        "state": "successful",
        "state_name": "成功",
        "kind": "job",
        "kind_name": "自动化作业",
        "job_type": "run",
        "limit": "s2",
        "tags": "web",
        "verbosity": 1,
        "verbosity_name": "Verbose",
        "become_enabled": 1,
        "become_enabled_name": "是",
        "diff_mode_name": "否",
        "variables": "who: world  # YAML, as OpsGrat's templates hold it\n",
        "project": 1,
        "project_name": "default",
        "playbook": "greet",
        "job": None,
        "node": None,
        "schedule": None,
    }
    assert ended["start_time"] <= ended["finish_time"] and ended["ctime"] == ended["start_time"]
    # the same run through OpenC3's door: only s2 (the limit), as root (the credential)
    logs = tasklog(fleet.admin, ended["uuid"], "s2")
    assert set(logs) == {"s2"} and logs["s2"]["log"].strip() == "hello world as root"
    task = made(fleet.admin.get(f"/task/1/{ended['uuid']}"))
    assert task["status"] == "success"


def test_ad_hoc_shell_and_copy_run_on_the_hosts_given(fleet: Fleet) -> None:
    dest = fleet.scratch / "adhoc"
    dest.mkdir()
    shell = fleet.run(
        module="shell",
        arguments="echo adhoc ${word} on $(hostname -s) >/dev/null; echo adhoc ${word}",
        inventory_str="s1\ns2",
        variables={"word": "works"},
        credential=fleet.ids["account"],
    )
    copy = fleet.run(
        module="copy", arguments=f"src=notes.txt dest={dest}/ mode=0640", inventory_str="s1"
    )

    shell, copy = fleet.ended(shell["id"]), fleet.ended(copy["id"])

    assert (shell["state"], shell["kind"], shell["kind_name"], shell["template"]) == (
        "successful",
        "adhoc",
        "批量命令",
        None,
    )
    assert (shell["module"], shell["inventory_str"], shell["credential_name"]) == (
        "shell",
        "s1\ns2",
        "root",
    )
    logs = tasklog(fleet.admin, shell["uuid"])
    assert {node: row["log"].strip() for node, row in logs.items()} == {
        "s1": "adhoc works",
        "s2": "adhoc works",
    }
    assert copy["state"] == "successful", copy["reason"]
    assert (dest / "notes.txt").read_bytes() == b"copied by opsgrat\n"
    assert oct((dest / "notes.txt").stat().st_mode & 0o777) == "0o640"


def test_a_run_a_schedule_starts_is_listed_under_it(fleet: Fleet) -> None:
    job_uuid = next(j["uuid"] for j in made(fleet.admin.get("/jobs/1")) if j["name"] == "greet")
    crontab = crontabs.create(fleet.admin, "every second", job_uuid)
    crontabs.wait_fires(fleet.admin, crontab, 1)
    crontabs.set_status(fleet.admin, crontab, "unavailable")

    def all_ended() -> dict[str, Any] | None:
        found: dict[str, Any] = fleet.one.get(RUNS, params={"schedule": crontab}).json()
        return found if all(r["state"] in ENDED for r in found["results"]) else None

    listed = wait_until(all_ended, 60, what="the schedule's runs ended")

    assert listed["count"] >= 1
    assert {(r["schedule"], r["schedule_name"], r["template"]) for r in listed["results"]} == {
        (crontab, "every second", fleet.ids["job"])
    }
    # a POST naming the schedule runs its template now, as the caller's run
    now = fleet.run(schedule=crontab)
    assert (now["template"], now["schedule"], now["user"]) == (
        fleet.ids["job"],
        None,
        f"token{fleet.one_token_id}@token",
    )
    fleet.ended(now["id"])


def test_pages_ordering_and_filters(fleet: Fleet) -> None:
    fleet.ended(fleet.run(template=fleet.ids["job"], inventory_str="s1")["id"])
    everything = fleet.one.get(RUNS, params={"limit": 1000}).json()
    count, all_ids = everything["count"], [r["id"] for r in everything["results"]]
    assert count == len(all_ids) >= 4 and all_ids == sorted(all_ids, reverse=True)

    first = fleet.one.get(RUNS, params={"limit": 2}).json()
    second = httpx.get(first["next"], headers=fleet.one.headers).json()
    last = fleet.one.get(RUNS, params={"limit": 2, "offset": count - 1}).json()

    base = f"{fleet.gateway.url}{RUNS}"
    assert (first["count"], first["previous"]) == (count, None)
    assert first["next"] == f"{base}?limit=2&offset=2"
    assert second["previous"] == f"{base}?limit=2" and second["count"] == count
    assert [r["id"] for r in first["results"] + second["results"]] == all_ids[:4]
    assert last["next"] is None and [r["id"] for r in last["results"]] == all_ids[-1:]
    assert last["previous"] == f"{base}?limit=2&offset={count - 3}"

    def ids(**query: Any) -> list[int]:
        reply = fleet.one.get(RUNS, params={"limit": 1000, **query})
        assert reply.status_code == 200, reply.text
        return [r["id"] for r in reply.json()["results"]]

    assert ids(ordering="id") == sorted(all_ids)
    assert ids(ordering="-ctime,id") == all_ids
    assert ids(ordering="template,-id")[-1] in ids(template=fleet.ids["job"])
    rows = {r["id"]: r for r in everything["results"]}
    filters: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({"template": fleet.ids["job"]}, lambda r: r["template"] == fleet.ids["job"]),
        ({"inventory": fleet.ids["group"]}, lambda r: r["inventory"] == fleet.ids["group"]),
        ({"credential": fleet.ids["account"]}, lambda r: r["credential"] == fleet.ids["account"]),
        ({"state": "successful"}, lambda r: r["state"] == "successful"),
        ({"kind": "adhoc"}, lambda r: r["kind"] == "adhoc"),
        (
            {"kind": "job", "inventory": fleet.ids["group"]},
            lambda r: r["kind"] == "job" and r["inventory"] == fleet.ids["group"],
        ),
    ]
    for query, keep in filters:
        expected = [i for i in all_ids if keep(rows[i])]
        assert expected and ids(**query) == expected, query
    bad = fleet.one.get(RUNS, params={"ordering": "-colour"})
    assert (bad.status_code, list(bad.json())) == (400, ["ordering"])


def test_forks_and_check_are_accepted_and_answered(fleet: Fleet) -> None:
    row = fleet.run(template=fleet.ids["job"], inventory=fleet.ids["group"], forks=2)
    check = fleet.run(template=fleet.ids["job"], inventory_str="s1", job_type="check")

    assert (row["forks"], row["job_type"]) == (2, "run")
    assert (check["forks"], check["job_type"]) == (0, "check")
    assert fleet.ended(check["id"])["state"] == "successful"
    by_forks = fleet.one.get(RUNS, params={"ordering": "-forks", "limit": 1}).json()
    assert by_forks["results"][0]["id"] == row["id"]
    fleet.ended(row["id"])


def test_forks_one_runs_the_hosts_one_after_the_other_and_check_runs_nothing(
    fleet: Fleet,
) -> None:
    """The window and the dry run, read through this document's own log rows: each host's
    script prints when it started and ended; a check run's rows say what would have run."""
    mark = fleet.scratch / "touched-by-check"
    stamps = "echo start $(date +%s.%N); sleep 0.5; echo end $(date +%s.%N)"
    one_by_one = fleet.run(module="shell", arguments=stamps, inventory_str="s1,s2", forks=1)
    dry = fleet.run(
        module="shell", arguments=f"touch {mark}", inventory_str="s1,s2", job_type="check"
    )

    assert fleet.ended(one_by_one["id"])["state"] == "successful"
    spans = sorted(span_of(log) for log in output_logs(fleet, one_by_one["id"]))
    assert len(spans) == 2 and spans[0][1] <= spans[1][0], spans
    assert fleet.ended(dry["id"])["state"] == "successful"
    said = output_logs(fleet, dry["id"])
    assert len(said) == 2 and all("nothing was sent to any machine" in log for log in said), said
    assert all(f"touch {mark}" in log for log in said)
    assert not mark.exists()


def output_logs(fleet: Fleet, run_id: int) -> list[str]:
    """The run's output rows' logs (`/api/job/log/`, one per host)."""
    rows = fleet.one.get("/api/job/log/", params={"job": run_id}).json()["results"]
    return [row["log"] for row in rows if not row["note"]]


def span_of(log: str) -> tuple[float, float]:
    """(start, end) as the host's script printed them (lines `[node] start <unix time>`)."""
    said = dict(line.split("] ", 1)[1].split(" ", 1) for line in log.splitlines() if "] " in line)
    return float(said["start"]), float(said["end"])


def test_a_run_is_history_put_and_patch_change_nothing(fleet: Fleet) -> None:
    row = fleet.ended(fleet.run(template=fleet.ids["job"], inventory_str="s1", limit="s*")["id"])
    before = fleet.lasting()

    same = fleet.one.put(f"{RUNS}{row['id']}/", json={**row, "state_name": "edited"})
    patched = fleet.one.patch(f"{RUNS}{row['id']}/", data={"limit": "s*", "forks": "0"})
    rewritten = fleet.one.patch(f"{RUNS}{row['id']}/", json={"limit": "s2"})

    assert (same.status_code, same.json()) == (200, row)
    assert (patched.status_code, patched.json()) == (200, row)
    assert rewritten.status_code == 400
    assert rewritten.json()["limit"][0].startswith("a run is not rewritten: launch a new one")
    assert fleet.lasting() == before


def test_deletes_are_all_or_none_and_a_running_run_is_refused(fleet: Fleet) -> None:
    done = [
        fleet.ended(fleet.run(module="shell", arguments="true", inventory_str="s1")["id"])
        for _ in range(4)
    ]
    running = fleet.run(module="shell", arguments="sleep 50", inventory_str="s1")
    before = fleet.lasting()

    mixed = fleet.one.request("DELETE", RUNS, json={"pk": f"{done[0]['id']},{running['id']}"})

    assert mixed.status_code == 409
    assert mixed.json() == {"detail": f"pk: task {running['id']} is still running: kill it first"}
    assert fleet.lasting() == before
    alone = fleet.one.delete(f"{RUNS}{running['id']}/")
    assert alone.status_code == 409 and alone.json()["detail"].endswith("kill it first")

    kill = fleet.admin.delete(f"/slave/s1/killtask/{running['uuid']}")
    assert kill.json()["stat"] is True, kill.text
    killed = fleet.ended(running["id"])
    assert (killed["state"], killed["state_name"]) == ("failed", "失败")  # killed reads failed

    by_text = fleet.one.request("DELETE", RUNS, json={"pk": f"{done[0]['id']},{done[1]['id']}"})
    form = "&".join(f"pk[]={r['id']}" for r in (done[2], killed))
    by_array = fleet.one.request(
        "DELETE", RUNS, content=form, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    one_more = fleet.one.delete(f"{RUNS}{done[3]['id']}/")

    assert [r.status_code for r in (by_text, by_array, one_more)] == [204, 204, 204]
    assert by_text.content == b""
    for row in [*done, killed]:
        assert fleet.one.get(f"{RUNS}{row['id']}/").status_code == 404
        gone = fleet.admin.get(f"/slave/s1/tasklog/{row['uuid']}").json()
        assert gone["stat"] is False  # its log went with it
    again = fleet.one.delete(f"{RUNS}{done[3]['id']}/")
    assert again.status_code == 404 and "pk" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "template"),
        ({"template": 987654}, "template"),
        ({"template": "x"}, "template"),
        ({"module": "shell", "arguments": "true", "inventory": 987654}, "inventory"),
        ({"module": "shell", "arguments": "true", "inventory_str": "nosuch"}, "inventory_str"),
        ({"module": "shell", "arguments": "true", "inventory_str": "s1;id"}, "inventory_str"),
        ({"module": "shell", "arguments": "true"}, "inventory"),
        ({"module": "copy", "arguments": "src=../x dest=/tmp", "inventory_str": "s1"}, "arguments"),
        (
            {"module": "copy", "arguments": "src=nosuch dest=/tmp", "inventory_str": "s1"},
            "arguments",
        ),
        ({"template": "JOB", "credential": 987654}, "credential"),
        ({"template": "JOB", "limit": "db*"}, "limit"),
        ({"template": "JOB", "variables": "a: [1"}, "variables"),
        ({"template": "JOB", "variables": "{a;b: 1}"}, "variables"),
        ({"template": "JOB", "verbosity": 9}, "verbosity"),
        ({"template": "JOB", "diff_mode": 2}, "diff_mode"),
        ({"template": "JOB", "job_type": "maybe"}, "job_type"),
        ({"template": "JOB", "project": 987654}, "project"),
        ({"template": "JOB", "schedule": 987654}, "schedule"),
        ({"template": "JOB", "node": 4}, "node"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    fleet: Fleet, body: dict[str, Any], field: str
) -> None:
    body = {k: fleet.ids["job"] if v == "JOB" else v for k, v in body.items()}
    before = fleet.lasting()

    as_json = fleet.one.post(RUNS, json=body)
    as_form = fleet.one.post(RUNS, data={k: str(v) for k, v in body.items()})

    for reply in (as_json, as_form):
        assert reply.status_code == 400, reply.text
        assert list(reply.json()) == [field] and reply.json()[field][0], reply.text
    assert fleet.lasting() == before


def test_another_projects_token_sees_and_touches_nothing_of_project_one(fleet: Fleet) -> None:
    mine = fleet.ended(fleet.run(template=fleet.ids["job"], inventory_str="s1")["id"])
    theirs = fleet.run(fleet.two, module="shell", arguments="echo two", inventory_str="s1")
    theirs = fleet.ended(theirs["id"], fleet.two)
    before = fleet.lasting()
    path = f"{RUNS}{mine['id']}/"

    answers = [
        fleet.two.get(path),
        fleet.two.put(path, json=mine),
        fleet.two.patch(path, json={}),
        fleet.two.delete(path),
        fleet.two.request("DELETE", RUNS, json={"pk[]": [mine["id"]]}),
    ]
    shell, account = {"module": "shell", "arguments": "id"}, fleet.ids["account"]
    launches = [
        fleet.two.post(RUNS, json={"template": fleet.ids["job"]}),
        fleet.two.post(RUNS, json={"template": fleet.ids["job"], "project": 1}),
        fleet.two.post(RUNS, json={**shell, "inventory": fleet.ids["group"]}),
        fleet.two.post(RUNS, json={**shell, "inventory_str": "s1", "credential": account}),
    ]
    listed = fleet.two.get(RUNS, params={"limit": 1000}).json()
    by_filter = fleet.two.get(RUNS, params={"template": fleet.ids["job"]}).json()

    assert [a.status_code for a in answers] == [404, 404, 404, 404, 404]
    assert [list(a.json()) for a in launches] == [
        ["template"],
        ["project"],
        ["inventory"],
        ["credential"],
    ]
    assert fleet.lasting() == before
    assert [r["id"] for r in listed["results"]] == [theirs["id"]] and listed["count"] == 1
    assert by_filter == {"count": 0, "next": None, "previous": None, "results": []}
    assert fleet.row(mine["id"]) == mine
    assert (theirs["project"], theirs["project_name"]) == (fleet.ids["project2"], "second")
    with grpc.insecure_channel(fleet.master.addr) as channel:  # its own project's name only
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        metadata = [("authorization", f"Token {fleet.two_token}")]
        found = stub.ListProjects(catalog_pb2.ListProjectsRequest(), metadata=metadata, timeout=10)
    assert [(p.id, p.name) for p in found.projects] == [(fleet.ids["project2"], "second")]
    # the admin sees both projects, or the one it names
    both = fleet.admin.get(RUNS, params={"limit": 1000}).json()["results"]
    assert {mine["id"], theirs["id"]} <= {r["id"] for r in both}
    named = fleet.admin.get(RUNS, params={"project": fleet.ids["project2"]}).json()
    assert [r["id"] for r in named["results"]] == [theirs["id"]]
