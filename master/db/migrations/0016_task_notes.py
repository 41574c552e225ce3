"""Operators' notes on runs (OpsGrat's log rows that are no machine's output): a table of its
own, each note going with its task (ON DELETE CASCADE). Nothing stored changes."""

import datetime

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Task(Base):
        uuid = pw.CharField(max_length=64)

    class TaskNote(Base):
        task = pw.ForeignKeyField(Task, on_delete="CASCADE", index=False)
        author = pw.CharField(max_length=255, default="")
        text = pw.TextField()
        created_at = pw.DateTimeField(default=_now)
        updated_at = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("task", "id"), False),)

    return [TaskNote]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(_models(db))
