"""Small REST helpers for the OpenC3 routes, as a client would use them; reading a refusal on
any document's route (`refusal`)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration import documents
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
    """The HTTP status a REST client would expect: every answer carries it in a header (the
    routes of a document answering refusals HTTP 200, OpenC3's, put it nowhere else)."""
    return int(resp.headers.get(STATUS_HEADER, resp.status_code))


def refusal(resp: httpx.Response, status: int | tuple[int, ...], *names: str) -> str:
    """The answer is a refusal standing for `status`, in the envelope of the document whose
    route it is (`documents`), naming one of `names` when given (as a key, or in its text);
    its text: its strings, one a line (OpenC3's: its `info`)."""
    statuses = (status,) if isinstance(status, int) else status
    stood_for = documents.status_header(resp.headers)
    assert stood_for in statuses, (resp.status_code, resp.headers, resp.text)
    document = documents.document_of(resp.request.method, resp.request.url.path)
    assert resp.status_code == documents.http_status(document, stood_for), (stood_for, resp.text)
    payload = resp.json()
    answers = documents.answers_of(document)
    assert documents.is_failure(answers, stood_for, payload), f"not a refusal: {payload}"
    text = "\n".join(documents.texts(payload))
    assert text.strip(), payload
    if names:
        assert any(documents.names(payload, name) for name in names), (
            f"{payload!r} names none of {names}"
        )
    return text
