"""OpenC3 `token` document: a project's tokens (list, create, delete).

Rows never carry a token: the plain token is in the create answer (`token`) and nowhere else;
the master keeps only its sha256 (OpenC3's token page shows the token in its list: here that
cell stays empty). A list may look for one token by its value (`token`); OpenC3's token page
lists with `POST /token/{projectid}/info`, no body.
A token may name a job of the project (`isjob`, `jobname`): an upload with it then runs that job
with the variable `version` = the uploaded file's name (`fileserver.upload_files_by_token`).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters
from gateway.openc3.views.catalog import audit
from gateway.upstream import GatewayState
from jobfleet.v1 import auth_pb2

MAX_DESCRIBE = 1000
TOKEN = re.compile(r"[A-Za-z0-9]{32}")
SECRET = schemas.matching(TOKEN.pattern, description="32 letters and digits")


def secret(fields: Fields) -> str:
    """The optional `token` field: 32 letters and digits; a bad one is never echoed."""
    value = forms.text(fields, "token", max_len=256)
    if value and not TOKEN.fullmatch(value):
        raise FieldError("token", "must be 32 letters and digits")
    return value


MAX_JOB_NAME = 255


def token_row(token: auth_pb2.Token) -> dict[str, Any]:
    """`isjob` 1 when an upload with it runs `jobname` (OpenC3's page shows the name then)."""
    return {
        "id": token.id,
        "describe": token.describe,
        **audit(token.audit),
        "isjob": 1 if token.run_job else 0,
        "jobname": token.job_name,
    }


def create_token_request(
    project_id: int, fields: Fields, actor: str
) -> auth_pb2.CreateTokenRequest:
    """token (optional), describe, isjob (true: `jobname`, a job of the project, is required)."""
    run_job = forms.flag(fields, "isjob")
    job_name = forms.text(fields, "jobname", max_len=MAX_JOB_NAME)
    if run_job and not job_name:
        raise FieldError("jobname", "is required when isjob is set")
    return auth_pb2.CreateTokenRequest(
        project_id=project_id,
        token=secret(fields),
        describe=forms.text(fields, "describe", max_len=MAX_DESCRIBE),
        actor=actor,
        run_job=run_job,
        job_name=job_name if run_job else "",
    )


@describe(
    query={**filters.query(), "token": SECRET}, data={"type": "array", "items": {"type": "object"}}
)
async def list_tokens(request: Request[GatewayState]) -> Response:
    """GET (or POST, as OpenC3's page asks) /token/{projectid}/info: token rows; filters `token`
    (its value) and the usual others, from the query."""
    query = request.query_params
    ask = auth_pb2.ListTokensRequest(
        project_id=forms.path_id(request, "projectid"),
        filter=filters.list_filter(query),
        token=secret(query),
    )
    master = request.state["master"]
    reply = await master.auth.ListTokens(ask, timeout=master.timeout)
    return envelope.ok([token_row(t) for t in reply.tokens], total=reply.total)


@describe(
    body={
        **schemas.obj(
            {
                "token": dict(SECRET, description="32 letters and digits; absent: one is made"),
                "describe": schemas.text(MAX_DESCRIBE),
                "isjob": schemas.flag(description="an upload with the token then runs `jobname`"),
                "jobname": schemas.text(MAX_JOB_NAME, description="a job of the project"),
            }
        ),
        "if": {"properties": {"isjob": {"const": True}}, "required": ["isjob"]},
        "then": {
            "required": ["jobname"],
            "properties": {"jobname": schemas.text(MAX_JOB_NAME, required=True)},
        },
    },
    example={"describe": "ci pipeline", "isjob": True, "jobname": "deploy"},
    data={"type": "object", "required": ["token"]},
)
async def create_token(request: Request[GatewayState]) -> Response:
    """POST /token/{projectid}: `token` (optional, 32 letters and digits; else one is made),
    `describe`, `isjob` and `jobname`. `data` is the row with the plain `token`, shown this
    once."""
    ask = create_token_request(
        forms.path_id(request, "projectid"),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    reply = await master.auth.CreateToken(ask, timeout=master.timeout)
    return envelope.ok({**token_row(reply.token), "token": reply.secret})


@describe(data={})
async def delete_token(request: Request[GatewayState]) -> Response:
    """DELETE /token/{projectid}/{id}: `data` is 1."""
    ask = auth_pb2.DeleteTokenRequest(
        project_id=forms.path_id(request, "projectid"), id=forms.path_id(request, "id")
    )
    master = request.state["master"]
    await master.auth.DeleteToken(ask, timeout=master.timeout)
    return envelope.ok(1)


routes: list[BaseRoute] = [
    Route("/token/{projectid}/info", list_tokens, methods=["GET"]),
    Route("/token/{projectid}/info", list_tokens, methods=["POST"], name="list_tokens_by_post"),
    Route("/token/{projectid}", create_token, methods=["POST"]),
    Route("/token/{projectid}/{id}", delete_token, methods=["DELETE"]),
]
