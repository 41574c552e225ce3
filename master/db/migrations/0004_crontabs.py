"""Crontabs and their fires: a crontab fires a job; each fire time is claimed by inserting a
row unique on (crontab, fire_time). A task records the crontab that started it, and an index
serves the mutex check ("a task of this project with this mutex has not ended")."""

import datetime

import peewee as pw
from playhouse.migrate import make_index_name


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Project(Base):
        name = pw.CharField(max_length=255, unique=True)

    class Job(Base):
        uuid = pw.CharField(max_length=64, unique=True)

    class Crontab(Base):
        create_user = pw.CharField(max_length=255, default="")
        create_time = pw.DateTimeField(default=_now)
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        name = pw.CharField(max_length=255)
        job = pw.ForeignKeyField(Job, on_delete="CASCADE")
        cron = pw.CharField(max_length=255)
        time_zone = pw.CharField(max_length=64)
        mutex = pw.CharField(max_length=255, default="")
        status = pw.CharField(max_length=16, default="available")
        misfire_policy = pw.CharField(max_length=16, default="skip")
        misfire_grace = pw.IntegerField(default=0)
        revision = pw.IntegerField(default=1)
        schedule_from = pw.DateTimeField(default=_now)
        through = pw.DateTimeField(null=True)

        class Meta:
            indexes = ((("project", "name"), True),)

    class CrontabFire(Base):
        crontab = pw.ForeignKeyField(Crontab, on_delete="CASCADE", index=False)
        project_id = pw.IntegerField()
        mutex = pw.CharField(max_length=255, default="")
        fire_time = pw.DateTimeField()
        through = pw.DateTimeField()
        outcome = pw.CharField(max_length=16)
        task_uuid = pw.CharField(max_length=64, default="")
        reason = pw.TextField(default="")
        recorded_at = pw.DateTimeField(default=_now)

        class Meta:
            indexes = (
                (("crontab", "fire_time"), True),
                (("project_id", "mutex", "recorded_at"), False),
            )

    return [Crontab, CrontabFire]


COLUMNS = [("task", "crontab_id", pw.IntegerField(default=0))]
INDEXES = [("task", ("project_id", "mutex", "status"))]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))
    migrator.migrate(
        *(migrator.add_column(t, c, f) for t, c, f in COLUMNS),
        *(migrator.add_index(t, cols, False) for t, cols in INDEXES),
    )


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(
        *(migrator.drop_index(t, make_index_name(t, cols)) for t, cols in INDEXES),
        *(migrator.drop_column(t, c) for t, c, _ in COLUMNS),
    )
    db.drop_tables(list(reversed(_models(db))))
