"""The dashboard's reports: a task's run time, and a tally the database keeps of started tasks.

- task.runtime_ms: milliseconds from start to end, set when the task ends (NULL while it runs,
  and for a task that never started); filled here for the tasks already ended.
- task_tally: per project and UTC quarter hour of `started_at` (`slot` = epoch seconds // 900),
  how many tasks started then, how many of them ended `success`, and how many ran for less than
  1, 3, 5, 10 and 30 minutes (the runtime report's bands; 30 min or more, or not ended, is the
  rest). Every local day and hour of a zone is a whole number of quarter hours, so any report
  reads at most 96 rows per project and day, however many tasks there are.
- Triggers on task keep the tally right on every INSERT, DELETE (a project's cascade too) and
  UPDATE of the columns it counts, whoever writes: the counts are the database's own.
- Filled here from the tasks already stored.
"""

from collections.abc import Callable
from typing import Any

import peewee as pw

from master.db.connection import is_postgres

BANDS_MS = (60_000, 180_000, 300_000, 600_000, 1_800_000)
"""Upper bounds (exclusive) of the bands rt0..rt4; store/reports.py reads the same columns."""

TALLY = """CREATE TABLE task_tally (
    project_id INTEGER NOT NULL, slot BIGINT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0, success BIGINT NOT NULL DEFAULT 0,
    rt0 BIGINT NOT NULL DEFAULT 0, rt1 BIGINT NOT NULL DEFAULT 0, rt2 BIGINT NOT NULL DEFAULT 0,
    rt3 BIGINT NOT NULL DEFAULT 0, rt4 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, slot)){without_rowid}"""
TALLY_INDEX = "CREATE INDEX task_tally_slot ON task_tally (slot, project_id, total, success)"
"""Every project's counts of a window (statistics, the date report of every project) read from
this index alone; one project's from the primary key (SQLite: the table itself, WITHOUT
ROWID)."""
COUNTED = ("total", "success", "rt0", "rt1", "rt2", "rt3", "rt4")

SQLITE_RUNTIME = (
    "CAST(ROUND((julianday(finished_at) - julianday(started_at)) * 86400000) AS INTEGER)"
)
PG_RUNTIME = "CAST(ROUND(EXTRACT(EPOCH FROM (finished_at - started_at)) * 1000) AS BIGINT)"
SQLITE_SLOT = "CAST(strftime('%s', {r}.started_at) AS INTEGER) / 900"
PG_SLOT = "CAST(floor(EXTRACT(EPOCH FROM {r}.started_at) / 900) AS BIGINT)"


def _values(r: str, sign: str) -> list[str]:
    """The counted values of row `r` (NEW, OLD or a table alias), times `sign`."""
    bands = [
        f"{sign} * (CASE WHEN {r}.runtime_ms < {b} "
        + (f"AND {r}.runtime_ms >= {BANDS_MS[i - 1]} " if i else "")
        + "THEN 1 ELSE 0 END)"
        for i, b in enumerate(BANDS_MS)
    ]
    return [sign, f"{sign} * (CASE WHEN {r}.status = 'success' THEN 1 ELSE 0 END)", *bands]


def _add(r: str, sign: str, slot: str) -> str:
    """INSERT-or-add row `r`'s counts into its tally row."""
    columns = ", ".join(COUNTED)
    added = ", ".join(f"{c} = task_tally.{c} + excluded.{c}" for c in COUNTED)
    return (
        f"INSERT INTO task_tally (project_id, slot, {columns}) "
        f"SELECT {r}.project_id, {slot.format(r=r)}, {', '.join(_values(r, sign))} "
        f"WHERE {r}.started_at IS NOT NULL "
        f"ON CONFLICT (project_id, slot) DO UPDATE SET {added}"
    )


CHANGED = (
    "OLD.project_id IS NOT NEW.project_id OR OLD.started_at IS NOT NEW.started_at "
    "OR OLD.runtime_ms IS NOT NEW.runtime_ms "
    "OR (OLD.status = 'success') IS NOT (NEW.status = 'success')"
)
WATCHED = "project_id, started_at, status, runtime_ms"


def _sqlite_triggers() -> list[str]:
    add, remove = _add("NEW", "1", SQLITE_SLOT), _add("OLD", "-1", SQLITE_SLOT)
    return [
        f"CREATE TRIGGER task_tally_insert AFTER INSERT ON task BEGIN {add}; END",
        f"CREATE TRIGGER task_tally_delete AFTER DELETE ON task BEGIN {remove}; END",
        f"CREATE TRIGGER task_tally_update AFTER UPDATE OF {WATCHED} ON task WHEN {CHANGED} "
        f"BEGIN {remove}; {add}; END",
    ]


def _pg_triggers() -> list[str]:
    add, remove = _add("NEW", "1", PG_SLOT), _add("OLD", "-1", PG_SLOT)
    changed = CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
    function = (
        "CREATE FUNCTION task_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {remove}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {add}; END IF; "
        "RETURN NULL; END $$"
    )
    return [
        function,
        "CREATE TRIGGER task_tally_write AFTER INSERT OR DELETE ON task "
        "FOR EACH ROW EXECUTE FUNCTION task_tally_apply()",
        f"CREATE TRIGGER task_tally_update AFTER UPDATE OF {WATCHED} ON task "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION task_tally_apply()",
    ]


def _fill(slot: str) -> str:
    sums = ", ".join(f"SUM({v})" for v in _values("t", "1"))
    return (
        f"INSERT INTO task_tally (project_id, slot, {', '.join(COUNTED)}) "
        f"SELECT t.project_id, {slot.format(r='t')}, {sums} FROM task t "
        "WHERE t.started_at IS NOT NULL GROUP BY 1, 2"
    )


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    postgres = is_postgres(db)
    migrator.migrate(migrator.add_column("task", "runtime_ms", pw.BigIntegerField(null=True)))
    runtime = PG_RUNTIME if postgres else SQLITE_RUNTIME
    run: Callable[..., Any] = db.execute_sql
    run(
        f"UPDATE task SET runtime_ms = {runtime} "
        "WHERE finished_at IS NOT NULL AND started_at IS NOT NULL"
    )
    run(TALLY.format(without_rowid="" if postgres else " WITHOUT ROWID"))
    run(TALLY_INDEX)
    run(_fill(PG_SLOT if postgres else SQLITE_SLOT))
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        run(statement)


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    run: Callable[..., Any] = db.execute_sql
    if is_postgres(db):
        run("DROP TRIGGER task_tally_update ON task")
        run("DROP TRIGGER task_tally_write ON task")
        run("DROP FUNCTION task_tally_apply()")
    else:
        for name in ("insert", "delete", "update"):
            run(f"DROP TRIGGER task_tally_{name}")
    run("DROP TABLE task_tally")
    migrator.migrate(migrator.drop_column("task", "runtime_ms"))
