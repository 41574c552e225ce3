"""OpenC3 `scripts` document: the project's saved scripts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters, words
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from gateway.words import value_of
from jobfleet.v1 import catalog_pb2

SCRIPT_TYPES = tuple(words.SCRIPT_TYPE.values())
MAX_NAME = 255
SCRIPT_FILTERS = ("jobname",)

SCRIPT_BODY = schemas.obj(
    {
        "name": schemas.text(MAX_NAME, required=True),
        "type": schemas.choice(SCRIPT_TYPES, description="default shell"),
        "cont": schemas.text(required=True, description="the script, kept as sent"),
    },
    ["name", "cont"],
)
SCRIPT_EXAMPLE = {"name": "disk usage", "type": "shell", "cont": "#!/bin/sh\ndf -h ${mount}\n"}
ROWS: schemas.Schema = {"type": "array", "items": {"type": "object"}}
ROW: schemas.Schema = {"type": "object"}
REMOVED: schemas.Schema = {"const": 1}


def script(fields: Fields) -> catalog_pb2.Script:
    """name, type (default shell), cont -> the script's name, type, content."""
    script_type = forms.choice(fields, "type", SCRIPT_TYPES, "shell")
    return catalog_pb2.Script(
        name=forms.text(fields, "name", required=True, max_len=MAX_NAME),
        type=value_of(words.SCRIPT_TYPE, script_type, "type"),
        content=forms.text(fields, "cont", required=True, strip=False),
    )


def create_script_request(
    project_id: int, fields: Fields, actor: str
) -> catalog_pb2.CreateScriptRequest:
    wanted = script(fields)
    return catalog_pb2.CreateScriptRequest(
        project_id=project_id,
        name=wanted.name,
        type=wanted.type,
        content=wanted.content,
        actor=actor,
    )


def update_script_request(
    project_id: int, script_id: int, fields: Fields, actor: str
) -> catalog_pb2.UpdateScriptRequest:
    wanted = script(fields)
    return catalog_pb2.UpdateScriptRequest(
        project_id=project_id,
        id=script_id,
        name=wanted.name,
        type=wanted.type,
        content=wanted.content,
        actor=actor,
    )


def project_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


def script_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "scriptsid")


@describe(query=filters.query(SCRIPT_FILTERS), data=ROWS)
async def list_scripts(request: Request[GatewayState]) -> Response:
    """GET /scripts/{projectid}: script rows; `jobname` keeps scripts used by such jobs."""
    ask = catalog_pb2.ListScriptsRequest(
        project_id=project_id(request),
        filter=filters.list_filter(request.query_params, extra=SCRIPT_FILTERS),
    )
    master = request.state["master"]
    reply = await master.catalog.ListScripts(ask, timeout=master.timeout)
    return envelope.ok([views.script_row(s) for s in reply.scripts], total=reply.total)


@describe(data=ROW)
async def get_script(request: Request[GatewayState]) -> Response:
    """GET /scripts/{projectid}/{scriptsid}."""
    ask = catalog_pb2.GetScriptRequest(project_id=project_id(request), id=script_id(request))
    master = request.state["master"]
    script = (await master.catalog.GetScript(ask, timeout=master.timeout)).script
    return envelope.ok(views.script_row(script))


@describe(body=SCRIPT_BODY, example=SCRIPT_EXAMPLE, data=ROW)
async def create_script(request: Request[GatewayState]) -> Response:
    """POST /scripts/{projectid}: a new script; `data` is its row."""
    ask = create_script_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    script = (await master.catalog.CreateScript(ask, timeout=master.timeout)).script
    return envelope.ok(views.script_row(script))


@describe(body=SCRIPT_BODY, example=SCRIPT_EXAMPLE, data=ROW)
async def update_script(request: Request[GatewayState]) -> Response:
    """POST /scripts/{projectid}/{scriptsid}: replace name, type and content."""
    ask = update_script_request(
        project_id(request),
        script_id(request),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    script = (await master.catalog.UpdateScript(ask, timeout=master.timeout)).script
    return envelope.ok(views.script_row(script))


@describe(data=REMOVED)
async def delete_script(request: Request[GatewayState]) -> Response:
    """DELETE /scripts/{projectid}/{scriptsid}: `data` is 1."""
    ask = catalog_pb2.DeleteScriptRequest(project_id=project_id(request), id=script_id(request))
    master = request.state["master"]
    await master.catalog.DeleteScript(ask, timeout=master.timeout)
    return envelope.ok(1)


routes: list[BaseRoute] = [
    Route("/scripts/{projectid}", list_scripts, methods=["GET"]),
    Route("/scripts/{projectid}", create_script, methods=["POST"]),
    Route("/scripts/{projectid}/{scriptsid}", get_script, methods=["GET"]),
    Route("/scripts/{projectid}/{scriptsid}", update_script, methods=["POST"]),
    Route("/scripts/{projectid}/{scriptsid}", delete_script, methods=["DELETE"]),
]
