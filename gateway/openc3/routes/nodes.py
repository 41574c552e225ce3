"""OpenC3 `nodelist` and `nodeinfo` documents: the project's machines.

The document lists nodelist's add and delete as `post/del '/userlist/:projectid'`, a copy-paste
slip (those are userlist's routes): they are served as /nodelist/{projectid}[/{id}].

OpenC3's machine page sends one `name` field: an IP (the machine is named by it, and it is its
inner IP), or `name::inner IP[::outer IP]`; `nodes.node_entry` splits it.
"""

from __future__ import annotations

import ipaddress

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

NODE_FILTERS = ("inip", "exip")
MAX_NAME = 255
MAX_PORT = 65535
MAX_CLOUD_ID = 2**31 - 1
"""bk-job's cloud area ids (`bk_cloud_id`) are Java ints."""


def address_schema(description: str) -> schemas.Schema:
    """`address`: an IPv4 or IPv6 address."""
    return {
        "type": "string",
        "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}],
        "description": description,
    }


NODE_BODY = schemas.obj(
    {
        "name": schemas.text(
            MAX_NAME,
            required=True,
            description="a name, an IP (also the inner IP), or `name::inner IP[::outer IP]`",
        ),
        "inip": address_schema("the internal address"),
        "exip": address_schema("the external address"),
        "sshport": schemas.integer(1, MAX_PORT, description="default 22"),
        "slave": schemas.text(MAX_NAME, description="the slave that reaches it; absent = any"),
        "bk_cloud_id": schemas.integer(
            0,
            MAX_CLOUD_ID,
            description="bk-job's cloud area of its IP (its executions are that host); default 0",
        ),
    },
    ["name"],
)
CHECK_QUERY = {
    "node": schemas.query_name_list(description="the node names or addresses to look up")
}
ROWS: schemas.Schema = {"type": "array", "items": {"type": "object"}}
ROW: schemas.Schema = {"type": "object"}
COUNT: schemas.Schema = {
    "type": "object",
    "properties": {"node": {"type": "integer", "minimum": 0}},
    "required": ["node"],
}
REMOVED: schemas.Schema = {"const": 1}
NAMES: schemas.Schema = {"type": "array", "items": {"type": "string"}}
CHECKED: schemas.Schema = {
    "type": "object",
    "properties": {"known": NAMES, "unknown": NAMES},
    "required": ["known", "unknown"],
}


def address(fields: Fields, name: str) -> str:
    """An optional IPv4 or IPv6 address."""
    value = forms.text(fields, name)
    if value and not is_address(value):
        raise FieldError(name, f"not an IP address: {value!r}")
    return value


SEPARATOR = "::"
ENTRY_PARTS = ("name", "inner IP", "outer IP")


def node_entry(fields: Fields) -> tuple[str, str, str]:
    """(name, inip, exip) of OpenC3's one-field entry: `IP` (named by it; its inner IP) or
    `name::inner IP[::outer IP]`; a plain name keeps `inip` and `exip` as sent. Every error
    names `name`, the one field the page sent."""
    name = forms.text(fields, "name", required=True, max_len=MAX_NAME)
    if is_address(name):
        return name, address(fields, "inip") or name, address(fields, "exip")
    if SEPARATOR not in name:
        return name, address(fields, "inip"), address(fields, "exip")
    parts = [part.strip() for part in name.split(SEPARATOR)]
    if len(parts) > len(ENTRY_PARTS):
        raise FieldError("name", f"expected name::inner IP[::outer IP], got {name!r}")
    if forms.text(fields, "inip") or forms.text(fields, "exip"):
        raise FieldError("name", "gives the addresses: send no inip or exip with it")
    parts += [""] * (len(ENTRY_PARTS) - len(parts))
    for what, part in zip(ENTRY_PARTS[:2], parts, strict=False):
        if not part:
            raise FieldError("name", f"has no {what}: expected name::inner IP[::outer IP]")
    for what, part in zip(ENTRY_PARTS[1:], parts[1:], strict=True):
        if part and not is_address(part):
            raise FieldError("name", f"its {what} is not an IP address: {part!r}")
    return parts[0], parts[1], parts[2]


