"""Version variables: what job tasks with `version` and `ip` write, and what is read of them.

A job task whose variables hold `version` and `ip` (nodes, comma separated) sets, on each of
those nodes, `APP_<_appname_>_VERSION` (or `VERSION` when it has no `_appname_`) to
`Do_<version>` before its first step, and to `<version>` once it ends success; on any other end
the `Do_` value stays. A dry run writes nothing. (Values from output: vvcapture.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from master.db.connection import DbRunner
from master.db.models import Task, VersionVariable, utcnow
from master.domain import JobType, TaskStatus
from master.errors import NotFound
from master.store import projects, vv
from master.tasks.vvscan import MAX_LEN

logger = logging.getLogger(__name__)
DO_PREFIX = vv.DO_PREFIX
ANALYSIS_DAYS = 365


@dataclass(frozen=True)
class JobVersion:
    name: str
    version: str
    nodes: list[str]


def job_version(task: Task) -> JobVersion | None:
    """What the task writes: None unless a job task (not a dry run) with `version` and `ip`."""
    if task.job_type != JobType.JOB or task.check_only:
        return None
    variables = json.loads(task.variables or "{}")
    version, ip = str(variables.get("version") or ""), str(variables.get("ip") or "")
    nodes = [n.strip() for n in ip.split(",") if n.strip()]
    if not version or not nodes:
        return None
    app = str(variables.get("_appname_") or "")
    name = f"APP_{app}_VERSION" if app else "VERSION"
    if len(name) > MAX_LEN or len(DO_PREFIX + version) > MAX_LEN:
        logger.warning(
            "task %s: version variable %s not kept: longer than %d characters",
            task.uuid,
            name[:MAX_LEN],
            MAX_LEN,
        )
        return None
    return JobVersion(name, version, nodes)


async def task_starting(run_db: DbRunner, task: Task) -> None:
    """Before the first step: `Do_<version>` on every node of `ip`."""
    values = starting(task)
    if values:
        await run_db(vv.write, task.project_id, values)


def starting(task: Task) -> list[tuple[str, str, str]]:
    """(node, name, value) the task writes before its first step (none: not a versioned job)."""
    found = job_version(task)
    if found is None:
        return []
    return [(n, found.name, DO_PREFIX + found.version) for n in found.nodes]


async def task_ended(run_db: DbRunner, task: Task, status: TaskStatus) -> None:
    """After a success: `<version>` on every node of `ip`."""
    values = ended_values(task, status)
    if values:
        await run_db(vv.write, task.project_id, values)


def ended_values(task: Task, status: TaskStatus) -> list[tuple[str, str, str]]:
    """(node, name, value) a task ending `status` writes: `<version>` after a success."""
    found = job_version(task) if status == TaskStatus.SUCCESS else None
    return [] if found is None else [(n, found.name, found.version) for n in found.nodes]


class Versions:
    """What the VersionService reads and deletes, within one project."""

    def __init__(self, run_db: DbRunner) -> None:
        self.run_db = run_db

    async def listed(
        self,
        project_id: int,
        node: str,
        name: str,
        after: dt.datetime | None,
        before: dt.datetime | None,
    ) -> list[VersionVariable]:
        """The variables of the node and name ("" = any) written in [after, before)."""
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(vv.listed, project_id, node, name, after, before)

    async def version_counts(self, project_id: int) -> list[tuple[str, str, int]]:
        """(name, value, nodes) of the version names written in the last ANALYSIS_DAYS."""
        since = utcnow() - dt.timedelta(days=ANALYSIS_DAYS)
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(vv.version_counts, project_id, since)

    async def delete_node(self, project_id: int, node: str) -> int:
        await self.run_db(projects.require_project, project_id)
        deleted = await self.run_db(vv.delete_node, project_id, node)
        if not deleted:
            raise NotFound(f"node {node!r} has no version variables", "node")
        logger.info(
            "project %d: %d version variable(s) of node %s deleted", project_id, deleted, node
        )
        return deleted

    async def values(self, project_id: int, appname: str) -> list[str]:
        """The values of APP_<appname>_VERSION (every name when appname is ""), without Do_."""
        name = f"APP_{appname}_VERSION" if appname else ""
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(vv.distinct_values, project_id, name)
