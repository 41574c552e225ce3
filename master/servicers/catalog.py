"""CatalogService: projects and slaves."""

from __future__ import annotations

from typing import Any, TypeAlias

from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc

from master import convert
from master.db import DbRunner
from master.link import SlaveSessions
from master.servicers.errors import unary
from master.store import projects, slaves

Context: TypeAlias = Any  # grpc.aio.ServicerContext (grpcio has no type information)


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, run_db: DbRunner, sessions: SlaveSessions) -> None:
        self.run_db = run_db
        self.sessions = sessions

    @unary
    async def CreateProject(
        self, request: catalog_pb2.CreateProjectRequest, context: Context
    ) -> catalog_pb2.CreateProjectResponse:
        row = await self.run_db(projects.create_project, request.name, request.id)
        return catalog_pb2.CreateProjectResponse(project=convert.project(row))

    @unary
    async def ListProjects(
        self, request: catalog_pb2.ListProjectsRequest, context: Context
    ) -> catalog_pb2.ListProjectsResponse:
        rows = await self.run_db(projects.list_projects)
        return catalog_pb2.ListProjectsResponse(projects=[convert.project(r) for r in rows])

    @unary
    async def ListSlaves(
        self, request: catalog_pb2.ListSlavesRequest, context: Context
    ) -> catalog_pb2.ListSlavesResponse:
        rows = await self.run_db(slaves.list_slaves)
        infos = []
        for row in rows:
            session = self.sessions.session(row.name)
            running = session.running if session else 0
            infos.append(convert.slave_info(row, session is not None, running))
        return catalog_pb2.ListSlavesResponse(slaves=infos)
