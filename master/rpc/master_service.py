"""MasterService: the live masters of the cluster (admin token only: auth.py ADMIN_ONLY)."""

from __future__ import annotations

from google.protobuf import timestamp_pb2

from jobfleet.v1 import cluster_pb2 as pb
from jobfleet.v1 import cluster_pb2_grpc
from master.cluster.listing import LiveMaster, MasterList
from master.rpc.context import Context
from master.rpc.errors import unary


class MasterServicer(cluster_pb2_grpc.MasterServiceServicer):
    def __init__(self, masters: MasterList) -> None:
        self.masters = masters

    @unary
    async def ListMasters(
        self, request: pb.ListMastersRequest, context: Context
    ) -> pb.ListMastersResponse:
        found = await self.masters.listed()
        return pb.ListMastersResponse(
            masters=[info(m) for m in found.masters],
            cluster=found.cluster,
            answered_by=found.answered_by,
        )


def info(master: LiveMaster) -> pb.MasterInfo:
    started = timestamp_pb2.Timestamp()
    started.FromDatetime(master.started_at)
    return pb.MasterInfo(
        name=master.name,
        pid=master.pid,
        started_at=started,
        heartbeat_age=master.heartbeat_age,
        slaves=master.slaves,
        tasks=master.tasks,
    )
