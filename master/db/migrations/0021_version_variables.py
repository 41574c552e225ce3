"""Version variables: one row per (project, node, name), rewritten in place as cmd steps print
`NAME:[value]` and job tasks with `version` run. Nothing stored changes."""

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

    class VersionVariable(Base):
        project = pw.ForeignKeyField(Project, on_delete="CASCADE", index=False)
        node = pw.CharField(max_length=255)
        name = pw.CharField(max_length=100)
        value = pw.CharField(max_length=100)
        update_time = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "node", "name"), True), (("project", "update_time"), False))

    return [VersionVariable]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(_models(db))
