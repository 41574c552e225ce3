"""cloud-act2's dialect: its envelope with true HTTP statuses; proto field -> its query key.

A refusal reads `{"status": "error", "message": "<field>: <why>", "content": null}` with the
status it stands for (400, 401, 403, 404, 405, 413, 415, 429, 503); cloud-act2's own messages
name the parameter first too (`id can not be null`, `pageNo is not int`).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from gateway.cloudact2 import envelope
from gateway.errors import Dialect, Failure

RENAMED: Mapping[str, str] = {
    "uuid": "id",
    "id": "id",
    "project_id": "projectId",
    "limit": "pageSize",
    "offset": "pageNo",
    "execution_id": "id",
}
"""Proto field -> the query key a cloud-act2 client sent; a field not listed keeps its name."""


def field_name(field: str) -> str:
    return RENAMED.get(field, field)


def message(failure: Failure) -> str:
    return f"{failure.field}: {failure.message}" if failure.field else failure.message


def render_failure(failure: Failure) -> Response:
    return envelope.refused(message(failure), failure.status)


def dialect(route: str = "") -> Dialect:
    """The same on every route of the document."""
    return Dialect(field_name, render_failure)
