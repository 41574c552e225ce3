"""`--nodes web1,web2,@db`: node names as given, and `@NAME` a node group of the project by its
name, resolved here (CatalogService.ResolveNodeGroup) since a submitted command takes names."""

from __future__ import annotations

import grpc

from jobfleet.cli.common import CliError
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc


def resolve_nodes(channel: grpc.Channel, project: int, text: str) -> list[str]:
    """The machines `text` names, each once, in order; CliError naming --nodes when it names
    none, or a group the project does not have."""
    entries = [e.strip() for e in text.split(",") if e.strip()]
    if not entries:
        raise CliError("--nodes: name a node (or several, comma-separated, or @GROUP)")
    found: list[str] = []
    for entry in entries:
        names = group_nodes(channel, project, entry[1:]) if entry.startswith("@") else [entry]
        found.extend(n for n in names if n not in found)
    return found


def group_nodes(channel: grpc.Channel, project: int, name: str) -> list[str]:
    stub = catalog_pb2_grpc.CatalogServiceStub(channel)
    listed = stub.ListNodeGroups(
        catalog_pb2.ListNodeGroupsRequest(
            project_id=project, filter=catalog_pb2.ListFilter(name_contains=name)
        ),
        timeout=10,
    ).groups
    group = next((g for g in listed if g.name == name), None)
    if group is None:
        raise CliError(f"--nodes: project {project} has no node group named {name!r}")
    ask = catalog_pb2.ResolveNodeGroupRequest(project_id=project, id=group.id)
    nodes = list(stub.ResolveNodeGroup(ask, timeout=10).nodes)
    if not nodes:
        raise CliError(f"--nodes: node group {name!r} has no nodes")
    return nodes
