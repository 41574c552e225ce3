"""The notification outbox's first table: a notice is written in the same transaction as the
change it tells of (a run ended or waits, an approval is asked), so a master stopped at any point
loses none. Nothing stored changes."""

import datetime

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Notice(Base):
        project_id = pw.IntegerField()
        task_id = pw.IntegerField(default=0)
        kind = pw.CharField(max_length=16)
        event = pw.CharField(max_length=32)
        payload = pw.TextField(default="{}")
        created_at = pw.DateTimeField(default=_now)
        expanded = pw.BooleanField(default=False)

        class Meta:
            indexes = ((("expanded", "id"), False),)

    return [Notice]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(_models(db))
