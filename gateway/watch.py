"""A long poll of one task, as every document's task read offers it: `wait` seconds for the task
to differ from `etag` (the etag of an earlier answer: its `ETag` header), passed on to GetTask."""

from __future__ import annotations

from starlette.responses import Response

from gateway import forms, schemas
from gateway.forms import Fields
from jobfleet.v1 import task_pb2

MAX_WAIT = 60
QUERY = {
    "wait": schemas.integer(
        0, MAX_WAIT, description="seconds to wait for the task to differ from `etag` (0: none)"
    ),
    "etag": schemas.text(66, description="the etag of an earlier answer: the state seen"),
}


def asked(query: Fields, ask: task_pb2.GetTaskRequest) -> task_pb2.GetTaskRequest:
    """`ask` with the query's wait and etag (quoted, as in an ETag header, or bare)."""
    ask.wait_seconds = forms.integer(query, "wait", default=0, low=0, high=MAX_WAIT)
    ask.seen_etag = forms.text(query, "etag", max_len=66).strip('"')
    return ask


def tagged(answer: Response, etag: str) -> Response:
    """The answer with the task's etag in its `ETag` header."""
    answer.headers["ETag"] = f'"{etag}"'
    return answer
