"""Approval steps: one row per approver of a step, with the hash of the token its link carries
and the step's deadline (kept here, so a master started again enforces it). Nothing stored
changes."""

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
        class Meta:
            table_name = "task"

    class Subtask(Base):
        class Meta:
            table_name = "subtask"

    class Approval(Base):
        task = pw.ForeignKeyField(Task, on_delete="CASCADE", index=False)
        subtask = pw.ForeignKeyField(Subtask, on_delete="CASCADE")
        project_id = pw.IntegerField()
        uuid = pw.CharField(max_length=32, unique=True)
        approver = pw.CharField(max_length=255)
        submitter = pw.CharField(max_length=255, default="")
        name = pw.CharField(max_length=255, default="")
        content = pw.TextField(default="")
        everyone = pw.BooleanField(default=False)
        token_hash = pw.CharField(max_length=64, null=True, unique=True)
        opinion = pw.CharField(max_length=16, default="unconfirmed")
        remarks = pw.CharField(max_length=255, default="")
        assist = pw.CharField(max_length=255, default="")
        created_at = pw.DateTimeField(default=_now)
        answered_at = pw.DateTimeField(null=True)
        deadline = pw.DateTimeField()
        open = pw.BooleanField(default=True)

        class Meta:
            indexes = ((("project_id", "id"), False),)

    return [Approval]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(_models(db))
