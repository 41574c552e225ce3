"""The catalogue (jobs, scripts, nodes, node groups, accounts, job variables) and multi-step
tasks: a task's position and inputs, a step's pause, and execution attempts."""

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

    class Audited(Base):
        create_user = pw.CharField(max_length=255, default="")
        create_time = pw.DateTimeField(default=_now)
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)

    class Job(Audited):
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        uuid = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(max_length=255)
        permanent = pw.BooleanField(default=False)
        steps = pw.TextField(default="[]")

        class Meta:
            indexes = ((("project", "name"), True),)

    class Script(Audited):
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        name = pw.CharField(max_length=255)
        type = pw.CharField(max_length=16)
        content = pw.TextField()

        class Meta:
            indexes = ((("project", "name"), True),)

    class Node(Audited):
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        name = pw.CharField(max_length=255)
        inip = pw.CharField(max_length=64, default="")
        exip = pw.CharField(max_length=64, default="")
        ssh_port = pw.IntegerField(default=0)
        slave = pw.CharField(max_length=255, default="")

        class Meta:
            indexes = ((("project", "name"), True),)

    class NodeGroup(Audited):
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        name = pw.CharField(max_length=255)
        plugin = pw.CharField(max_length=32, default="list")
        params = pw.TextField(default="")

        class Meta:
            indexes = ((("project", "name"), True),)

    class Account(Audited):
        project = pw.ForeignKeyField(Project, on_delete="CASCADE")
        username = pw.CharField(max_length=64)
        private_key = pw.TextField(default="")
        password = pw.TextField(default="")

        class Meta:
            indexes = ((("project", "username"), True),)

    class Variable(Base):
        job = pw.ForeignKeyField(Job, on_delete="CASCADE")
        name = pw.CharField(max_length=128)
        value = pw.TextField(default="")
        describe = pw.TextField(default="")

        class Meta:
            indexes = ((("job", "name"), True),)

    return [Job, Script, Node, NodeGroup, Account, Variable]


COLUMNS = [
    ("task", "position", pw.IntegerField(default=0)),
    ("task", "redo_of", pw.CharField(max_length=64, default="")),
    ("task", "inputs", pw.TextField(default="{}")),
    ("subtask", "pause", pw.CharField(max_length=255, default="")),
    ("subtask", "node_count", pw.IntegerField(default=0)),
    ("execution", "attempt", pw.IntegerField(default=1)),
    ("execution", "superseded", pw.BooleanField(default=False)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
    db.drop_tables(list(reversed(_models(db))))
