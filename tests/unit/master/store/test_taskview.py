"""A task's view read with SQL written once is the view peewee's queries read: the same rows,
column for column (a long poll's etag hashes them), superseded attempts left out."""

from __future__ import annotations

import peewee

from master.domain import ExecutionStatus, SlaveResult, SubtaskStatus, TaskStatus
from master.store import executions, notes, tasks, taskview
from tests.unit.master.store.test_tasks import new_task, placed


def test_the_prepared_reads_answer_the_rows_peewee_reads(database: peewee.Database) -> None:
    task = tasks.create(new_task(steps=2))
    ok, bad = tasks.start_step(task.id, 0, placed("web1", "web2"))
    executions.close([bad.id], ExecutionStatus.FAIL, "exit 1")
    executions.record_result(SlaveResult(ok.id, ExecutionStatus.SUCCESS, 0, "", 0), None, None)
    tasks.set_subtask(ok.subtask_id, SubtaskStatus.DECISION)
    tasks.set_status(task.id, TaskStatus.DECISION)
    tasks.rerun(task.id, ok.subtask_id, placed("web2"))
    notes.add(task.id, 1, "me", "looked at it")
    notes.add(task.id, 1, "me", "again")

    found = taskview.find(1, task.uuid)

    assert found is not None and found.__data__ == tasks.get(task.uuid, 1).__data__
    assert (taskview.find(2, task.uuid), taskview.find(1, "nope")) == (None, None)
    ran = taskview.executions(task.id)
    assert [r.__data__ for r in ran] == [r.__data__ for r in tasks.executions(task.id)]
    assert [(r.node, r.attempt) for r in ran] == [("web1", 1), ("web2", 2)]
    steps = taskview.subtasks(task.id)
    assert [s.__data__ for s in steps] == [s.__data__ for s in tasks.subtasks(task.id)]
    assert [s.position for s in steps] == [0, 1]
    assert (taskview.note_count(task.id), taskview.note_count(task.id + 1)) == (2, 0)
