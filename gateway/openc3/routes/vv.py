"""OpenC3 `vv` document: version variables, the values `NAME:[value]` in cmd steps' output
and job tasks' `version` give each node (docs/version-variables.md).

`DELETE /vv/{projectid}/{node}` takes a node name, as OpenC3's variate page sends it (the first
cell of a table row), and deletes every variable of that node.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.openapi import describe
from gateway.openc3.views.vv import shares, table, variable_row
from gateway.upstream import GatewayState
from jobfleet.v1 import vv_pb2

MAX_NODE = 255
MAX_NAME = 100
FILTERS = {
    "node": schemas.text(MAX_NODE, description="exact node name"),
    "name": schemas.text(MAX_NAME, description="exact variable name"),
    "time_start": schemas.time_bound(description="UTC `YYYY-MM-DD`: written on or after"),
    "time_end": schemas.time_bound(description="UTC `YYYY-MM-DD`: written on or before"),
}
ROW = schemas.obj(
    {
        "id": {"type": "integer"},
        "node": {"type": "string"},
        "name": {"type": "string"},
        "value": {"type": "string"},
        "update_time": {"type": "string"},
    }
)


def project_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


async def listed(request: Request[GatewayState]) -> vv_pb2.ListVersionVariablesResponse:
    query = request.query_params
    ask = vv_pb2.ListVersionVariablesRequest(
        project_id=project_id(request),
        node=forms.text(query, "node", max_len=MAX_NODE),
        name=forms.text(query, "name", max_len=MAX_NAME),
        updated_after=forms.time_bound(query, "time_start"),
        updated_before=forms.time_bound(query, "time_end", end=True),
    )
    master = request.state["master"]
    reply: vv_pb2.ListVersionVariablesResponse = await master.versions.ListVersionVariables(
        ask, timeout=master.timeout
    )
    return reply


@describe(query=FILTERS, data=schemas.array(ROW))
async def list_version_variables(request: Request[GatewayState]) -> Response:
    """GET /vv/{projectid}: rows `id node name value update_time`, by node then name."""
    return envelope.ok([variable_row(v) for v in (await listed(request)).variables])


@describe(query=FILTERS, data={"type": "array", "items": {"type": "array"}})
async def version_table(request: Request[GatewayState]) -> Response:
    """GET /vv/{projectid}/table: `["NODE", <names>...]`, then a row per node, null where the
    node lacks a name; the same filters as the list."""
    return envelope.ok(table((await listed(request)).variables))


@describe(data={"type": "array", "items": {"type": "object"}})
async def version_analysis(request: Request[GatewayState]) -> Response:
    """GET /vv/{projectid}/analysis/version: per VERSION / APP_<app>_VERSION name, each value's
    share of the nodes (written in the last 365 days) as a 2-decimal percentage string."""
    ask = vv_pb2.CountVersionsRequest(project_id=project_id(request))
    master = request.state["master"]
    reply = await master.versions.CountVersions(ask, timeout=master.timeout)
    return envelope.ok(shares(reply.counts))


@describe(
    query={"appname": schemas.text(MAX_NAME, description="APP_<appname>_VERSION; absent: all")},
    data={"type": "array", "items": {"type": "string"}},
)
async def version_values(request: Request[GatewayState]) -> Response:
    """GET /vv/{projectid}/list: the distinct values (not `Do_...`) of APP_<appname>_VERSION,
    or of every name without `appname`."""
    appname = forms.text(request.query_params, "appname", max_len=MAX_NAME)
    ask = vv_pb2.ListVersionValuesRequest(project_id=project_id(request), appname=appname)
    master = request.state["master"]
    reply = await master.versions.ListVersionValues(ask, timeout=master.timeout)
    return envelope.ok(list(reply.values))


@describe(data={"const": "delete success"})
async def delete_node_versions(request: Request[GatewayState]) -> Response:
    """DELETE /vv/{projectid}/{node}: every variable of that node, gone; `data` is
    "delete success" (a node with none: NOT_FOUND naming `node`)."""
    node = forms.text(request.path_params, "node", required=True, max_len=MAX_NODE)
    ask = vv_pb2.DeleteNodeVersionVariablesRequest(project_id=project_id(request), node=node)
    master = request.state["master"]
    await master.versions.DeleteNodeVersionVariables(ask, timeout=master.timeout)
    return envelope.ok("delete success")


routes: list[BaseRoute] = [
    Route("/vv/{projectid}", list_version_variables, methods=["GET"]),
    Route("/vv/{projectid}/table", version_table, methods=["GET"]),
    Route("/vv/{projectid}/analysis/version", version_analysis, methods=["GET"]),
    Route("/vv/{projectid}/list", version_values, methods=["GET"]),
    Route("/vv/{projectid}/{node}", delete_node_versions, methods=["DELETE"]),
]
