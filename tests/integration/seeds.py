"""A small catalogue for tests that need rows to exist: nodes, groups, a script, a job, a task."""

from __future__ import annotations

from typing import Any

import httpx

from tests.waiting import wait_until


def seed_catalogue(http: httpx.Client) -> dict[str, str]:
    """A node, groups (one named as the document's examples name it), a script, a job and a
    task of it (which fails at once: no slave), so small ids and names resolve. Returns the
    uuids of the job, the task and its first step, by the path parameters that name them."""
    for path, body in [
        ("/nodelist/1", {"name": "n1", "inip": "127.0.0.1"}),
        ("/nodegroup/1", {"name": "g1", "plugin": "list", "params": "n1"}),
        ("/nodegroup/1", {"name": "web", "plugin": "list", "params": "n1"}),
        ("/scripts/1", {"name": "s1", "type": "shell", "cont": "echo hi"}),
        ("/jobs/1", {"name": "j1", "data": [cmd_step("step", "echo ${v}")]}),
    ]:
        resp = http.post(path, json=body)
        assert resp.status_code == 200, (path, resp.text)
    job = http.get("/jobs/1", params={"name": "j1"}).json()["data"][0]["uuid"]
    resp = http.post("/task/1/job/byname", json={"jobname": "j1", "variable": {"v": "1"}})
    assert resp.status_code == 200, resp.text
    task = str(resp.json()["uuid"])

    def settled() -> list[dict[str, Any]] | None:
        rows: list[dict[str, Any]] = http.get(f"/subtask/1/{task}").json()["data"]
        return rows if rows and rows[0]["status"] not in ("init", "running") else None

    steps = wait_until(settled, 30, what="the seeded task settled")
    return {"jobuuid": str(job), "taskuuid": task, "subtaskuuid": str(steps[0]["uuid"])}


def cmd_step(name: str, script: str) -> dict[str, Any]:
    return {
        "plugin_type": "cmd",
        "name": name,
        "node_type": "builtin",
        "node_cont": "n1",
        "scripts_cont": script,
    }
