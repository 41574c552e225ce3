"""Small REST helpers for the OpenC3 routes, as a client would use them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.waiting import wait_until

FINAL = {"success", "fail"}  # what OpenC3's pages poll for (a killed task ends `fail`)


def submit(
    http: httpx.Client, script: str, nodes: str = "s1", project: int = 1, **fields: Any
) -> str:
    body = {
        "name": fields.pop("name", "test"),
        "node_type": "builtin",
        "node_cont": nodes,
        "scripts_type": "shell",
        "scripts_cont": script,
        **fields,
    }
    resp = http.post(f"/task/{project}/plugin_cmd", json=body)
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert payload["stat"] is True
    return str(payload["uuid"])


def task(http: httpx.Client, uuid: str, project: int = 1) -> dict[str, Any]:
    resp = http.get(f"/task/{project}/{uuid}")
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def wait_final(http: httpx.Client, uuid: str, timeout: float = 60) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        current = task(http, uuid)
        return current if current["status"] in FINAL else None

    return wait_until(final, timeout, what=f"task {uuid} final")


def tasklog(http: httpx.Client, uuid: str, slave: str = "s1") -> dict[str, dict[str, Any]]:
    resp = http.get(f"/slave/{slave}/tasklog/{uuid}")
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert payload["stat"] is True, payload["info"]  # false: the master failed midway
    return {row["node"]: row for row in payload["data"]}


STATUS_HEADER = "x-jobfleet-status"


def true_status(resp: httpx.Response) -> int:
    """The HTTP status a REST client would expect: OpenC3 routes answer refusals 200 with
    `stat: false` (as OpenC3 does, for its pages) and carry the true one in a header."""
    return int(resp.headers.get(STATUS_HEADER, resp.status_code))


def refusal(resp: httpx.Response, status: int | tuple[int, ...], *names: str) -> str:
    """The answer is the enveloped refusal with true status `status`, naming one of `names`
    when given; its `info`."""
    statuses = (status,) if isinstance(status, int) else status
    assert true_status(resp) in statuses, (resp.status_code, resp.headers, resp.text)
    info = refusal_text(resp.json())
    if names:
        assert any(name in info for name in names), f"{info!r} names none of {names}"
    return info


def refusal_text(payload: Any) -> str:
    """What a refusal says, in its document's envelope: OpenC3's `info` (`stat: false`),
    bk-job's `message` (`result: false`); another document's whole body (its field is a key or
    inside a message)."""
    for flag, text in (("stat", "info"), ("result", "message")):
        if isinstance(payload, dict) and flag in payload:
            said = str(payload.get(text, ""))
            assert payload[flag] is False and said.strip(), payload
            return said
    return json.dumps(payload)
