"""Bad input gets a 4xx in the OpenC3 envelope naming the field, and creates nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Cluster

GOOD = {
    "name": "n",
    "node_type": "builtin",
    "node_cont": "s1",
    "scripts_type": "shell",
    "scripts_cont": "echo hi",
}

CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("unknown node", {"node_cont": "s1,ghost"}, 400, "node_cont"),
    ("no nodes", {"node_cont": " , "}, 400, "node_cont"),
    ("missing script", {"scripts_cont": None}, 400, "scripts_cont"),
    ("bad script type", {"scripts_type": "cobol"}, 400, "scripts_type"),
    ("timeout not a number", {"timeout": "soon"}, 400, "timeout"),
    ("negative timeout", {"timeout": -5}, 400, "timeout"),
    ("unsupported node type", {"node_type": "martian"}, 400, "node_type"),
    ("missing variable", {"scripts_cont": "echo ${nope}"}, 400, "nope"),
    ("variable not an object", {"variable": [1, 2]}, 400, "variable"),
    ("unbalanced argv quotes", {"scripts_argv": "'open"}, 400, "scripts_argv"),
]


def task_count(cluster: Cluster) -> int:
    return len(cluster.http.get("/task/1").json()["data"])


@pytest.mark.parametrize(("case", "change", "status", "names"), CASES, ids=[c[0] for c in CASES])
def test_bad_field_is_named_and_nothing_is_created(
    cluster: Cluster, case: str, change: dict[str, Any], status: int, names: str
) -> None:
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    before = task_count(cluster)

    resp = cluster.http.post("/task/1/plugin_cmd", json=body)

    assert resp.status_code == status, resp.text
    payload = resp.json()
    assert payload["stat"] is False
    assert payload["info"].startswith("check format fail")
    assert names in payload["info"]
    assert task_count(cluster) == before


def test_unknown_project_is_refused(cluster: Cluster) -> None:
    resp = cluster.http.post("/task/999/plugin_cmd", json=GOOD)

    assert resp.status_code == 404, resp.text
    assert resp.json()["stat"] is False and "projectid" in resp.json()["info"]


def test_malformed_json_is_refused(cluster: Cluster) -> None:
    before = task_count(cluster)

    resp = cluster.http.post(
        "/task/1/plugin_cmd", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert resp.status_code == 400
    assert resp.json()["stat"] is False
    assert task_count(cluster) == before


def test_project_id_must_be_a_number(cluster: Cluster) -> None:
    resp = cluster.http.post("/task/abc/plugin_cmd", json=GOOD)

    assert resp.status_code == 400
    assert "projectid" in resp.json()["info"]
