"""Notifications' SQL: a project's recipients, the global settings (OpenC3's `environment`), a
project's webhook, and the outbox's deliveries: claiming due ones under a lease, recording each
attempt (expanding notices into them: store/noticebatch.py)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from master.db.connection import write_transaction
from master.db.models import (
    Delivery,
    DeliveryAttempt,
    Notice,
    NotifyUser,
    Setting,
    Webhook,
    utcnow,
)
from master.errors import AlreadyExists, NotFound

AVAILABLE, DELETED = "available", "deleted"
PENDING, SENT, FAILED = "pending", "sent", "failed"


# --- recipients


def list_users(project_id: int) -> list[NotifyUser]:
    query = NotifyUser.select().where(
        NotifyUser.project_id == project_id, NotifyUser.status == AVAILABLE
    )
    return list(query.order_by(NotifyUser.id))


def add_user(project_id: int, user: str, actor: str) -> NotifyUser:
    """A new recipient; one already there is ALREADY_EXISTS naming `user`."""
    with write_transaction():
        taken = NotifyUser.get_or_none(NotifyUser.project_id == project_id, NotifyUser.user == user)
        if taken is not None:
            raise AlreadyExists(f"user {user} already exists in project {project_id}", "user")
        return NotifyUser.create(
            project_id=project_id, user=user, create_user=actor, edit_user=actor
        )


def delete_user(project_id: int, row_id: int, actor: str) -> None:
    """Soft delete: the row stays, renamed `<user>_<yyyymmddHHMMSSmmm>` so the user may be added
    again; one of another project, deleted or absent is NOT_FOUND naming `id`."""
    now = utcnow()
    suffix = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
    with write_transaction():
        row = NotifyUser.get_or_none(
            NotifyUser.id == row_id,
            NotifyUser.project_id == project_id,
            NotifyUser.status == AVAILABLE,
        )
        if row is None:
            raise NotFound(f"notify {row_id} not found in project {project_id}", "id")
        row.user = f"{row.user}_{suffix}"[:160]
        row.status, row.edit_user, row.edit_time = DELETED, actor, now
        row.save()


# --- settings (global)


def settings() -> dict[str, str]:
    return {row.key: row.value for row in Setting.select().order_by(Setting.key)}


def setting(key: str) -> str:
    """One key's value ("" when unset)."""
    return str(Setting.select(Setting.value).where(Setting.key == key).scalar() or "")


def save_settings(values: Mapping[str, str], actor: str) -> int:
    """Upsert every key (the row and its id stay); the number of keys."""
    now = utcnow()
    with write_transaction():
        for key, value in values.items():
            changed = (
                Setting.update(value=value, edit_user=actor, edit_time=now)
                .where(Setting.key == key)
                .execute()
            )
            if not changed:
                Setting.create(key=key, value=value, edit_user=actor, edit_time=now)
    return len(values)


def delete_settings(keys: list[str]) -> int:
    with write_transaction():
        return int(Setting.delete().where(Setting.key.in_(keys)).execute())


# --- webhooks


def webhook(project_id: int) -> Webhook | None:
    return Webhook.get_or_none(Webhook.project_id == project_id)


def save_webhook(project_id: int, url: str, sealed_secret: str, actor: str) -> None:
    now = utcnow()
    with write_transaction():
        changed = (
            Webhook.update(url=url, secret=sealed_secret, edit_user=actor, edit_time=now)
            .where(Webhook.project_id == project_id)
            .execute()
        )
        if not changed:
            Webhook.create(
                project_id=project_id,
                url=url,
                secret=sealed_secret,
                edit_user=actor,
                edit_time=now,
            )


def delete_webhook(project_id: int) -> bool:
    with write_transaction():
        return bool(Webhook.delete().where(Webhook.project_id == project_id).execute())


# --- the outbox


def has_work(now: dt.datetime) -> bool:
    """A notice to expand or a delivery due: two indexed look-ups, cheap enough to poll."""
    if Notice.select(Notice.id).where(Notice.expanded == False).limit(1).exists():  # noqa: E712
        return True
    due = Delivery.select(Delivery.id).where(
        Delivery.status == PENDING, Delivery.next_attempt_at <= now
    )
    return bool(due.limit(1).exists())


def claim_due(lease: float, limit: int = 20) -> list[Delivery]:
    """Due pending deliveries this master now holds for `lease` seconds: taken by one guarded
    UPDATE (pending, no live lease) stamping a fresh claim token, so of several masters exactly
    one gets each; one whose holder died is taken again once the lease runs out."""
    now = utcnow()
    free = (Delivery.claimed_until.is_null()) | (Delivery.claimed_until < now)
    candidates = (
        Delivery.select(Delivery.id)
        .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now, free)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    until = now + dt.timedelta(seconds=lease)
    claim = secrets.token_hex(8)
    with write_transaction():
        ids = [row.id for row in candidates]
        if not ids:
            return []
        Delivery.update(claimed_until=until, claimed_by=claim).where(
            Delivery.id.in_(ids), Delivery.status == PENDING, free
        ).execute()
    return list(Delivery.select().where(Delivery.claimed_by == claim).order_by(Delivery.id))


def record_attempt(
    delivery_id: int, number: int, ok: bool, detail: str, retry_at: dt.datetime | None
) -> None:
    """One attempt's outcome with the delivery's new state, in one transaction: sent (ok),
    pending again at `retry_at`, or failed (no retry left). Never sent when it was not."""
    now = utcnow()
    with write_transaction():
        DeliveryAttempt.create(
            delivery=delivery_id, number=number, started_at=now, ok=ok, detail=detail[:2000]
        )
        values: dict[object, object] = {Delivery.attempts: number, Delivery.claimed_until: None}
        if ok:
            values.update({Delivery.status: SENT, Delivery.sent_at: now})
        elif retry_at is not None:
            values.update({Delivery.next_attempt_at: retry_at, Delivery.last_error: detail})
        else:
            values.update({Delivery.status: FAILED, Delivery.last_error: detail})
        Delivery.update(values).where(Delivery.id == delivery_id).execute()


def deliveries_of(
    project_id: int, task_id: int
) -> list[tuple[Delivery, list[DeliveryAttempt], str]]:
    """A task's deliveries, oldest first, each with its attempts and its notice's event."""
    rows = list(
        Delivery.select()
        .where(Delivery.project_id == project_id, Delivery.task_id == task_id)
        .order_by(Delivery.id)
    )
    tries: dict[int, list[DeliveryAttempt]] = {row.id: [] for row in rows}
    if rows:
        query = DeliveryAttempt.select().where(DeliveryAttempt.delivery.in_(list(tries)))
        for attempt in query.order_by(DeliveryAttempt.id):
            tries[attempt.delivery_id].append(attempt)
    notice_ids = list({row.notice_id for row in rows})
    events = {n.id: n.event for n in Notice.select().where(Notice.id.in_(notice_ids))}
    return [(row, tries[row.id], str(events.get(row.notice_id, ""))) for row in rows]
