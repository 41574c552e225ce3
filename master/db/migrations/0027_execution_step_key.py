"""On PostgreSQL an execution's task and step are checked by one foreign key, (task_id,
subtask_id) -> subtask (task_id, id), instead of one key each: every row inserted runs one
lookup (a trigger and an index probe) per key, and those two were most of the server's time
writing a 10,000-node start. The one key holds what the two held and more: the step exists
(so its task does, through subtask's own key), and it is a step of the execution's own task.
Deleting a task still deletes its executions (task -> its steps -> their executions, each ON
DELETE CASCADE), deleting a step still deletes its own.

SQLite keeps its two keys (changing a key there rebuilds the table, and its checks are cheap
in-process lookups). Refused, with nothing changed, if an execution names a step of another
task: such a row breaks what the new key says."""

from typing import Any

import peewee as pw

from master.db.connection import is_postgres

STEP_KEY = "execution_task_id_subtask_id_fkey"
STEP_INDEX = "subtask_task_id_id"
SINGLE_KEYS = """
    SELECT c.conname FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.conrelid = 'execution'::regclass AND c.contype = 'f'
      AND cardinality(c.conkey) = 1 AND a.attname IN ('task_id', 'subtask_id')
"""
"""The names of execution's one-column keys on task_id and subtask_id (PostgreSQL named them)."""


def up(migrator: Any, db: pw.Database) -> None:
    if not is_postgres(db):
        return
    run: Any = db.execute_sql
    run(f'CREATE UNIQUE INDEX IF NOT EXISTS "{STEP_INDEX}" ON "subtask" ("task_id", "id")')
    drops = [f'DROP CONSTRAINT "{name}"' for (name,) in run(SINGLE_KEYS).fetchall()]
    run(
        f'ALTER TABLE "execution" {"".join(d + ", " for d in drops)}'
        f'ADD CONSTRAINT "{STEP_KEY}" FOREIGN KEY ("task_id", "subtask_id") '
        'REFERENCES "subtask" ("task_id", "id") ON DELETE CASCADE'
    )


def down(migrator: Any, db: pw.Database) -> None:
    if not is_postgres(db):
        return
    run: Any = db.execute_sql
    run(
        f'ALTER TABLE "execution" DROP CONSTRAINT "{STEP_KEY}", '
        'ADD CONSTRAINT "execution_task_id_fkey" FOREIGN KEY ("task_id") '
        'REFERENCES "task" ("id") ON DELETE CASCADE, '
        'ADD CONSTRAINT "execution_subtask_id_fkey" FOREIGN KEY ("subtask_id") '
        'REFERENCES "subtask" ("id") ON DELETE CASCADE'
    )
    run(f'DROP INDEX "{STEP_INDEX}"')
