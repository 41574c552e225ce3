"""Interactive terminals: sessions (with what ended them), the terminal audit log, single-use
tickets (their hash only), each project's terminal settings, and recorded output in chunks.
New tables only; nothing stored changes."""

import datetime

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class TerminalSession(Base):
        uuid = pw.CharField(max_length=32, unique=True)
        project_id = pw.IntegerField()
        actor = pw.CharField(max_length=255, default="")
        token_id = pw.IntegerField(default=0)
        nodes = pw.TextField(default="")
        user = pw.CharField(max_length=255, default="")
        mode = pw.CharField(max_length=8)
        opened_at = pw.DateTimeField(default=_now)
        ended_at = pw.DateTimeField(null=True)
        exit_code = pw.IntegerField(default=-1)
        reason = pw.TextField(default="")
        recorded = pw.BooleanField(default=False)
        cols = pw.IntegerField(default=80)
        rows = pw.IntegerField(default=24)
        term = pw.CharField(max_length=64, default="")

        class Meta:
            indexes = ((("project_id", "ended_at"), False), (("ended_at",), False))

    class TerminalLog(Base):
        project_id = pw.IntegerField()
        session = pw.CharField(max_length=32, default="")
        actor = pw.CharField(max_length=255, default="")
        node = pw.TextField(default="")
        usr = pw.CharField(max_length=255, default="")
        cmd = pw.TextField(default="")
        kind = pw.CharField(max_length=8)
        time = pw.DateTimeField(default=_now)
        task_uuid = pw.CharField(max_length=64, default="")

        class Meta:
            indexes = (
                (("project_id", "id"), False),
                (("project_id", "time"), False),
                (("project_id", "session"), False),
            )

    class TerminalTicket(Base):
        digest = pw.CharField(max_length=64, unique=True)
        project_id = pw.IntegerField()
        token_id = pw.IntegerField(default=0)
        actor = pw.CharField(max_length=255, default="")
        nodes = pw.TextField(default="")
        group_id = pw.IntegerField(default=0)
        user = pw.CharField(max_length=255, default="")
        mode = pw.CharField(max_length=8, default="")
        cols = pw.IntegerField(default=80)
        rows = pw.IntegerField(default=24)
        term = pw.CharField(max_length=64, default="")
        created_at = pw.DateTimeField(default=_now)
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            indexes = ((("expires_at",), False),)

    class TerminalSettings(Base):
        project_id = pw.IntegerField(unique=True)
        record = pw.BooleanField(default=False)
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)

    class TerminalChunk(Base):
        session = pw.CharField(max_length=32)
        seq = pw.IntegerField()
        at = pw.FloatField()
        kind = pw.CharField(max_length=1, default="o")
        data = pw.BlobField()

        class Meta:
            indexes = ((("session", "seq"), True),)

    return [TerminalSession, TerminalLog, TerminalTicket, TerminalSettings, TerminalChunk]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(list(reversed(_models(db))))
