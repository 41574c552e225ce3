"""The projects a page lists for its caller: what ListProjects answers (the admin token: every
project; a project token: its own). The catalogue is kept per project, so a list page asks
each of them in turn."""

from __future__ import annotations

from gateway.upstream import MasterClient
from jobfleet.v1 import catalog_pb2


async def visible_projects(master: MasterClient) -> list[catalog_pb2.Project]:
    reply = await master.catalog.ListProjects(
        catalog_pb2.ListProjectsRequest(), timeout=master.timeout
    )
    return sorted(reply.projects, key=lambda p: p.id)
