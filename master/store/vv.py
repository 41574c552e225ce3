"""Version variables (`VersionVariable`): written by upsert, so a row keeps its id while its
value changes and `update_time` is set on every write; read within one project (NO_PROJECT:
any), so another project's rows are neither seen nor deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import peewee as pw

from master.db.models import Execution, LogChunk, Subtask, Task, VersionVariable, utcnow
from master.domain import NO_PROJECT, StepKind
from master.store import chunkdata

VERSION = "VERSION"
DO_PREFIX = "Do_"
"""A job task's value while it runs (tasks/versions.py); left out of the list of values."""


def write(project_id: int, values: Iterable[tuple[str, str, str]]) -> None:
    """Set (node, name, value) in the project; a later one of the same node and name wins."""
    latest = {(node, name): value for node, name, value in values}
    if not latest:
        return
    now = utcnow()
    rows = [
        {"project": project_id, "node": n, "name": k, "value": v, "update_time": now}
        for (n, k), v in latest.items()
    ]
    (
        VersionVariable.insert_many(rows)
        .on_conflict(
            conflict_target=[VersionVariable.project, VersionVariable.node, VersionVariable.name],
            preserve=[VersionVariable.value, VersionVariable.update_time],
        )
        .execute()
    )


def cmd_executions(execution_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """Of the executions, those running a cmd step: id -> (project, node as addressed)."""
    query = (
        Execution.select(Execution.id, Execution.node, Task.project)
        .join(Subtask, on=(Execution.subtask == Subtask.id))
        .switch(Execution)
        .join(Task, on=(Execution.task == Task.id))
        .where(Execution.id.in_(list(execution_ids)), Subtask.kind == StepKind.CMD.value)
    )
    rows: Any = query.tuples()
    return {i: (project, node) for i, node, project in rows}


def stream_tail(execution_id: int, stderr: bool, before_seq: int, max_bytes: int) -> bytes:
    """The last stored output of one stream of an execution before `before_seq`, at least
    max_bytes of it when there is as much (fewer chunks when they are large)."""
    rows = (
        LogChunk.select(LogChunk.data, LogChunk.codec)
        .where(
            LogChunk.execution == execution_id,
            LogChunk.stderr == stderr,
            LogChunk.seq < before_seq,
        )
        .order_by(LogChunk.seq.desc())
        .limit(8)
    )
    pieces: list[bytes] = []
    size = 0
    for row in rows:
        pieces.append(chunkdata.unpack(row.data, row.codec))
        size += len(pieces[-1])
        if size >= max_bytes:
            break
    return b"".join(reversed(pieces))[-max_bytes:]


def listed(
    project_id: int,
    node: str = "",
    name: str = "",
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
) -> list[VersionVariable]:
    """The project's variables of the node and name ("" = any) written in [after, before),
    by node then name."""
    query = _in_project(project_id)
    if node:
        query = query.where(VersionVariable.node == node)
    if name:
        query = query.where(VersionVariable.name == name)
    if after is not None:
        query = query.where(VersionVariable.update_time >= after)
    if before is not None:
        query = query.where(VersionVariable.update_time < before)
    return list(query.order_by(VersionVariable.node, VersionVariable.name))


def delete_node(project_id: int, node: str) -> int:
    """Remove every variable of the node in the project; how many."""
    query = VersionVariable.delete().where(VersionVariable.node == node)
    if project_id != NO_PROJECT:
        query = query.where(VersionVariable.project == project_id)
    return int(query.execute())


def version_counts(project_id: int, since: dt.datetime) -> list[tuple[str, str, int]]:
    """(name, value, rows) of VERSION and APP_<app>_VERSION written since `since`, by name."""
    name, value = VersionVariable.name, VersionVariable.value
    query = (
        _in_project(project_id, [name, value, pw.fn.COUNT(VersionVariable.id)])
        .where(VersionVariable.update_time >= since)
        .group_by(name, value)
        .order_by(name, value)
    )
    rows: Iterable[tuple[str, str, int]] = query.tuples()
    return [(n, v, int(c)) for n, v, c in rows if is_version_name(n)]


def is_version_name(name: str) -> bool:
    """VERSION, or APP_<app>_VERSION (OpenC3's LIKE 'APP_%_VERSION')."""
    return name == VERSION or (
        name.startswith("APP_") and name.endswith("_VERSION") and len(name) >= len("APP__VERSION")
    )


def distinct_values(project_id: int, name: str) -> list[str]:
    """The values the name has on some node ("" = any name), sorted, without Do_ ones."""
    value = VersionVariable.value
    kept = pw.fn.SUBSTR(value, 1, len(DO_PREFIX)) != DO_PREFIX
    query = _in_project(project_id, [value]).where(kept).distinct()
    if name:
        query = query.where(VersionVariable.name == name)
    rows: Iterable[tuple[str]] = query.order_by(value).tuples()
    return [v for (v,) in rows]


def _in_project(project_id: int, fields: Sequence[Any] = ()) -> Any:
    query = VersionVariable.select(*fields)
    if project_id != NO_PROJECT:
        query = query.where(VersionVariable.project == project_id)
    return query
