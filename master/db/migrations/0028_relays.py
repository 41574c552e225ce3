"""Relays between masters of one database: one row per piece of work a master asks another to
do (send executions to a slave attached there, kill, a subtask control, settle a task it owns),
taken by the target in one transaction. New table only; nothing stored changes."""

import datetime

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Relay(Base):
        master = pw.TextField()
        kind = pw.CharField(max_length=16)
        body = pw.TextField(default="{}")
        created_at = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("master", "id"), False),)

    return [Relay]


def up(migrator: object, db: pw.Database) -> None:
    db.create_tables(_models(db))


def down(migrator: object, db: pw.Database) -> None:
    db.drop_tables(_models(db))
