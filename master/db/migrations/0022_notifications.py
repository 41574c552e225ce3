"""Notifications: who a project tells (notify_user), the global switches and templates
(setting, OpenC3's `environment`), a project's webhook, and the outbox's deliveries with one row
per attempt. New tables only; nothing stored changes."""

import datetime

import peewee as pw


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db: pw.Database) -> list[type[pw.Model]]:
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class NotifyUser(Base):
        project_id = pw.IntegerField()
        user = pw.CharField(max_length=160)
        status = pw.CharField(max_length=16, default="available")
        create_user = pw.CharField(max_length=255, default="")
        create_time = pw.DateTimeField(default=_now)
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("project_id", "user"), True),)

    class Setting(Base):
        key = pw.CharField(max_length=128, unique=True)
        value = pw.TextField(default="")
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)

    class Webhook(Base):
        project_id = pw.IntegerField(unique=True)
        url = pw.TextField()
        secret = pw.TextField(default="")
        edit_user = pw.CharField(max_length=255, default="")
        edit_time = pw.DateTimeField(default=_now)

    class Delivery(Base):
        notice_id = pw.IntegerField()
        project_id = pw.IntegerField()
        task_id = pw.IntegerField(default=0)
        channel = pw.CharField(max_length=16)
        recipient = pw.CharField(max_length=255)
        address = pw.TextField(default="")
        subject = pw.TextField(default="")
        body = pw.TextField(default="")
        signature = pw.CharField(max_length=80, default="")
        status = pw.CharField(max_length=16, default="pending")
        attempts = pw.IntegerField(default=0)
        next_attempt_at = pw.DateTimeField(default=_now)
        claimed_until = pw.DateTimeField(null=True)
        claimed_by = pw.CharField(max_length=16, default="")
        last_error = pw.TextField(default="")
        sent_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField(default=_now)

        class Meta:
            indexes = (
                (("status", "next_attempt_at"), False),
                (("project_id", "task_id"), False),
            )

    class DeliveryAttempt(Base):
        delivery = pw.ForeignKeyField(Delivery, backref="tries", on_delete="CASCADE")
        number = pw.IntegerField()
        started_at = pw.DateTimeField(default=_now)
        ok = pw.BooleanField(default=False)
        detail = pw.TextField(default="")

    return [NotifyUser, Setting, Webhook, Delivery, DeliveryAttempt]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.create_tables(_models(db))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    db.drop_tables(list(reversed(_models(db))))
