"""The gateway's OpenAPI 3.1 document, made from the routes it serves (`GET /openapi.json`).

Paths and methods come from the route table itself, so nothing served can be missing from the
document; each endpoint declares its query, body and answer with `describe`, next to the code
that reads them (schemas in `gateway.schemas`). An endpoint without a description makes the
document fail to build, and the suite builds it.
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
from gateway.schemas import Schema

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
    "filetoken": {
        "type": "apiKey",
        "in": "header",
        "name": "token",
        "description": "the file server's upload header (`/fileserver/{projectid}/upload`)",
    },
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
) -> Callable[[Endpoint], Endpoint]:
    """Declare an endpoint's query (name -> schema; `required_query` names the ones it needs),
    JSON body (with a valid `example` of it), multipart upload and success data.

    `answers` adds statuses with their meaning beyond the ones every route has; an endpoint that
    is not `enveloped` answers `data` as the whole body.
    """

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
        )
        return endpoint

    return mark


def document(routes: Iterable[BaseRoute]) -> Schema:
    """The OpenAPI document of `routes`; raises naming any endpoint left undescribed."""
    paths: dict[str, dict[str, Schema]] = {}
    missing: list[str] = []
    for route in routes:
        if not isinstance(route, Route):
            continue
        operation = _OPERATIONS.get(route.endpoint)
        if operation is None:
            missing.append(f"{route.path} ({route.name})")
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(route.path, {})[method.lower()] = _operation(route, operation)
    if missing:
        raise LookupError(f"routes without an OpenAPI description: {', '.join(missing)}")
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION},
        "paths": paths,
        "components": {"securitySchemes": SECURITY_SCHEMES},
        "security": [{"token": []}, {"appkey": []}],
    }


def _operation(route: Route, operation: Operation) -> Schema:
    doc = inspect.getdoc(route.endpoint) or route.name
    summary, _, details = doc.partition("\n\n")
    spec: Schema = {
        "operationId": route.name,
        "summary": " ".join(summary.split()),
        "parameters": [*_path_params(route), *_query_params(operation)],
        "responses": _responses(operation),
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
        spec["security"] = [{"token": []}, {"appkey": []}, {"filetoken": []}]
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


def _responses(operation: Operation) -> Schema:
    success = operation.data
    if operation.enveloped:
        success = dict(SUCCESS, properties={**SUCCESS["properties"], "data": operation.data})
    failure = {"content": {JSON: {"schema": FAILURE}}}
    answers: Schema = {
        "200": {"description": "done", "content": {JSON: {"schema": success}}},
        "4XX": {
            "description": "refused: bad input (400, naming the field), no or wrong "
            "credentials (401), another project's (403), no such row (404), a conflict (409), "
            "too large (413)",
            **failure,
        },
        "503": {"description": "the master or its database is unavailable", **failure},
    }
    for status, meaning in operation.answers.items():
        answers[str(status)] = {"description": meaning, **failure}
    return answers


@describe(open=True, enveloped=False, data={"type": "object", "required": ["openapi", "paths"]})
async def openapi_json(request: Request[Any]) -> Response:
    """This document."""
    cached = getattr(request.app.state, "openapi", None)
    if cached is None:
        cached = request.app.state.openapi = document(request.app.routes)
    return JSONResponse(cached)


routes: list[BaseRoute] = [Route("/openapi.json", openapi_json, methods=["GET"])]
