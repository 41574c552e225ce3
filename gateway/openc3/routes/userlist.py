"""OpenC3 `userlist` document: the accounts commands run as.

A private key or a password may be given on create; neither is ever answered (rows say only
`has_key` / `has_password`) nor logged.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2

USERNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
MAX_SECRET = 16384
KEY_MARK = "PRIVATE KEY-----"

ACCOUNT_BODY = schemas.obj(
    {
        "username": {"type": "string", "pattern": f"^(?:{USERNAME.pattern})$"},
        "private_key": {
            "type": "string",
            "maxLength": MAX_SECRET,
            "pattern": f"^$|{KEY_MARK}",
            "description": "the key's text (PEM or OpenSSH); write-only",
        },
        "password": schemas.text(MAX_SECRET, description="write-only"),
    },
    ["username"],
)


def private_key(fields: Fields) -> str:
    """An optional PEM/OpenSSH private key (its text, not a path)."""
    value = forms.text(fields, "private_key", max_len=MAX_SECRET, strip=False)
    if value and KEY_MARK not in value:
        raise FieldError("private_key", "must be a private key in PEM or OpenSSH form")
    return value


def create_account_request(
    project_id: int, fields: Fields, actor: str
) -> catalog_pb2.CreateAccountRequest:
    """username (required), private_key and/or password (optional, write-only)."""
    username = forms.matching(fields, "username", USERNAME, "an account name")
    if not username:
        raise FieldError("username", "is required")
    return catalog_pb2.CreateAccountRequest(
        project_id=project_id,
        username=username,
        private_key=private_key(fields),
        password=forms.text(fields, "password", max_len=MAX_SECRET, strip=False),
        actor=actor,
    )


@describe(query=filters.query(), data={"type": "array", "items": {"type": "object"}})
async def list_accounts(request: Request[GatewayState]) -> Response:
    """GET /userlist/{projectid}: account rows; `name` filters on the user name."""
    ask = catalog_pb2.ListAccountsRequest(
        project_id=forms.path_id(request, "projectid"),
        filter=filters.list_filter(request.query_params),
    )
    master = request.state["master"]
    reply = await master.catalog.ListAccounts(ask, timeout=master.timeout)
    return envelope.ok([views.account_row(a) for a in reply.accounts], total=reply.total)


@describe(
    body=ACCOUNT_BODY,
    example={
        "username": "deploy",
        "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n"
        "-----END OPENSSH PRIVATE KEY-----\n",
    },
    data={"type": "object"},
)
async def create_account(request: Request[GatewayState]) -> Response:
    """POST /userlist/{projectid}: a new account; `data` is its row (no secrets)."""
    ask = create_account_request(
        forms.path_id(request, "projectid"),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    account = (await master.catalog.CreateAccount(ask, timeout=master.timeout)).account
    return envelope.ok(views.account_row(account))


@describe(data={"const": 1})
async def delete_account(request: Request[GatewayState]) -> Response:
    """DELETE /userlist/{projectid}/{id}: `data` is 1."""
    ask = catalog_pb2.DeleteAccountRequest(
        project_id=forms.path_id(request, "projectid"), id=forms.path_id(request, "id")
    )
    master = request.state["master"]
    await master.catalog.DeleteAccount(ask, timeout=master.timeout)
    return envelope.ok(1)


routes: list[BaseRoute] = [
    Route("/userlist/{projectid}", list_accounts, methods=["GET"]),
    Route("/userlist/{projectid}", create_account, methods=["POST"]),
    Route("/userlist/{projectid}/{id}", delete_account, methods=["DELETE"]),
]
