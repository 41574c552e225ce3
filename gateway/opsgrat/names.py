"""OpsGrat's dialect: Django REST framework's error bodies, with true HTTP statuses.

A refusal about a field is 400 `{"<field>": ["<why>"]}`; any other is `{"detail": "<why>"}`
with its status (401, 403, 404, 405, 409, 413, 415, 429, 503), as DRF's exception handler
writes them. Proto fields are named as OpsGrat's clients send them (`RENAMED`).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse, Response

from gateway.errors import Dialect, Failure
from gateway.statusheader import status_headers

RENAMED: Mapping[str, str] = {
    "options.forks": "forks",
    "options.check": "job_type",
    "options.nodegroup_id": "inventory",
    "options.limit": "limit",
    "options.account_id": "credential",
    "options.inventory_str": "inventory_str",
    "options.module": "module",
    "options.arguments": "arguments",
    "options.verbosity": "verbosity",
    "options.tags": "tags",
    "options.skip_tags": "skip_tags",
    "options.start_at_task": "start_at_task",
    "options.variables_text": "variables",
    "variables": "variables",
    "job_id": "template",
    "job_uuid": "template",
    "nodegroup_id": "inventory",
    "account_id": "credential",
    "crontab_id": "schedule",
    "order_by": "ordering",
    "ids": "pk",
    "task_id": "job",
    "nodes": "inventory_str",
    "user": "credential",
    "text": "log",  # a note's text (the log rows' `log`)
    "project_id": "project",
    "options.job_kind": "kind",
    "steps": "template",
    "script": "arguments",
    "scp": "arguments",
    "scp.dst": "inventory_str",
}
"""Proto field -> OpsGrat's key; a field not listed keeps its name."""


def field_name(field: str) -> str:
    """The key an OpsGrat client sent for the proto field `field` (a path keeps its head)."""
    if field in RENAMED:
        return RENAMED[field]
    head = field.split("[", 1)[0].split(".", 1)[0]
    return RENAMED.get(head, field)


def render_failure(failure: Failure) -> Response:
    """DRF's bodies: a field's 400 as `{field: [why]}`, the rest as `{"detail": why}`."""
    if failure.status == 400 and failure.field:
        body: dict[str, object] = {failure.field: [failure.message]}
    elif failure.field and failure.status < 500:
        body = {"detail": f"{failure.field}: {failure.message}"}
    else:
        body = {"detail": failure.message}
    return JSONResponse(body, status_code=failure.status, headers=status_headers(failure.status))


def dialect(route: str = "") -> Dialect:
    """The same on every route of the document."""
    return Dialect(field_name, render_failure)
