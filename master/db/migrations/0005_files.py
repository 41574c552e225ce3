"""The file server (named files over content-addressed blobs) and copy executions: an
execution's role (run, fetch, place) and the blob a fetch stored."""

import datetime

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Project(Base):
        name = pw.CharField(max_length=255, unique=True)

    class StoredFile(Base):
        create_user = pw.CharField(max_length=255, default="")
        create_time = pw.DateTimeField(default=_now)
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        name = pw.CharField(max_length=255)
        sha256 = pw.CharField(max_length=64)
        size = pw.BigIntegerField()

        class Meta:
            indexes = ((("project", "name"), True),)

    return [StoredFile]


COLUMNS = [
    ("execution", "role", pw.CharField(max_length=8, default="run")),
    ("execution", "blob", pw.CharField(max_length=80, default="")),
    ("execution", "blob_size", pw.BigIntegerField(default=0)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
    db.drop_tables(_models(db))
