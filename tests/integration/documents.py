"""How an answer reads, whatever document served it: what `rest.refusal`, the refusal sweep
(test_refusals) and the fuzzer (test_openapi) hold every route to, read from
`gateway.app.DOCUMENTS` (no line per document or per route).

- Every answer carries its true status in `X-Jobfleet-Status`. Its HTTP status is that status,
  or 200 for a refusal on a route of a document with `refusals_in_200` (OpenC3's, bk-job's).
- A refusal's body is JSON in its document's failure envelope (`Document.answers`; the house's,
  OpenC3's, for the gateway's own answers), and it names the field it is about: as a key, or
  inside one of its strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from starlette.routing import Match

from gateway import openapi
from gateway.app import DOCUMENTS
from gateway.document import Answers, Document, served
from gateway.schemas import Schema
from gateway.statusheader import STATUS_HEADER

_SERVED = [
    (document, route) for document in DOCUMENTS for route in served(document, document.routes)
]
_TEMPLATES = {
    str(getattr(route, "path", "")): document for document in DOCUMENTS for route in document.routes
}


def document_of(method: str, path: str) -> Document | None:
    """The document whose route serves `method path` (at the root or under its prefix); None
    for the gateway's own routes and for paths no route serves."""
    scope = {"type": "http", "method": method.upper(), "path": path, "root_path": ""}
    for document, route in _SERVED:
        if route.matches(scope)[0] == Match.FULL:
            return document
    return None


def document_of_template(path: str) -> Document | None:
    """The document of a path template as `/openapi.json` names it (`/task/{projectid}`)."""
    return _TEMPLATES.get(path)


def answers_of(document: Document | None) -> Answers:
    return document.answers if document is not None and document.answers else openapi.HOUSE


def http_status(document: Document | None, status: int) -> int:
    """The HTTP status of an answer standing for `status` on a route of `document`."""
    in_200 = document is not None and document.refusals_in_200
    return 200 if in_200 and status >= 400 else status


def status_header(headers: Any) -> int:
    """The status the answer stands for; every answer carries it."""
    found = {str(k).lower(): v for k, v in headers.items()}.get(STATUS_HEADER.lower())
    assert found, f"no {STATUS_HEADER} header: {dict(headers)}"
    return int(found[0] if isinstance(found, list) else found)


def failure_schema(answers: Answers, status: int) -> Schema:
    if status == 401 and answers.unauthenticated is not None:
        return answers.unauthenticated
    return answers.failure


def is_failure(answers: Answers, status: int, payload: Any) -> bool:
    """The body is the document's failure envelope."""
    return bool(
        jsonschema_rs.Draft202012Validator(failure_schema(answers, status)).is_valid(payload)
    )


def valid_against(schema: Schema, value: Any) -> bool:
    return bool(jsonschema_rs.Draft202012Validator(schema).is_valid(value))


def texts(payload: Any) -> list[str]:
    """Every string of a JSON value, in order (a refusal's `info`, `message`, `detail`, ...)."""
    return [text for kind, text in _leaves(payload) if kind == "text"]


def keys(payload: Any) -> list[str]:
    """Every key of a JSON value, at any depth (DRF names a field by its key)."""
    return [text for kind, text in _leaves(payload) if kind == "key"]


def _leaves(payload: Any) -> Iterator[tuple[str, str]]:
    if isinstance(payload, str):
        yield "text", payload
    elif isinstance(payload, dict):
        for key, value in payload.items():
            yield "key", str(key)
            yield from _leaves(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from _leaves(item)


def names(payload: Any, name: str) -> bool:
    """The body names `name`: as a key, or inside one of its strings."""
    return name in keys(payload) or any(name in text for text in texts(payload))
