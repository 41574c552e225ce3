"""Indexes for the task list's filters and for reading in order; redundant ones dropped.

- task (project_id, id): a project's tasks newest first (the list's order) and their count;
  it replaces the plain task_project_id index. (project_id, status, id) and (project_id,
  submitter, id): the same list filtered by status or submitter. The time-range filter has
  (project_id, created_at) from 0001; "name contains" is a substring match, which no b-tree
  index serves.
- execution (task_id, id): a task's executions in id order without a sort (a task on 10,000 nodes
  is read that way on every settle); it replaces the plain execution_task_id index.
- log_chunk: its primary key (execution_id, seq) already serves reading one execution's log in
  order (and cascading deletes); log_chunk_execution_id only cost a b-tree write per chunk.
"""

import peewee as pw
from playhouse.migrate import make_index_name

ADDED = [
    ("task", ("project_id", "id")),
    ("task", ("project_id", "status", "id")),
    ("task", ("project_id", "submitter", "id")),
    ("execution", ("task_id", "id")),
]
DROPPED = [
    ("task", ("project_id",)),
    ("execution", ("task_id",)),
    ("log_chunk", ("execution_id",)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(
        *(migrator.add_index(table, columns, False) for table, columns in ADDED),
        *(migrator.drop_index(table, make_index_name(table, cols)) for table, cols in DROPPED),
    )


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(
        *(migrator.add_index(table, columns, False) for table, columns in DROPPED),
        *(migrator.drop_index(table, make_index_name(table, cols)) for table, cols in ADDED),
    )
