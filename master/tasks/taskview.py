"""What GetTask shows of a task, and the etag that names that state (queries.py reads it,
viewcache.py keeps it)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from master.db.models import Execution, Subtask, Task


@dataclass(frozen=True)
class TaskView:
    task: Task
    executions: list[Execution]
    subtasks: list[Subtask] = field(default_factory=list)
    note_count: int = 0

    @functools.cached_property
    def etag(self) -> str:
        """A name for this state of the task: every column of the task and of its executions
        and steps, and its note count, hashed; any change to what a reader is shown gives
        another (a long poll's `seen_etag`)."""
        rows = [self.task, *self.executions, *self.subtasks]
        state = repr([sorted(row.__data__.items()) for row in rows] + [self.note_count])
        return hashlib.blake2b(state.encode(), digest_size=12).hexdigest()
