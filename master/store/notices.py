"""The notification outbox's intake: a notice is written inside the transaction of the change it
tells of, so it exists exactly when the change does (a master stopped between the two is
impossible). master/notify/ expands notices into deliveries and sends them."""

from __future__ import annotations

import json
from collections.abc import Mapping

from master.db.models import Notice
from master.domain import NoticeKind


def enqueue(
    project_id: int,
    kind: NoticeKind,
    event: str,
    payload: Mapping[str, object] | None = None,
    task_id: int = 0,
) -> int:
    """Write a notice; call it inside the transaction that makes the change. Its id."""
    row = Notice.create(
        project_id=project_id,
        task_id=task_id,
        kind=kind,
        event=event,
        payload=json.dumps(dict(payload or {}), sort_keys=True),
    )
    return int(row.id)
