"""On PostgreSQL an execution's step is checked once per statement, not once per row: the
foreign keys execution.task_id -> task and execution.subtask_id -> subtask become triggers
that hold the same (and that the step is one of the execution's own task).

A foreign key runs a lookup (a trigger call, an index probe and a row lock) for every row
inserted: for a 10,000-node start that was 20,000 of them, most of the server's time writing
it. Here an INSERT statement checks its rows' distinct (task, step) pairs at once, from the
rows it inserted (a transition table): for a start, one step, looked up and locked once.

What each foreign key did, and what holds it now:
- an execution's step exists and is its task's (so its task exists, through subtask's own
  key): checked after each INSERT statement for all its rows (`execution_steps_exist`), and
  after an UPDATE of a row's task_id or subtask_id that changes them; refused with
  foreign_key_violation (23503), the statement undone.
- the step cannot go while an execution is being written for it: the check locks the steps it
  found FOR KEY SHARE, as the foreign key's lookup does, so a step's DELETE waits for the
  writer to end, and a writer finding its step deleted (the lookup skips a deleted row) fails.
- deleting a step deletes its executions (ON DELETE CASCADE): after each DELETE statement on
  subtask, its executions are deleted (`execution_steps_gone`), with a snapshot taken then
  (the master's transactions are READ COMMITTED), so executions committed by a writer that
  held the step's lock are seen. Deleting a task deletes its steps (subtask's key cascades),
  and so their executions.
- a step's id or task changes only when no execution names it (NO ACTION); TRUNCATE of
  subtask is refused (a foreign key refuses it too).

SQLite keeps its two keys: changing a key there rebuilds the table, and its checks are cheap
in-process lookups. Existing executions are checked once here: one naming no step of its task
stops the migration with nothing changed.
"""

from typing import Any

import peewee as pw

from master.db.connection import is_postgres

SINGLE_KEYS = """
    SELECT c.conname FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.conrelid = 'execution'::regclass AND c.contype = 'f'
      AND cardinality(c.conkey) = 1 AND a.attname IN ('task_id', 'subtask_id')
"""
"""The names of execution's keys on task_id and subtask_id (PostgreSQL named them)."""

KEY = "execution_step_key"
WRITE_REFUSED = f'insert or update on table "execution" violates foreign key constraint "{KEY}"'
STEP_KEPT = (
    f'update or delete on table "subtask" violates foreign key constraint "{KEY}" '
    'on table "execution"'
)

ORPHANS = """
    SELECT e.id FROM execution e
    WHERE NOT EXISTS (SELECT 1 FROM subtask s WHERE s.id = e.subtask_id AND s.task_id = e.task_id)
    LIMIT 1
"""

UP = [
    f"""
    CREATE FUNCTION execution_steps_exist() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        missing bigint;
    BEGIN
        WITH wanted AS (SELECT DISTINCT task_id, subtask_id FROM added),
        found AS (
            SELECT s.id FROM subtask s
            JOIN wanted w ON s.id = w.subtask_id AND s.task_id = w.task_id
            FOR KEY SHARE OF s
        )
        SELECT (SELECT count(*) FROM wanted) - (SELECT count(*) FROM found) INTO missing;
        IF missing > 0 THEN
            RAISE EXCEPTION '{WRITE_REFUSED}'
                USING ERRCODE = 'foreign_key_violation',
                DETAIL = missing || ' (task_id, subtask_id) pair(s) name no step of that task.',
                CONSTRAINT = '{KEY}';
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION execution_step_exists() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM subtask s WHERE s.id = NEW.subtask_id AND s.task_id = NEW.task_id
            FOR KEY SHARE OF s;
        IF NOT FOUND THEN
            RAISE EXCEPTION '{WRITE_REFUSED}'
                USING ERRCODE = 'foreign_key_violation',
                DETAIL = 'Key (task_id, subtask_id)=(' || NEW.task_id || ', ' || NEW.subtask_id
                    || ') names no step of that task.',
                CONSTRAINT = '{KEY}';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION execution_steps_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM execution e USING gone g WHERE e.subtask_id = g.id;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION execution_step_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' OR EXISTS (SELECT 1 FROM execution WHERE subtask_id = OLD.id) THEN
            RAISE EXCEPTION '{STEP_KEPT}'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{KEY}';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER execution_step_key AFTER INSERT ON execution
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION execution_steps_exist()
    """,
    """
    CREATE TRIGGER execution_step_key_update AFTER UPDATE OF task_id, subtask_id ON execution
    FOR EACH ROW WHEN (OLD.task_id <> NEW.task_id OR OLD.subtask_id <> NEW.subtask_id)
    EXECUTE FUNCTION execution_step_exists()
    """,
    """
    CREATE TRIGGER execution_step_key_cascade AFTER DELETE ON subtask
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION execution_steps_gone()
    """,
    """
    CREATE TRIGGER execution_step_key_kept AFTER UPDATE OF id, task_id ON subtask
    FOR EACH ROW WHEN (OLD.id <> NEW.id OR OLD.task_id <> NEW.task_id)
    EXECUTE FUNCTION execution_step_kept()
    """,
    """
    CREATE TRIGGER execution_step_key_truncate BEFORE TRUNCATE ON subtask
    FOR EACH STATEMENT EXECUTE FUNCTION execution_step_kept()
    """,
]

DOWN = [
    "DROP TRIGGER execution_step_key ON execution",
    "DROP TRIGGER execution_step_key_update ON execution",
    "DROP TRIGGER execution_step_key_cascade ON subtask",
    "DROP TRIGGER execution_step_key_kept ON subtask",
    "DROP TRIGGER execution_step_key_truncate ON subtask",
    "DROP FUNCTION execution_steps_exist(), execution_step_exists(), execution_steps_gone(), "
    "execution_step_kept()",
    'ALTER TABLE "execution" ADD CONSTRAINT "execution_task_id_fkey" FOREIGN KEY ("task_id") '
    'REFERENCES "task" ("id") ON DELETE CASCADE, '
    'ADD CONSTRAINT "execution_subtask_id_fkey" FOREIGN KEY ("subtask_id") '
    'REFERENCES "subtask" ("id") ON DELETE CASCADE',
]


def up(migrator: Any, db: pw.Database) -> None:
    if not is_postgres(db):
        return
    run: Any = db.execute_sql
    for (name,) in run(SINGLE_KEYS).fetchall():  # locks the table: nothing is written meanwhile
        run(f'ALTER TABLE "execution" DROP CONSTRAINT "{name}"')
    orphan = run(ORPHANS).fetchone()
    if orphan is not None:
        raise pw.IntegrityError(
            f"execution {orphan[0]} names no step of its task: the step key cannot hold"
        )
    for statement in UP:
        run(statement)


def down(migrator: Any, db: pw.Database) -> None:
    if not is_postgres(db):
        return
    run: Any = db.execute_sql
    for statement in DOWN:
        run(statement)
