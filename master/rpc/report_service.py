"""ReportService: the dashboard's counts. Each method: request in, one call on the reports,
response out. Scope is the auth layer's: a request naming no project is every project for the
admin token and the token's own project for a project token (auth.py), so a project token
never counts another project's tasks."""

from __future__ import annotations

from jobfleet.v1 import report_pb2 as pb
from jobfleet.v1 import report_pb2_grpc
from master.reports.service import Reports
from master.rpc.context import Context
from master.rpc.convert import report as convert
from master.rpc.errors import unary


class ReportServicer(report_pb2_grpc.ReportServiceServicer):
    def __init__(self, reports: Reports) -> None:
        self.reports = reports

    @unary
    async def RecentTasks(
        self, request: pb.RecentTasksRequest, context: Context
    ) -> pb.RecentTasksResponse:
        rows = await self.reports.recent(request.project_id, request.count)
        return pb.RecentTasksResponse(tasks=[convert.recent_task(r) for r in rows])

    @unary
    async def DailyCounts(
        self, request: pb.DailyCountsRequest, context: Context
    ) -> pb.DailyCountsResponse:
        days = await self.reports.daily(request.project_id, request.page_project_id)
        return pb.DailyCountsResponse(
            days=[convert.day(d) for d in days], time_zone=self.reports.zone.key
        )

    @unary
    async def HourlyCounts(
        self, request: pb.HourlyCountsRequest, context: Context
    ) -> pb.HourlyCountsResponse:
        hours = await self.reports.hourly(request.project_id)
        return pb.HourlyCountsResponse(
            hours=[pb.HourCount(hour=h, count=n) for h, n in sorted(hours.items())],
            time_zone=self.reports.zone.key,
        )

    @unary
    async def RuntimeBands(
        self, request: pb.RuntimeBandsRequest, context: Context
    ) -> pb.RuntimeBandsResponse:
        total, bands = await self.reports.runtimes(request.project_id)
        return pb.RuntimeBandsResponse(bands=[convert.band(b) for b in bands], total=total)

    @unary
    async def ProjectCounts(
        self, request: pb.ProjectCountsRequest, context: Context
    ) -> pb.ProjectCountsResponse:
        found = await self.reports.per_project(request.project_id, request.page_project_id)
        return pb.ProjectCountsResponse(
            projects=[pb.ProjectCount(project_id=p, count=n) for p, n in found]
        )
