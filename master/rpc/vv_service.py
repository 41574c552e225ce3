"""VersionService: list, count, delete and list the values of version variables. Each method:
request in, one call on `Versions` (tasks/versions.py), response out."""

from __future__ import annotations

from jobfleet.v1 import vv_pb2 as pb
from jobfleet.v1 import vv_pb2_grpc
from master.errors import InvalidArgument
from master.rpc.context import Context
from master.rpc.convert.timestamps import from_unix
from master.rpc.convert.vv import variable
from master.rpc.errors import unary
from master.tasks.versions import Versions


class VersionServicer(vv_pb2_grpc.VersionServiceServicer):
    def __init__(self, versions: Versions) -> None:
        self.versions = versions

    @unary
    async def ListVersionVariables(
        self, request: pb.ListVersionVariablesRequest, context: Context
    ) -> pb.ListVersionVariablesResponse:
        found = await self.versions.listed(
            request.project_id,
            request.node,
            request.name,
            from_unix(request.updated_after, "updated_after"),
            from_unix(request.updated_before, "updated_before"),
        )
        return pb.ListVersionVariablesResponse(variables=[variable(v) for v in found])

    @unary
    async def CountVersions(
        self, request: pb.CountVersionsRequest, context: Context
    ) -> pb.CountVersionsResponse:
        counts = await self.versions.version_counts(request.project_id)
        return pb.CountVersionsResponse(
            counts=[pb.VersionCount(name=n, value=v, count=c) for n, v, c in counts]
        )

    @unary
    async def DeleteNodeVersionVariables(
        self, request: pb.DeleteNodeVersionVariablesRequest, context: Context
    ) -> pb.DeleteNodeVersionVariablesResponse:
        if not request.node:
            raise InvalidArgument("a node is required", "node")
        deleted = await self.versions.delete_node(request.project_id, request.node)
        return pb.DeleteNodeVersionVariablesResponse(deleted=deleted)

    @unary
    async def ListVersionValues(
        self, request: pb.ListVersionValuesRequest, context: Context
    ) -> pb.ListVersionValuesResponse:
        values = await self.versions.values(request.project_id, request.appname)
        return pb.ListVersionValuesResponse(values=values)
