"""Project tokens: the sha256 of each token (never the token), its project and description."""

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

    class Token(Base):
        create_user = pw.CharField(max_length=255, default="")
        create_time = pw.DateTimeField(default=_now)
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        digest = pw.CharField(max_length=64, unique=True)
        describe = pw.TextField(default="")

    return [Token]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(_models(db))
