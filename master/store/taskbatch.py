"""Many tasks written at once: what the crontab scheduler starts in one tick (a thousand
per-second crontabs are a thousand tasks a second), each row as tasks.create writes it, all of
them in one transaction of a few statements instead of a transaction of four per task."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from peewee import fn

from master.db.bulk import insert_rows
from master.db.connection import db, write_transaction
from master.db.models import Subtask, Task, utcnow
from master.db.returning import insert_returning
from master.domain import NewTask, SubtaskStatus
from master.errors import AlreadyExists, JobfleetError
from master.store.tasks import open_count, task_values, too_many_running

TAKEN = 'SELECT "uuid" FROM "task" WHERE "project_id" = {param} AND "uuid" IN ({params})'


def taken_uuids(project_id: int, uuids: Iterable[str]) -> set[str]:
    """Which of `uuids` a task of the project already has: one query."""
    wanted = list(uuids)
    if not wanted:
        return set()
    param = str(db.param)
    text = TAKEN.format(param=param, params=", ".join([param] * len(wanted)))
    return {str(u) for (u,) in db.execute_sql(text, [project_id, *wanted])}


def create_many(news: list[NewTask], max_running: int = 0) -> list[int | JobfleetError]:
    """Write each task (each with its uuid) and its steps, not started, as tasks.create does,
    in one transaction: for each, its id, or why it was refused as tasks.create refuses it (a
    uuid the project has taken; past the project's `max_running` tasks not ended, 0: no quota)."""
    now = utcnow()
    with write_transaction():
        taken = _taken(news)
        room = _room(news, max_running)
        texts = JsonTexts()
        outcomes: list[int | JobfleetError | None] = []
        rows: list[dict[str, Any]] = []
        for new in news:
            refused = _refused(new, taken, room, max_running)
            outcomes.append(refused)
            if refused is None:
                taken.add((new.project_id, new.uuid))
                rows.append(_task_row(new, now, texts))
        found = insert_returning(Task, rows, ["id", "project_id", "uuid"])
        ids = {(project, str(uuid)): int(i) for i, project, uuid in found}
        written = [n for n, o in zip(news, outcomes, strict=True) if o is None]
        insert_rows(Subtask, [r for n in written for r in _subtask_rows(ids[key(n)], n, texts)])
    return [ids[key(n)] if o is None else o for n, o in zip(news, outcomes, strict=True)]


def key(new: NewTask) -> tuple[int, str]:
    return new.project_id, new.uuid


def _taken(news: list[NewTask]) -> set[tuple[int, str]]:
    uuids: dict[int, set[str]] = {}
    for new in news:
        uuids.setdefault(new.project_id, set()).add(new.uuid)
    return {(p, u) for p, wanted in uuids.items() for u in taken_uuids(p, wanted)}


def _room(news: list[NewTask], max_running: int) -> Counter[int]:
    """Per project, how many more tasks may be open under the quota."""
    if not max_running:
        return Counter()
    projects = {n.project_id for n in news}
    highest = Task.select(fn.MAX(Task.id)).scalar() or 0
    if highest + len(news) <= max_running:  # fewer tasks than that exist at all: no count
        return Counter({p: max_running - highest for p in projects})
    return Counter({p: max_running - open_count(p, max_running) for p in projects})


def _refused(
    new: NewTask, taken: set[tuple[int, str]], room: Counter[int], max_running: int
) -> JobfleetError | None:
    if key(new) in taken:
        return AlreadyExists(f"task {new.uuid} exists", "task_uuid")
    if max_running:
        if room[new.project_id] <= 0:
            return too_many_running(new.project_id, max_running)
        room[new.project_id] -= 1
    return None


class JsonTexts:
    """JSON text of values many tasks share: the tasks planned once for a tick's fires of one
    job share their variables, inputs and step specs (the same objects)."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Any, str]] = {}

    def __call__(self, value: Any, sort_keys: bool = False) -> str:
        found = self._texts.get(id(value))
        if found is None or found[0] is not value:
            found = (value, json.dumps(value, sort_keys=sort_keys))
            self._texts[id(value)] = found
        return found[1]


def _task_row(new: NewTask, now: Any, texts: JsonTexts) -> dict[str, Any]:
    """The task's columns as tasks.create writes them."""
    return task_values(new, new.uuid, now, texts)


def _subtask_rows(task_id: int, new: NewTask, texts: JsonTexts) -> list[dict[str, Any]]:
    return [
        {
            "task": task_id,
            "position": i,
            "uuid": s.uuid,
            "kind": s.kind,
            "pause": s.pause,
            "node_count": s.node_count,
            "spec": texts(s.spec),
            "status": SubtaskStatus.INIT,
        }
        for i, s in enumerate(new.steps)
    ]
