"""The gateway's OpenAPI 3.1 document, made from the routes it serves (`GET /openapi.json`).

Paths and methods come from the route table itself, so nothing served can be missing from the
document; each endpoint declares its query, body and answer with `describe`, next to the code
that reads them (schemas in `gateway.schemas`). An endpoint without a description makes the
document fail to build, and so the app (`gateway.app.create_app` builds it).

A document's routes served under a prefix too (OpenC3's `/api/job`) are described once, their
path naming both bases as its `servers`. A document whose refusals are HTTP 200 (OpenC3's) says
so on each of its operations: the 200 answer is the success or the refusal, and the header
`X-Jobfleet-Status` tells which status it stands for.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway import forms, schemas
from gateway.document import Alias, Answers, Document
from gateway.schemas import Schema
from gateway.statusheader import STATUS_HEADER

TITLE = "jobfleet gateway"
VERSION = "1"
JSON = "application/json"

# Path parameters mean the same on every route that has them.
PATH_PARAMS: Mapping[str, Schema] = {
    "projectid": schemas.integer(
        0, forms.INT64_MAX, description="the project; 0 is the shared (global) project"
    ),
    "id": schemas.identifier(),
    "scriptsid": schemas.identifier(),
    "crontabid": schemas.identifier(),
    "fileserverid": schemas.identifier(),
    "uuid": schemas.token(),
    "jobuuid": schemas.token(),
    "taskuuid": schemas.token(),
    "subtaskuuid": schemas.token(),
    "slave": schemas.text(description="taken as given: the task's executions decide"),
    "name": schemas.text(255, required=True, description="a name, as the row holds it"),
    "jobid": schemas.identifier(description="a job's row id"),
    "key": schemas.text(128, required=True, description="a key the gateway answered before"),
    "node": schemas.text(255, required=True, description="a node, as the steps addressed it"),
    "session": schemas.matching("[0-9A-Za-z-]{1,64}", description="a terminal session's uuid"),
}

SUCCESS: Schema = {
    "type": "object",
    "properties": {"stat": {"const": True}, "data": {}},
    "required": ["stat", "data"],
}
FAILURE: Schema = {
    "type": "object",
    "properties": {
        "stat": {"const": False},
        "info": {"type": "string", "minLength": 1, "description": "what, and which field"},
    },
    "required": ["stat", "info"],
}
REFUSAL: Schema = {
    "type": "object",
    "properties": {
        **FAILURE["properties"],
        "code": {"const": 10000, "description": "no or unknown credentials (OpenC3's login)"},
    },
    "required": ["stat", "info"],
}
STATUS_HEADERS: Schema = {
    STATUS_HEADER: {
        "description": "the HTTP status the answer stands for (a refusal's, under its 200)",
        "required": True,
        "schema": {"type": "string", "pattern": "^[1-5][0-9][0-9]$"},
    }
}
REFUSED = (
    "400 bad input (`info` names the field), 401 no or unknown credentials (with `code: "
    "10000`), 403 another project's token, 404 no such row, 409 a conflict, 413 too large, "
    "429 too many at once, 503 the master or its database unavailable"
)


def _house_success(data: Schema) -> Schema:
    return dict(SUCCESS, properties={**SUCCESS["properties"], "data": data})


HOUSE = Answers(success=_house_success, failure=FAILURE, refused=REFUSED, unauthenticated=REFUSAL)
"""OpenC3's envelope, which the gateway's own answers wear too."""

SECURITY_SCHEMES: Schema = {
    "token": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <t>`: a project token, or the admin token",
    },
    "appkey": {
        "type": "apiKey",
        "in": "header",
        "name": "appkey",
        "description": "OpenC3's header: the token, with `appname` naming the submitter",
    },
    "bkapi": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Bkapi-Authorization",
        "description": 'bk-job\'s header: `{"bk_app_code": "<app>", "bk_app_secret": "<t>"}`, '
        "the secret a token",
    },
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "a token as the password (any user): cloud-act2's clients send theirs so",
    },
    "filetoken": {
        "type": "apiKey",
        "in": "header",
        "name": "token",
        "description": "the file server's upload header (`/fileserver/{projectid}/upload`, "
        "`/uploadv2/fileserver/{projectid}/upload`)",
    },
}
SECURITY: list[dict[str, list[str]]] = [
    {"token": []},
    {"bkapi": []},
    {"appkey": []},
    {"session": []},
]


def _session_scheme(cookie: str) -> Schema:
    return {
        "type": "apiKey",
        "in": "cookie",
        "name": cookie,
        "description": "a browser session: the cookie's value is a token (a request from "
        "another site may only read with it)",
    }


@dataclass(frozen=True)
class Operation:
    """What one endpoint takes and answers, beyond its path."""

    query: Mapping[str, Schema] = field(default_factory=dict)
    required_query: tuple[str, ...] = ()
    body: Schema | None = None
    example: Schema | None = None
    upload: Schema | None = None
    data: Schema = field(default_factory=dict)
    open: bool = False
    file_token: bool = False
    answers: Mapping[int, str] = field(default_factory=dict)
    enveloped: bool = True
    media_type: str = JSON
    status: int = 200


_OPERATIONS: dict[Callable[..., Any], Operation] = {}
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def describe(
    *,
    query: Mapping[str, Schema] | None = None,
    required_query: Iterable[str] = (),
    body: Schema | None = None,
    example: Schema | None = None,
    upload: Schema | None = None,
    data: Schema | None = None,
    open: bool = False,
    file_token: bool = False,
    answers: Mapping[int, str] | None = None,
    enveloped: bool = True,
    media_type: str = JSON,
    status: int = 200,
) -> Callable[[Endpoint], Endpoint]:
    """Declare an endpoint's query (name -> schema; `required_query` names the ones it needs),
    JSON body (with a valid `example` of it), multipart upload and success data.

    `answers` adds statuses with their meaning beyond the ones every route has; an endpoint that
    is not `enveloped` answers `data` as the whole body, of `media_type` (a download's bytes).
    `status`: a success's own HTTP status (201 created, 204 no content) in a document that keeps
    true statuses."""

    needed = tuple(required_query)
    unknown = set(needed) - set(query or {})
    if unknown:
        raise ValueError(f"required query keys without a schema: {sorted(unknown)}")

    def mark(endpoint: Endpoint) -> Endpoint:
        _OPERATIONS[endpoint] = Operation(
            query=query or {},
            required_query=needed,
            body=body,
            example=example,
            upload=upload,
            data=data or {},
            open=open,
            file_token=file_token,
            answers=answers or {},
            enveloped=enveloped,
            media_type=media_type,
            status=status,
        )
        return endpoint

    return mark


def document(
    routes: Iterable[BaseRoute], documents: Iterable[Document] = (), session_cookie: str = "sid"
) -> Schema:
    """The OpenAPI document of `routes`; raises naming any endpoint left undescribed.
    `documents` say which routes answer refusals 200, and under which prefix each is served."""
    routes = list(routes)
    documents = list(documents)
    in_200 = {str(getattr(r, "path", "")) for d in documents if d.refusals_in_200 for r in d.routes}
    basic = {str(getattr(r, "path", "")) for d in documents for r in d.basic_routes}
    answers_of = {
        str(getattr(r, "path", "")): d.answers or HOUSE for d in documents for r in d.routes
    }
    paths: dict[str, Schema] = {}
    missing: list[str] = []
    for route in routes:
        if not isinstance(route, Route) or not route.include_in_schema:
            continue
        operation = _OPERATIONS.get(route.endpoint)
        if operation is None:
            missing.append(f"{route.path} ({route.name})")
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            answers = answers_of.get(route.path, HOUSE)
            spec = _operation(route, operation, answers, route.path in in_200)
            if route.path in basic:
                spec["security"] = [*spec.get("security", SECURITY), {"basic": []}]
            paths.setdefault(route.path, {})[method.lower()] = spec
    if missing:
        raise LookupError(f"routes without an OpenAPI description: {', '.join(missing)}")
    for path, bases in _bases(routes).items():
        if path in paths:
            paths[path] = {"servers": [{"url": base} for base in bases], **paths[path]}
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION},
        "paths": paths,
        "components": {
            "securitySchemes": {**SECURITY_SCHEMES, "session": _session_scheme(session_cookie)}
        },
        "security": SECURITY,
    }


def _bases(routes: Iterable[BaseRoute]) -> dict[str, list[str]]:
    """Path -> the bases it is served under, when one is a prefix (an `Alias` of its route)."""
    bases: dict[str, list[str]] = {}
    for route in routes:
        if isinstance(route, Alias):
            found = bases.setdefault(route.original.path, ["/"])
            if route.prefix not in found:
                found.append(route.prefix)
    return bases


def _operation(
    route: Route, operation: Operation, answers: Answers, refusals_in_200: bool
) -> Schema:
    doc = inspect.getdoc(route.endpoint) or route.name
    summary, _, details = doc.partition("\n\n")
    spec: Schema = {
        "operationId": route.name,
        "summary": " ".join(summary.split()),
        "parameters": [*_path_params(route), *_query_params(operation)],
        "responses": (_refused_in_200 if refusals_in_200 else _responses)(operation, answers),
    }
    if details:
        spec["description"] = details
    if operation.body is not None:
        content: Schema = {"schema": operation.body}
        if operation.example is not None:
            content["example"] = operation.example
        spec["requestBody"] = {"required": True, "content": {JSON: content}}
    if operation.upload is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": operation.upload}},
        }
    if operation.open:
        spec["security"] = []
    elif operation.file_token:
        spec["security"] = [*SECURITY, {"filetoken": []}]
    return spec


def _path_params(route: Route) -> list[Schema]:
    return [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMS[name]}
        for name in route.param_convertors
    ]


def _query_params(operation: Operation) -> list[Schema]:
    return [
        {
            "name": name,
            "in": "query",
            "required": name in operation.required_query,
            "schema": schema,
        }
        for name, schema in operation.query.items()
    ]


def _success(operation: Operation, answers: Answers) -> Schema:
    if not operation.enveloped:
        return operation.data
    return answers.success(operation.data)


def _responses(operation: Operation, answers: Answers) -> Schema:
    """Refusals with their own HTTP status (the gateway's own routes, documents that keep it)."""
    failure = {"headers": STATUS_HEADERS, "content": {JSON: {"schema": answers.failure}}}
    done: Schema = {"description": "done", "headers": STATUS_HEADERS}
    if operation.status != 204:
        done["content"] = {operation.media_type: {"schema": _success(operation, answers)}}
    described: Schema = {
        str(operation.status): done,
        "4XX": {"description": f"refused: {answers.refused}", **failure},
        "503": {"description": "the master or its database is unavailable", **failure},
    }
    for status, meaning in operation.answers.items():
        described[str(status)] = {"description": meaning, **failure}
    return described


def _refused_in_200(operation: Operation, answers: Answers) -> Schema:
    """Refusals as OpenC3 answers them: HTTP 200, a failure body, the status in the header."""
    also = "".join(f"; {status} {meaning}" for status, meaning in operation.answers.items())
    failure = {"headers": STATUS_HEADERS, "content": {JSON: {"schema": answers.failure}}}
    refusal = answers.unauthenticated or answers.failure
    content: Schema = {JSON: {"schema": {"anyOf": [_success(operation, answers), refusal]}}}
    if operation.media_type != JSON:  # a page or a download: that, or a refusal in JSON
        content = {
            operation.media_type: {"schema": _success(operation, answers)},
            JSON: {"schema": refusal},
        }
    return {
        "200": {
            "description": "done (status 200), or refused (the status it stands for in "
            f"{STATUS_HEADER}: {answers.refused}{also})",
            "headers": STATUS_HEADERS,
            "content": content,
        },
        "404": {"description": "no such path (a path parameter holding `/`)", **failure},
    }


@describe(open=True, enveloped=False, data={"type": "object", "required": ["openapi", "paths"]})
async def openapi_json(request: Request[Any]) -> Response:
    """This document."""
    cached = getattr(request.app.state, "openapi", None)  # made by gateway.app.create_app
    if cached is None:
        cached = request.app.state.openapi = document(request.app.routes)
    return JSONResponse(cached)


routes: list[BaseRoute] = [Route("/openapi.json", openapi_json, methods=["GET"])]
