"""Several masters on one PostgreSQL: the `master` table (each live master's row; its
heartbeat_at is its lease, renewed every few seconds with its load), the master whose engine
drives a task (`task.owner`) and the master a slave's stream is on (`slave.attached_to`).
NULL owner and attached_to are a single master's (nothing of this is written then)."""

import datetime
from collections.abc import Callable
from typing import Any

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Master(Base):
        name = pw.TextField(primary_key=True)
        pid = pw.IntegerField(default=0)
        started_at = pw.DateTimeField(default=_now)
        heartbeat_at = pw.DateTimeField(default=_now)
        slaves = pw.IntegerField(default=0)
        tasks = pw.IntegerField(default=0)

    return [Master]


COLUMNS = [
    ("task", "owner", pw.TextField(null=True)),
    ("slave", "attached_to", pw.TextField(null=True)),
]


# The takeover finds a dead master's unfinished tasks and its slaves by these.
INDEXES = [
    "CREATE INDEX task_owner ON task (owner) WHERE owner IS NOT NULL",
    "CREATE INDEX slave_attached_to ON slave (attached_to) WHERE attached_to IS NOT NULL",
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))
    run: Callable[[str], Any] = db.execute_sql
    for sql in INDEXES:
        run(sql)


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    run: Callable[[str], Any] = db.execute_sql
    run("DROP INDEX IF EXISTS slave_attached_to")
    run("DROP INDEX IF EXISTS task_owner")
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
    db.drop_tables(_models(db))
