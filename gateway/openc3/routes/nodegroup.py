"""OpenC3 `nodegroup` document: named groups of machines, resolved by a plugin.

Plugins: `list` (params: node names or IPs, comma, space or newline separated) and OpenC3's own
words, `node` (the same: OpenC3's pages send a comma string) and `type` (machines of some types:
kept, but it selects no machine here, where machines have no type). A group answers the word it
was saved with. Which plugins exist is the master's to say; the gateway checks the word's form.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2

PLUGIN = re.compile(r"[a-z][a-z0-9_]{0,63}")
DEFAULT_PLUGIN = "list"
GROUP_FILTERS = ("plugin", "jobname")
MAX_NAME = 255
MAX_PARAMS = 65536

GROUP_BODY = schemas.obj(
    {
        "name": schemas.text(MAX_NAME, required=True),
        "plugin": schemas.matching(
            PLUGIN.pattern,
            description=f"`list`, `node` or `type` (OpenC3's words); default `{DEFAULT_PLUGIN}`",
        ),
        "params": schemas.text(
            MAX_PARAMS,
            description="the plugin's; for `list` and `node`: node names or IPs, comma, space "
            "or newline separated",
        ),
    },
    ["name"],
)
GROUP_EXAMPLE = {"name": "web", "plugin": "list", "params": "web1,web2\n10.0.1.9"}
ROWS: schemas.Schema = {"type": "array", "items": {"type": "object"}}
ROW: schemas.Schema = {"type": "object"}
REMOVED: schemas.Schema = {"const": 1}


def group(fields: Fields) -> catalog_pb2.NodeGroup:
    """name, plugin (default `list`), params."""
    return catalog_pb2.NodeGroup(
        name=forms.text(fields, "name", required=True, max_len=MAX_NAME),
        plugin=forms.matching(fields, "plugin", PLUGIN, "a plugin name") or DEFAULT_PLUGIN,
        params=forms.text(fields, "params", max_len=MAX_PARAMS),
    )


def create_group_request(
    project_id: int, fields: Fields, actor: str
) -> catalog_pb2.CreateNodeGroupRequest:
    wanted = group(fields)
    return catalog_pb2.CreateNodeGroupRequest(
        project_id=project_id,
        name=wanted.name,
        plugin=wanted.plugin,
        params=wanted.params,
        actor=actor,
    )


def update_group_request(
    project_id: int, group_id: int, fields: Fields, actor: str
) -> catalog_pb2.UpdateNodeGroupRequest:
    wanted = group(fields)
    return catalog_pb2.UpdateNodeGroupRequest(
        project_id=project_id,
        id=group_id,
        name=wanted.name,
        plugin=wanted.plugin,
        params=wanted.params,
        actor=actor,
    )


def project_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


def group_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "id")


@describe(query=filters.query(GROUP_FILTERS), data=ROWS)
async def list_groups(request: Request[GatewayState]) -> Response:
    """GET /nodegroup/{projectid}: group rows; also filtered by `plugin` and `jobname`."""
    ask = catalog_pb2.ListNodeGroupsRequest(
        project_id=project_id(request),
        filter=filters.list_filter(request.query_params, extra=GROUP_FILTERS),
    )
    master = request.state["master"]
    reply = await master.catalog.ListNodeGroups(ask, timeout=master.timeout)
    return envelope.ok([views.group_row(g) for g in reply.groups], total=reply.total)


@describe(data=ROW)
async def get_group(request: Request[GatewayState]) -> Response:
    """GET /nodegroup/{projectid}/{id}."""
    ask = catalog_pb2.GetNodeGroupRequest(project_id=project_id(request), id=group_id(request))
    master = request.state["master"]
    group = (await master.catalog.GetNodeGroup(ask, timeout=master.timeout)).group
    return envelope.ok(views.group_row(group))


@describe(data={"type": "array", "items": {"type": "string"}})
async def group_nodes(request: Request[GatewayState]) -> Response:
    """GET /nodegroup/{projectid}/{id}/nodelist: the names the group resolves to."""
    ask = catalog_pb2.ResolveNodeGroupRequest(project_id=project_id(request), id=group_id(request))
    master = request.state["master"]
    reply = await master.catalog.ResolveNodeGroup(ask, timeout=master.timeout)
    return envelope.ok(list(reply.nodes))


@describe(body=GROUP_BODY, example=GROUP_EXAMPLE, data=ROW)
async def create_group(request: Request[GatewayState]) -> Response:
    """POST /nodegroup/{projectid}: a new group; `data` is its row."""
    ask = create_group_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    group = (await master.catalog.CreateNodeGroup(ask, timeout=master.timeout)).group
    return envelope.ok(views.group_row(group))


@describe(body=GROUP_BODY, example=GROUP_EXAMPLE, data=ROW)
async def update_group(request: Request[GatewayState]) -> Response:
    """POST /nodegroup/{projectid}/{id}: replace name, plugin and params."""
    ask = update_group_request(
        project_id(request),
        group_id(request),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    group = (await master.catalog.UpdateNodeGroup(ask, timeout=master.timeout)).group
    return envelope.ok(views.group_row(group))


@describe(data=REMOVED)
async def delete_group(request: Request[GatewayState]) -> Response:
    """DELETE /nodegroup/{projectid}/{id}: `data` is 1."""
    ask = catalog_pb2.DeleteNodeGroupRequest(project_id=project_id(request), id=group_id(request))
    master = request.state["master"]
    await master.catalog.DeleteNodeGroup(ask, timeout=master.timeout)
    return envelope.ok(1)


routes: list[BaseRoute] = [
    Route("/nodegroup/{projectid}", list_groups, methods=["GET"]),
    Route("/nodegroup/{projectid}", create_group, methods=["POST"]),
    Route("/nodegroup/{projectid}/{id}", get_group, methods=["GET"]),
    Route("/nodegroup/{projectid}/{id}", update_group, methods=["POST"]),
    Route("/nodegroup/{projectid}/{id}", delete_group, methods=["DELETE"]),
    Route("/nodegroup/{projectid}/{id}/nodelist", group_nodes, methods=["GET"]),
]
