"""OpenC3 `notify` and `environment`: who a project's run notices go to, the global switches
and templates, a project's webhook, and what was delivered for a task (docs/notifications.md).

`environment` is the admin token's alone, reading included (OpenC3 let any logged-in user read
it: it holds other modules' settings). Booleans are stored as the strings "true" / "false", so
a JSON `true` turns a switch on exactly as the page's string "true" does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3.views.tasks import format_time
from gateway.upstream import GatewayState
from jobfleet.v1 import notify_pb2

USER = re.compile(r"[A-Za-z0-9.@_-]{1,128}")
KEY = re.compile(r"[A-Za-z0-9]{1,128}")
MAX_VALUE = 5000
USER_BODY = schemas.obj(
    {
        "user": {
            "type": "string",
            "pattern": f"^{USER.pattern}$",
            "description": "a user, or `_`: who started the run",
        }
    },
    ["user"],
)
ENVIRONMENT_BODY: schemas.Schema = {
    "type": "object",
    "description": "keys of letters and digits; values strings (at most 5000 characters), "
    'booleans (stored as "true"/"false") or numbers',
    "minProperties": 1,
    "propertyNames": {"pattern": f"^{KEY.pattern}$"},
    "additionalProperties": {
        "anyOf": [{"type": "string", "maxLength": MAX_VALUE}, {"type": ["boolean", "number"]}]
    },
}
WEBHOOK_BODY = schemas.obj(
    {
        "url": schemas.text(2048, description="http(s) URL; empty removes the webhook"),
        "secret": schemas.text(256, description="signs each body (X-Jobfleet-Signature)"),
    },
    ["url"],
)
DELIVERIES_QUERY = {"uuid": schemas.token(description="the task")}
ROWS: schemas.Schema = {"type": "array", "items": {"type": "object"}}


def user_row(user: notify_pb2.NotifyUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "user": user.user,
        "create_user": user.create_user,
        "create_time": format_time(user, "create_time"),
    }


def delivery_row(found: notify_pb2.Delivery) -> dict[str, Any]:
    return {
        "id": found.id,
        "event": found.event,
        "channel": found.channel,
        "recipient": found.recipient,
        "address": found.address,
        "subject": found.subject,
        "status": found.status,
        "attempts": found.attempts,
        "last_error": found.last_error,
        "next_attempt_time": format_time(found, "next_attempt_at"),
        "sent_time": format_time(found, "sent_at"),
        "create_time": format_time(found, "created_at"),
        "tries": [
            {"number": t.number, "time": format_time(t, "time"), "ok": t.ok, "detail": t.detail}
            for t in found.tries
        ],
    }


def setting_value(key: str, value: Any) -> str:
    """A value as stored: booleans as "true"/"false", numbers as their JSON text."""
    if not KEY.fullmatch(key):
        raise FieldError("settings", f"key {key!r}: keys are letters and digits")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if not isinstance(value, str):
        raise FieldError(f"settings.{key}", "must be a string, a boolean or a number")
    if len(value) > MAX_VALUE:
        raise FieldError(f"settings.{key}", f"must be at most {MAX_VALUE} characters")
    if "\0" in value:
        raise FieldError(f"settings.{key}", "must not contain NUL characters")
    return value


def settings_of(fields: Fields) -> dict[str, str]:
    if not fields:
        raise FieldError("settings", "param null")
    return {key: setting_value(key, value) for key, value in fields.items()}


@describe(data=ROWS)
async def list_users(request: Request[GatewayState]) -> Response:
    """GET /notify/{projectid}: the project's recipients (`id user create_user create_time`)."""
    ask = notify_pb2.ListNotifyUsersRequest(project_id=forms.path_id(request, "projectid"))
    master = request.state["master"]
    reply = await master.notify.ListNotifyUsers(ask, timeout=master.timeout)
    return envelope.ok([user_row(u) for u in reply.users])


@describe(body=USER_BODY, example={"user": "alice"}, data={"const": True})
async def add_user(request: Request[GatewayState]) -> Response:
    """POST /notify/{projectid}: add a recipient; one already there is refused "already
    exists"."""
    fields = await forms.read_fields(request)
    ask = notify_pb2.AddNotifyUserRequest(
        project_id=forms.path_id(request, "projectid"),
        user=forms.matching(fields, "user", USER, "a user name or _") or _required("user"),
        actor=forms.submitter(request),
    )
    master = request.state["master"]
    await master.notify.AddNotifyUser(ask, timeout=master.timeout)
    return envelope.ok(True)


def _required(name: str) -> str:
    raise FieldError(name, "is required")


