"""REST helpers for jobs: build OpenC3 step hashes, create jobs, submit them, control steps."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.rest import task
from tests.waiting import wait_until


def cmd(name: str, script: str, nodes: str = "s1", **extra: Any) -> dict[str, Any]:
    return {
        "plugin_type": "cmd",
        "name": name,
        "user": "",
        "node_type": "builtin",
        "node_cont": nodes,
        "scripts_type": "shell",
        "scripts_cont": script,
        "scripts_argv": "",
        "timeout": 60,
        "pause": "",
        **extra,
    }


def create_job(
    http: httpx.Client,
    name: str,
    steps: list[dict[str, Any]],
    project: int = 1,
    permanent: bool = False,
) -> str:
    body = {"name": name, "data": steps, **({"permanent": "permanent"} if permanent else {})}
    resp = http.post(f"/jobs/{project}", json=body)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["uuid"])


def run_job(
    http: httpx.Client, job_uuid: str, variable: dict[str, str] | None = None, project: int = 1
) -> str:
    resp = http.post(f"/task/{project}/job", json={"jobuuid": job_uuid, "variable": variable or {}})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["uuid"])


def subtasks(http: httpx.Client, task_uuid: str, project: int = 1) -> list[dict[str, Any]]:
    resp = http.get(f"/subtask/{project}/{task_uuid}")
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, Any]] = resp.json()["data"]
    return rows


def wait_status(
    http: httpx.Client, task_uuid: str, status: str, timeout: float = 30
) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        current = task(http, task_uuid)
        return current if current["status"] == status else None

    return wait_until(reached, timeout, what=f"task {task_uuid} {status}")


def control(
    http: httpx.Client, task_uuid: str, subtask: dict[str, Any], word: str, project: int = 1
) -> httpx.Response:
    return http.post(
        f"/subtask/{project}",
        json={
            "taskuuid": task_uuid,
            "subtaskuuid": subtask["uuid"],
            "subtasktype": subtask["subtask_type"],
            "control": word,
        },
    )
