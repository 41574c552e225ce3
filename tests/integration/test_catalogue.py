"""Every catalogue route round-trips and its filters filter; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.conftest import Cluster
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import refusal


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["stat"] is True, body
    return body["data"]


def refused(resp: httpx.Response, status: int, field: str) -> None:
    refusal(resp, status, field)


def test_jobs_round_trip_and_filter(cluster: Cluster) -> None:
    http = cluster.http
    steps = [cmd("a", "echo a"), cmd("b", "echo b", pause="p")]
    uuid = create_job(http, "build web", steps, permanent=True)
    create_job(http, "deploy db", [cmd("c", "echo c")], permanent=True)
    create_job(http, "scratch", [cmd("d", "echo d")])  # transient: the dashboard counts none

    one = ok(http.get(f"/jobs/1/{uuid}"))
    edit = {"name": "build web 2", "permanent": "permanent", "data": [cmd("z", "echo z")]}
    ok(http.post(f"/jobs/1/{uuid}", json=edit))
    edited = ok(http.get(f"/jobs/1/{uuid}"))

    assert [s["scripts_cont"] for s in one["data"]] == ["echo a", "echo b"]
    assert one["data"][1]["pause"] == "p" and all(s["uuid"] for s in one["data"])
    assert [s["name"] for s in edited["data"]] == ["z"] and edited["name"] == "build web 2"
    assert [j["name"] for j in ok(http.get("/jobs/1", params={"name": "web"}))] == ["build web 2"]
    assert ok(http.get("/jobs/1/count")) == {"permanent": 2}
    ok(http.delete(f"/jobs/1/{uuid}"))
    assert ok(http.get("/jobs/1/count")) == {"permanent": 1}
    refused(http.get(f"/jobs/1/{uuid}"), 404, "")


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"plugin_type": "ftp"}, "data[0].plugin_type"),
        ({"node_cont": ""}, "data[0].node_cont"),
        ({"node_cont": "ghost-node"}, "ghost-node"),
        ({"timeout": "soon"}, "data[0].timeout"),
    ],
)
def test_bad_job_is_refused_and_nothing_changes(
    cluster: Cluster, step: dict[str, Any], field: str
) -> None:
    before = ok(cluster.http.get("/jobs/1/count"))

    resp = cluster.http.post("/jobs/1", json={"name": "bad", "data": [cmd("x", "true", **step)]})

    refused(resp, 400, field)
    assert ok(cluster.http.get("/jobs/1/count")) == before


def test_unknown_job_is_not_found(cluster: Cluster) -> None:
    refused(cluster.http.post("/task/1/job", json={"jobuuid": "nosuchjob"}), 404, "")
    refused(cluster.http.post("/task/1/job/byname", json={"jobname": "nope"}), 404, "")


def test_scripts_round_trip_and_filter(cluster: Cluster) -> None:
    http = cluster.http
    made = ok(http.post("/scripts/1", json={"name": "disk", "type": "shell", "cont": "df -h"}))
    ok(http.post("/scripts/1", json={"name": "mem", "type": "python", "cont": "print(1)"}))
    create_job(http, "uses disk", [cmd("d", "df -h")])

    ok(
        http.post(
            f"/scripts/1/{made['id']}", json={"name": "disk", "type": "shell", "cont": "df -h"}
        )
    )

    assert ok(http.get(f"/scripts/1/{made['id']}"))["cont"] == "df -h"
    assert [s["name"] for s in ok(http.get("/scripts/1", params={"name": "me"}))] == ["mem"]
    assert [s["name"] for s in ok(http.get("/scripts/1", params={"jobname": "uses"}))] == ["disk"]
    ok(http.delete(f"/scripts/1/{made['id']}"))
    assert [s["name"] for s in ok(http.get("/scripts/1"))] == ["mem"]


def test_nodes_groups_and_nodeinfo(cluster: Cluster) -> None:
    http = cluster.http
    web = ok(http.post("/nodelist/1", json={"name": "web1", "inip": "10.0.0.5", "exip": ""}))
    ok(http.post("/nodelist/1", json={"name": "db1", "inip": "10.0.1.7", "exip": "1.2.3.4"}))
    group = ok(
        http.post("/nodegroup/1", json={"name": "webs", "plugin": "list", "params": "web1,s1"})
    )

    assert [n["name"] for n in ok(http.get("/nodelist/1", params={"inip": "10.0.1"}))] == ["db1"]
    assert ok(http.get(f"/nodegroup/1/{group['id']}/nodelist")) == ["web1", "s1"]
    ok(
        http.post(
            f"/nodegroup/1/{group['id']}", json={"name": "webs", "plugin": "list", "params": "web1"}
        )
    )
    assert ok(http.get(f"/nodegroup/1/{group['id']}"))["params"] == "web1"
    assert [g["name"] for g in ok(http.get("/nodegroup/1", params={"plugin": "list"}))] == ["webs"]
    check = ok(http.get("/nodeinfo/1/check", params={"node": "web1,10.0.1.7,s1,nope"}))
    assert check["unknown"] == ["nope"] and "web1" in check["known"]
    assert ok(http.get("/nodeinfo/1/count")) == {"node": 2}
    ok(http.delete(f"/nodegroup/1/{group['id']}"))
    ok(http.delete(f"/nodelist/1/{web['id']}"))
    assert [n["name"] for n in ok(http.get("/nodelist/1"))] == ["db1"]


def test_accounts_never_show_secrets(cluster: Cluster) -> None:
    http = cluster.http
    made = ok(http.post("/userlist/1", json={"username": "deploy", "password": "s3cr3t-pw"}))
    listed = http.get("/userlist/1")

    assert "s3cr3t-pw" not in listed.text and "s3cr3t-pw" not in str(made)
    assert [a["username"] for a in ok(listed)] == ["deploy"]
    refused(http.post("/userlist/1", json={"username": "bad name!"}), 400, "username")
    ok(http.delete(f"/userlist/1/{made['id']}"))
    assert ok(http.get("/userlist/1")) == []


def test_variables_round_trip(cluster: Cluster) -> None:
    http = cluster.http
    job = create_job(http, "vars", [cmd("v", "echo ${a} ${b}")])
    ok(
        http.post(
            "/variable/1", json={"jobuuid": job, "name": "a", "value": "1", "describe": "first"}
        )
    )
    ok(
        http.post(
            "/variable/1/update",
            json={"jobuuid": job, "data": [{"name": "b", "value": "", "describe": "second"}]},
        )
    )

    rows = ok(http.get(f"/variable/1/{job}"))
    empty = ok(http.get(f"/variable/1/{job}", params={"empty": "1"}))
    excluded = ok(http.get(f"/variable/1/{job}", params={"exclude": "a"}))
    by_id = next(r for r in rows if r["name"] == "a")
    ok(
        http.post(
            "/variable/1",
            json={
                "jobuuid": job,
                "id": by_id["id"],
                "name": "a",
                "value": "2",
                "describe": "first",
            },
        )
    )
    ok(http.request("DELETE", "/variable/1", json={"jobuuid": job, "name": "b"}))

    assert {r["name"]: r["value"] for r in rows} == {"a": "1", "b": ""}
    assert [r["name"] for r in empty] == ["b"]
    assert [r["name"] for r in excluded] == ["b"]
    assert {r["name"]: r["value"] for r in ok(http.get(f"/variable/1/{job}"))} == {"a": "2"}