@describe(data={"const": True})
async def delete_user(request: Request[GatewayState]) -> Response:
    """DELETE /notify/{projectid}/{id}: remove a recipient (it may be added again)."""
    ask = notify_pb2.DeleteNotifyUserRequest(
        project_id=forms.path_id(request, "projectid"),
        id=forms.path_id(request, "id"),
        actor=forms.submitter(request),
    )
    master = request.state["master"]
    await master.notify.DeleteNotifyUser(ask, timeout=master.timeout)
    return envelope.ok(True)


@describe(data={"type": "object"})
async def get_webhook(request: Request[GatewayState]) -> Response:
    """GET /notify/{projectid}/webhook: `url` ("" = none) and `secret` (whether one is set;
    the secret itself is never answered)."""
    ask = notify_pb2.GetWebhookRequest(project_id=forms.path_id(request, "projectid"))
    master = request.state["master"]
    reply = await master.notify.GetWebhook(ask, timeout=master.timeout)
    return envelope.ok({"url": reply.url, "secret": reply.has_secret})


@describe(
    body=WEBHOOK_BODY,
    example={"url": "http://127.0.0.1:8099/jobfleet", "secret": "s3cret"},
    data={"const": True},
)
async def set_webhook(request: Request[GatewayState]) -> Response:
    """POST /notify/{projectid}/webhook: every run notice of the project is POSTed to `url`
    as JSON, signed with `secret`; an empty url removes it."""
    fields = await forms.read_fields(request)
    ask = notify_pb2.SetWebhookRequest(
        project_id=forms.path_id(request, "projectid"),
        url=forms.text(fields, "url", max_len=2048, present=True),
        secret=forms.text(fields, "secret", max_len=256, strip=False),
        actor=forms.submitter(request),
    )
    master = request.state["master"]
    await master.notify.SetWebhook(ask, timeout=master.timeout)
    return envelope.ok(True)


@describe(query=DELIVERIES_QUERY, required_query=["uuid"], data=ROWS)
async def list_deliveries(request: Request[GatewayState]) -> Response:
    """GET /notify/{projectid}/deliveries?uuid=: the task's deliveries with their status,
    attempts and last error."""
    ask = notify_pb2.ListDeliveriesRequest(
        project_id=forms.path_id(request, "projectid"),
        task_uuid=forms.token(request.query_params, "uuid", required=True),
    )
    master = request.state["master"]
    reply = await master.notify.ListDeliveries(ask, timeout=master.timeout)
    return envelope.ok([delivery_row(d) for d in reply.deliveries])


@describe(data={"type": "object"})
async def get_environment(request: Request[GatewayState]) -> Response:
    """GET /environment: every key as `{key: value}` (the admin token only)."""
    master = request.state["master"]
    reply = await master.notify.GetEnvironment(
        notify_pb2.GetEnvironmentRequest(), timeout=master.timeout
    )
    return envelope.ok(dict(sorted(reply.settings.items())))


@describe(
    body=ENVIRONMENT_BODY,
    example={"isPageFailEmail": "true", "isApiSuccessEmail": True},
    data={"type": "integer"},
)
async def set_environment(request: Request[GatewayState]) -> Response:
    """POST /environment: a flat object, each key saved (the admin token only); `data` is the
    number of keys. Unknown keys are kept."""
    fields = await forms.read_fields(request)
    ask = notify_pb2.SetEnvironmentRequest(
        settings=settings_of(fields), actor=forms.submitter(request)
    )
    master = request.state["master"]
    reply = await master.notify.SetEnvironment(ask, timeout=master.timeout)
    return envelope.ok(reply.count)


@describe(data={"type": "integer"})
async def delete_environment(request: Request[GatewayState]) -> Response:
    """DELETE /environment: every parameter name, of the query or the body, is a key to
    delete; `data` is how many were (the admin token only)."""
    keys = [*request.query_params.keys(), *(await forms.read_fields(request)).keys()]
    for key in keys:
        if not KEY.fullmatch(key):
            raise FieldError("keys", f"key {key!r}: keys are letters and digits")
    if not keys:
        raise FieldError("keys", "param null")
    ask = notify_pb2.DeleteEnvironmentRequest(keys=list(dict.fromkeys(keys)))
    master = request.state["master"]
    reply = await master.notify.DeleteEnvironment(ask, timeout=master.timeout)
    return envelope.ok(reply.count)


routes: list[BaseRoute] = [
    Route("/notify/{projectid}", list_users, methods=["GET"]),
    Route("/notify/{projectid}", add_user, methods=["POST"]),
    Route("/notify/{projectid}/webhook", get_webhook, methods=["GET"]),
    Route("/notify/{projectid}/webhook", set_webhook, methods=["POST"]),
    Route("/notify/{projectid}/deliveries", list_deliveries, methods=["GET"]),
    Route("/notify/{projectid}/{id}", delete_user, methods=["DELETE"]),
    Route("/environment", get_environment, methods=["GET"]),
    Route("/environment", set_environment, methods=["POST"]),
    Route("/environment", delete_environment, methods=["DELETE"]),
]
