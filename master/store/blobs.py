"""Which blobs of the file store are still wanted: what the blob sweep must keep."""

from __future__ import annotations

import peewee as pw

from master.db.models import Execution, StoredFile, Task
from master.domain import FINAL_TASK


def referenced() -> set[str]:
    """SHA-256 of every blob a file server entry names or an execution of a task that has not
    ended holds (a fetch's result, a place's source), read in one statement so the two agree."""
    named = StoredFile.select(StoredFile.sha256.alias("sha256"))
    held = (
        Execution.select(pw.fn.SUBSTR(Execution.blob, 1, 64).alias("sha256"))
        .join(Task, on=Execution.task == Task.id)
        .where(Task.status.not_in(list(FINAL_TASK)) & (Execution.blob != ""))
    )
    return {sha256 for (sha256,) in (named | held).tuples()}
