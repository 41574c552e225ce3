"""CrontabService: list, show, create, edit, switch and delete crontabs. Each method: request
in, one call on the crontab service, response out."""

from __future__ import annotations

from jobfleet.v1 import crontab_pb2 as pb
from jobfleet.v1 import crontab_pb2_grpc
from master.cron.service import Crontabs
from master.domain import CrontabStatus
from master.rpc.context import Context
from master.rpc.convert import catalog as convert_catalog
from master.rpc.convert import crontab as convert_crontab
from master.rpc.errors import unary


class CrontabServicer(crontab_pb2_grpc.CrontabServiceServicer):
    def __init__(self, crontabs: Crontabs) -> None:
        self.crontabs = crontabs

    @unary
    async def ListCrontabs(
        self, request: pb.ListCrontabsRequest, context: Context
    ) -> pb.ListCrontabsResponse:
        found, total = await self.crontabs.list(
            request.project_id,
            convert_catalog.list_filter(request.filter),
            request.fire_limit,
            convert_crontab.status_filter(request.status),
        )
        return pb.ListCrontabsResponse(
            crontabs=[convert_crontab.crontab(v) for v in found], total=total
        )

    @unary
    async def GetCrontab(
        self, request: pb.GetCrontabRequest, context: Context
    ) -> pb.GetCrontabResponse:
        view = await self.crontabs.get(request.project_id, request.id, request.fire_limit)
        return pb.GetCrontabResponse(crontab=convert_crontab.crontab(view))

    @unary
    async def CreateCrontab(
        self, request: pb.CreateCrontabRequest, context: Context
    ) -> pb.CreateCrontabResponse:
        view = await self.crontabs.create(
            request.project_id,
            convert_crontab.wanted(request),
            request.actor,
            convert_crontab.status_or(request.status, CrontabStatus.AVAILABLE),
        )
        return pb.CreateCrontabResponse(crontab=convert_crontab.crontab(view))

    @unary
    async def UpdateCrontab(
        self, request: pb.UpdateCrontabRequest, context: Context
    ) -> pb.UpdateCrontabResponse:
        view = await self.crontabs.update(
            request.project_id, request.id, convert_crontab.wanted(request), request.actor
        )
        return pb.UpdateCrontabResponse(crontab=convert_crontab.crontab(view))

    @unary
    async def SetCrontabStatus(
        self, request: pb.SetCrontabStatusRequest, context: Context
    ) -> pb.SetCrontabStatusResponse:
        view = await self.crontabs.set_status(
            request.project_id, request.id, convert_crontab.status(request.status), request.actor
        )
        return pb.SetCrontabStatusResponse(crontab=convert_crontab.crontab(view))

    @unary
    async def DeleteCrontab(
        self, request: pb.DeleteCrontabRequest, context: Context
    ) -> pb.DeleteCrontabResponse:
        await self.crontabs.delete(request.project_id, request.id)
        return pb.DeleteCrontabResponse()