def is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def create_node_request(
    project_id: int, fields: Fields, actor: str
) -> catalog_pb2.CreateNodeRequest:
    """name (or OpenC3's one-field entry, `node_entry`), inip, exip, sshport (absent = 22),
    slave (pinned slave; absent = any), bk_cloud_id (bk-job's cloud area; absent = 0)."""
    name, inip, exip = node_entry(fields)
    return catalog_pb2.CreateNodeRequest(
        project_id=project_id,
        name=name,
        inip=inip,
        exip=exip,
        ssh_port=forms.integer(fields, "sshport", default=0, low=1, high=MAX_PORT),
        slave=forms.text(fields, "slave", max_len=MAX_NAME),
        actor=actor,
        cloud_id=forms.integer(fields, "bk_cloud_id", default=0, low=0, high=MAX_CLOUD_ID),
    )


def list_nodes_request(
    request: Request[GatewayState], wanted: catalog_pb2.ListFilter
) -> catalog_pb2.ListNodesRequest:
    return catalog_pb2.ListNodesRequest(
        project_id=forms.path_id(request, "projectid"), filter=wanted
    )


@describe(query=filters.query(NODE_FILTERS), data=ROWS)
async def list_nodes(request: Request[GatewayState]) -> Response:
    """GET /nodelist/{projectid}: machine rows; also filtered by `inip`/`exip` (contains)."""
    ask = list_nodes_request(request, filters.list_filter(request.query_params, NODE_FILTERS))
    master = request.state["master"]
    reply = await master.catalog.ListNodes(ask, timeout=master.timeout)
    return envelope.ok([views.machine_row(n) for n in reply.nodes], total=reply.total)


@describe(
    body=NODE_BODY,
    example={"name": "web1", "inip": "10.0.1.7", "exip": "203.0.113.7", "sshport": 22},
    data=ROW,
)
async def create_node(request: Request[GatewayState]) -> Response:
    """POST /nodelist/{projectid}: add a machine; `data` is its row."""
    ask = create_node_request(
        forms.path_id(request, "projectid"),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    node = (await master.catalog.CreateNode(ask, timeout=master.timeout)).node
    return envelope.ok(views.machine_row(node))


@describe(data=REMOVED)
async def delete_node(request: Request[GatewayState]) -> Response:
    """DELETE /nodelist/{projectid}/{id}: `data` is 1."""
    ask = catalog_pb2.DeleteNodeRequest(
        project_id=forms.path_id(request, "projectid"), id=forms.path_id(request, "id")
    )
    master = request.state["master"]
    await master.catalog.DeleteNode(ask, timeout=master.timeout)
    return envelope.ok(1)


@describe(query=filters.query(NODE_FILTERS), data=ROWS)
async def node_info(request: Request[GatewayState]) -> Response:
    """GET /nodeinfo/{projectid}: machine rows with `agent` (a slave of that name attached)."""
    ask = list_nodes_request(request, filters.list_filter(request.query_params, NODE_FILTERS))
    master = request.state["master"]
    reply = await master.catalog.ListNodes(ask, timeout=master.timeout)
    return envelope.ok([views.nodeinfo_row(n) for n in reply.nodes], total=reply.total)


@describe(query=CHECK_QUERY, required_query=["node"], data=CHECKED)
async def check_nodes(request: Request[GatewayState]) -> Response:
    """GET /nodeinfo/{projectid}/check?node=a,b: `{known, unknown}`, stat true either way."""
    ask = catalog_pb2.CheckNodesRequest(
        project_id=forms.path_id(request, "projectid"),
        nodes=forms.name_list(request.query_params, "node"),
    )
    master = request.state["master"]
    reply = await master.catalog.CheckNodes(ask, timeout=master.timeout)
    return envelope.ok({"known": list(reply.known), "unknown": list(reply.unknown)})


@describe(query=filters.query(NODE_FILTERS), data=COUNT)
async def count_nodes(request: Request[GatewayState]) -> Response:
    """GET /nodeinfo/{projectid}/count: `{node}`, how many machines the project has (that
    the same filters list)."""
    ask = list_nodes_request(request, filters.count_filter(request.query_params, NODE_FILTERS))
    master = request.state["master"]
    reply = await master.catalog.ListNodes(ask, timeout=master.timeout)
    return envelope.ok({"node": reply.total})


routes: list[BaseRoute] = [
    Route("/nodelist/{projectid}", list_nodes, methods=["GET"]),
    Route("/nodelist/{projectid}", create_node, methods=["POST"]),
    Route("/nodelist/{projectid}/{id}", delete_node, methods=["DELETE"]),
    Route("/nodeinfo/{projectid}", node_info, methods=["GET"]),
    Route("/nodeinfo/{projectid}/check", check_nodes, methods=["GET"]),
    Route("/nodeinfo/{projectid}/count", count_nodes, methods=["GET"]),
]
