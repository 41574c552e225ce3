"""Bad input gets a refusal in the OpenC3 envelope (HTTP 200, `stat: false`, the 4xx in the
status header) naming the field, and creates nothing. One master, slave and gateway for the
module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import Cluster, Services
from tests.integration.rest import refusal

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


@pytest.fixture(scope="module")
def cluster(module_services: Services) -> Iterator[Cluster]:
    """A master, one slave named s1 and a gateway, shared by the module's tests."""
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    with gateway.client() as http:
        yield Cluster(master, gateway, http)


def task_count(cluster: Cluster) -> int:
    return len(cluster.http.get("/task/1").json()["data"])


def refused(resp: Any, status: int, *names: str) -> str:
    """OpenC3's refusal: HTTP 200 (its pages read nothing else), the status in the header."""
    assert resp.status_code == 200, resp.text
    return refusal(resp, status, *names)


@pytest.mark.parametrize(("case", "change", "status", "names"), CASES, ids=[c[0] for c in CASES])
def test_bad_field_is_named_and_nothing_is_created(
    cluster: Cluster, case: str, change: dict[str, Any], status: int, names: str
) -> None:
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    before = task_count(cluster)

    resp = cluster.http.post("/task/1/plugin_cmd", json=body)

    assert refused(resp, status, names).startswith("check format fail")
    assert task_count(cluster) == before


def test_unknown_project_is_refused(cluster: Cluster) -> None:
    resp = cluster.http.post("/task/999/plugin_cmd", json=GOOD)

    refused(resp, 404, "projectid")


def test_malformed_json_is_refused(cluster: Cluster) -> None:
    before = task_count(cluster)

    resp = cluster.http.post(
        "/task/1/plugin_cmd", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    refused(resp, 400, "body")
    assert task_count(cluster) == before


def test_project_id_must_be_a_number(cluster: Cluster) -> None:
    before = task_count(cluster)

    for project in ("abc", "00", "01", "-1"):
        refused(cluster.http.post(f"/task/{project}/plugin_cmd", json=GOOD), 400, "projectid")
    assert task_count(cluster) == before
