"""The first schema: projects, slaves, tasks, subtasks, executions, log chunks.

Models are frozen copies, independent of master/models.py, so later edits there never change
what this migration does.
"""

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
        created_at = pw.DateTimeField(default=_now)

    class Slave(Base):
        name = pw.CharField(max_length=255, unique=True)
        hostname = pw.CharField(max_length=255, default="")
        addresses = pw.TextField(default="")
        version = pw.CharField(max_length=64, default="")
        first_seen = pw.DateTimeField(default=_now)
        last_seen = pw.DateTimeField(default=_now)

    class Task(Base):
        uuid = pw.CharField(max_length=64, unique=True)
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        name = pw.CharField(max_length=255)
        submitter = pw.CharField(max_length=255, default="")
        status = pw.CharField(max_length=16, index=True)
        call_type = pw.CharField(max_length=16, default="api")
        job_type = pw.CharField(max_length=16, default="plugin_cmd")
        job_uuid = pw.CharField(max_length=64, default="")
        mutex = pw.CharField(max_length=255, default="")
        reason = pw.TextField(default="")
        variables = pw.TextField(default="{}")
        kill_requested = pw.BooleanField(default=False)
        created_at = pw.DateTimeField(default=_now)
        started_at = pw.DateTimeField(null=True)
        finished_at = pw.DateTimeField(null=True)

        class Meta:
            indexes = ((("project", "created_at"), False),)

    class Subtask(Base):
        task = pw.ForeignKeyField(Task, on_delete="CASCADE")
        position = pw.IntegerField()
        uuid = pw.CharField(max_length=64)
        kind = pw.CharField(max_length=8, default="cmd")
        spec = pw.TextField()
        status = pw.CharField(max_length=16)
        started_at = pw.DateTimeField(null=True)
        finished_at = pw.DateTimeField(null=True)

        class Meta:
            indexes = ((("task", "position"), True),)

    class Execution(Base):
        task = pw.ForeignKeyField(Task, on_delete="CASCADE")
        subtask = pw.ForeignKeyField(Subtask, on_delete="CASCADE")
        node = pw.CharField(max_length=255)
        slave = pw.CharField(max_length=255, default="")
        status = pw.CharField(max_length=16)
        exit_code = pw.IntegerField(null=True)
        reason = pw.TextField(default="")
        chunk_count = pw.IntegerField(default=0)
        log_bytes = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField(default=_now)
        started_at = pw.DateTimeField(null=True)
        finished_at = pw.DateTimeField(null=True)

        class Meta:
            indexes = ((("slave", "status"), False),)

    class LogChunk(Base):
        execution = pw.ForeignKeyField(Execution, on_delete="CASCADE")
        seq = pw.IntegerField()
        data = pw.BlobField()

        class Meta:
            primary_key = pw.CompositeKey("execution", "seq")

    return [Project, Slave, Task, Subtask, Execution, LogChunk]


def up(migrator: object, db: pw.Database) -> None:
    models = _models(db)
    db.create_tables(models)
    models[0].create(id=1, name="default")
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql(  # type: ignore[no-untyped-call]
            "SELECT setval(pg_get_serial_sequence('project', 'id'), 1)"
        )


def down(migrator: object, db: pw.Database) -> None:
    db.drop_tables(list(reversed(_models(db))))
