"""The notify capability the servicer adapts: a project's recipients, the global settings
(OpenC3's `environment`), a project's webhook, and a task's deliveries as recorded."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from master.db.connection import DbRunner
from master.db.models import Delivery, DeliveryAttempt, NotifyUser
from master.errors import InvalidArgument
from master.notify.urls import http_url
from master.secrets import SecretBox
from master.store import notify as store
from master.store import projects
from master.store import tasks as task_store

USER = re.compile(r"^[A-Za-z0-9.@_-]{1,128}$")
KEY = re.compile(r"^[A-Za-z0-9]{1,128}$")
MAX_VALUE = 5000
MAX_SECRET = 256


@dataclass(frozen=True)
class WebhookView:
    url: str
    has_secret: bool


class Notify:
    def __init__(self, run_db: DbRunner, box: SecretBox) -> None:
        self.run_db = run_db
        self.box = box

    async def users(self, project_id: int) -> list[NotifyUser]:
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(store.list_users, project_id)

    async def add_user(self, project_id: int, user: str, actor: str) -> NotifyUser:
        if not USER.match(user):
            raise InvalidArgument(
                "letters, digits and . @ _ - (1-128), or _ for the starter", "user"
            )
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(store.add_user, project_id, user, actor)

    async def delete_user(self, project_id: int, row_id: int, actor: str) -> None:
        await self.run_db(projects.require_project, project_id)
        await self.run_db(store.delete_user, project_id, row_id, actor)

    async def settings(self) -> dict[str, str]:
        return await self.run_db(store.settings)

    async def save_settings(self, values: Mapping[str, str], actor: str) -> int:
        if not values:
            raise InvalidArgument("param null", "settings")
        for key, value in values.items():
            if not KEY.match(key):
                raise InvalidArgument(f"key {key!r}: letters and digits only", "settings")
            if len(value) > MAX_VALUE:
                raise InvalidArgument(f"{key}: at most {MAX_VALUE} characters", key)
        return await self.run_db(store.save_settings, dict(values), actor)

    async def delete_settings(self, keys: list[str]) -> int:
        if not keys:
            raise InvalidArgument("param null", "keys")
        return await self.run_db(store.delete_settings, keys)

    async def webhook(self, project_id: int) -> WebhookView | None:
        await self.run_db(projects.require_project, project_id)
        row = await self.run_db(store.webhook, project_id)
        return None if row is None else WebhookView(row.url, bool(row.secret))

    async def save_webhook(self, project_id: int, url: str, secret: str, actor: str) -> None:
        """An empty url removes the webhook."""
        await self.run_db(projects.require_project, project_id)
        if not url:
            await self.run_db(store.delete_webhook, project_id)
            return
        checked = http_url(url, "url")
        if len(secret) > MAX_SECRET:
            raise InvalidArgument(f"at most {MAX_SECRET} characters", "secret")
        sealed = self.box.seal(secret) if secret else ""
        await self.run_db(store.save_webhook, project_id, checked, sealed, actor)

    async def deliveries(
        self, project_id: int, task_uuid: str
    ) -> list[tuple[Delivery, list[DeliveryAttempt], str]]:
        task = await self.run_db(task_store.get, task_uuid, project_id)
        return await self.run_db(store.deliveries_of, int(task.project_id), int(task.id))
