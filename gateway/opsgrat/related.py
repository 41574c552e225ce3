"""The names a page of run rows shows (`template_name`, `inventory_name`, ...), asked of the
master once per page: each job, group and crontab named by one GetJob / GetNodeGroup /
GetCrontab (by id, in its run's project), each project's accounts by one ListAccounts, and the
projects by one ListProjects, all at once. A row named that is gone (NOT_FOUND) has no name."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

import grpc

from gateway.opsgrat.views.job import Key, Related
from gateway.upstream import MasterClient
from jobfleet.v1 import catalog_pb2, common_pb2, crontab_pb2

T = TypeVar("T")


async def related(master: MasterClient, tasks: Sequence[common_pb2.Task]) -> Related:
    """The names of the jobs, groups, accounts, crontabs and projects `tasks` name."""
    jobs = _keys((t.project_id, t.job_id) for t in tasks)
    groups = _keys((t.project_id, t.options.nodegroup_id) for t in tasks)
    schedules = _keys((t.project_id, t.crontab_id) for t in tasks)
    accounts = _keys((t.project_id, t.options.account_id) for t in tasks)
    templates, groups_named, schedules_named, accounts_named, projects = await asyncio.gather(
        _each(jobs, lambda key: _job_name(master, key)),
        _each(groups, lambda key: _group_name(master, key)),
        _each(schedules, lambda key: _crontab_name(master, key)),
        _account_names(master, {project for project, _ in accounts}),
        _project_names(master) if tasks else _nothing(),
    )
    return Related(
        templates=templates,
        groups=groups_named,
        accounts=accounts_named,
        schedules=schedules_named,
        projects=projects,
    )


def _keys(pairs: Iterable[Key]) -> list[Key]:
    return sorted({(project, row_id) for project, row_id in pairs if row_id})


async def _nothing() -> dict[int, str]:
    return {}


async def _each(keys: list[Key], name_of: Callable[[Key], Awaitable[str | None]]) -> dict[Key, str]:
    names = await asyncio.gather(*(name_of(key) for key in keys))
    return {key: name for key, name in zip(keys, names, strict=True) if name is not None}


async def _unless_gone(call: Awaitable[T]) -> T | None:
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise


async def _job_name(master: MasterClient, key: Key) -> str | None:
    ask = catalog_pb2.GetJobRequest(project_id=key[0], id=key[1])
    found = await _unless_gone(master.catalog.GetJob(ask, timeout=master.timeout))
    return None if found is None else str(found.job.name)


async def _group_name(master: MasterClient, key: Key) -> str | None:
    ask = catalog_pb2.GetNodeGroupRequest(project_id=key[0], id=key[1])
    found = await _unless_gone(master.catalog.GetNodeGroup(ask, timeout=master.timeout))
    return None if found is None else str(found.group.name)


async def _crontab_name(master: MasterClient, key: Key) -> str | None:
    ask = crontab_pb2.GetCrontabRequest(project_id=key[0], id=key[1], fire_limit=1)
    found = await _unless_gone(master.crontab.GetCrontab(ask, timeout=master.timeout))
    return None if found is None else str(found.crontab.name)


async def _account_names(master: MasterClient, projects: set[int]) -> dict[Key, str]:
    async def of(project: int) -> dict[Key, str]:
        ask = catalog_pb2.ListAccountsRequest(project_id=project)
        reply = await master.catalog.ListAccounts(ask, timeout=master.timeout)
        return {(project, a.id): a.username for a in reply.accounts}

    names: dict[Key, str] = {}
    for found in await asyncio.gather(*(of(p) for p in sorted(projects))):
        names.update(found)
    return names


async def _project_names(master: MasterClient) -> dict[int, str]:
    reply = await master.catalog.ListProjects(
        catalog_pb2.ListProjectsRequest(), timeout=master.timeout
    )
    return {p.id: p.name for p in reply.projects}
