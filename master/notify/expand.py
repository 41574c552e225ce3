"""A notice becomes its deliveries (one per recipient and channel), rendered at once so what is
sent is what was true when the run ended. Runs inside store.notify.expand_notices' transaction."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from master.db.connection import is_outage
from master.db.models import Notice, Task
from master.domain import NoticeKind
from master.notify import render
from master.notify.render import APPROVAL_TEMPLATES, TASK_TEMPLATES
from master.secrets import SecretBox
from master.store import notify as store
from master.store.notify import Draft

EMAIL, SMS, WEBHOOK, CALLBACK = "email", "sms", "webhook", "callback"
FINAL = frozenset({"success", "fail", "killed", "refuse"})
MAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_NAME = re.compile(r"^[A-Za-z0-9_.@-]+$")
STARTER = "_"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Addressing:
    """How user names become mail addresses, and the zone times are shown in."""

    mail_domain: str = ""
    zone: str = "UTC"


def mail_address(user: str, domain: str) -> str:
    """A name that is an address (`a@b.c`) is used as is; a bare name gets `@domain`; anything
    else ("" when no domain is set, `x@app`) has no address."""
    if MAIL_ADDRESS.match(user):
        return user
    if "@" not in user and domain:
        return f"{user}@{domain}"
    return ""


def signature(secret: str, body: str) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of the exact body bytes with the webhook's secret."""
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"sha256={mac}"


class Expander:
    def __init__(self, box: SecretBox, addressing: Addressing) -> None:
        self.box = box
        self.addressing = addressing

    def __call__(self, notice: Notice) -> list[Draft]:
        """The notice's deliveries. One that cannot be rendered (a bug, a payload that is not
        what it should be) is logged and yields none, rather than holding up every notice
        after it; a database outage propagates (the transaction is retried next round)."""
        try:
            return self._drafts(notice)
        except Exception as exc:
            if is_outage(exc):
                raise
            logger.exception("notice %d (%s %s) not rendered", notice.id, notice.kind, notice.event)
            return []

    def _drafts(self, notice: Notice) -> list[Draft]:
        settings = store.settings()
        if notice.kind == NoticeKind.APPROVAL:
            return self._approval(notice, settings)
        task = store.task_of(notice.task_id)
        if task is None or notice.event not in render.STATUS_SWITCH:
            return []  # the task was deleted since: nothing left to tell
        return self._task(notice, task, settings)

    def _task(self, notice: Notice, task: Task, settings: dict[str, str]) -> list[Draft]:
        values = self._values(task, notice.event)
        subject = render.title_line(
            render.fill(
                render.template(settings, "notifyTemplateEmailTitle", TASK_TEMPLATES), values
            )
        )
        content = render.fill(
            render.template(settings, "notifyTemplateEmailContent", TASK_TEMPLATES), values
        )
        sms = render.fill(
            render.template(settings, "notifyTemplateSmsContent", TASK_TEMPLATES), values
        )
        users = self._recipients(notice.project_id, task)
        drafts: list[Draft] = []
        if render.is_on(settings, render.switch(task.call_type, notice.event, EMAIL)):
            drafts += [self._email(u, subject, content) for u in users]
        if render.is_on(settings, render.switch(task.call_type, notice.event, SMS)):
            drafts += [Draft(SMS, u, u, "", sms) for u in users]
        document = json.dumps(self._document(task, notice.event), sort_keys=True)
        hook = store.webhook(notice.project_id)
        if hook is not None:
            secret = self.box.open(hook.secret) if hook.secret else ""
            drafts.append(
                Draft(WEBHOOK, hook.url, hook.url, "", document, signature(secret, document))
            )
        callback = str(json.loads(task.options or "{}").get("callback_url", ""))
        if callback and notice.event in FINAL:
            drafts.append(Draft(CALLBACK, callback, callback, "", document))
        return drafts

    def _approval(self, notice: Notice, settings: dict[str, str]) -> list[Draft]:
        payload: dict[str, Any] = json.loads(notice.payload or "{}")
        values = {k: str(payload.get(k, "")) for k in ("submitter", "cont", "uuid", "name")}
        values |= {
            "id": str(notice.id),
            "user": str(payload.get("approver", "")),
            "link": str(payload.get("link", "")),
        }
        approver = values["user"]
        if not USER_NAME.match(approver):
            return []
        drafts: list[Draft] = []
        if render.is_on(settings, render.approval_switch(EMAIL)):
            title = render.template(settings, "approvalTemplateEmailTitle", APPROVAL_TEMPLATES)
            body = render.template(settings, "approvalTemplateEmailContent", APPROVAL_TEMPLATES)
            subject = render.title_line(render.fill(title, values))
            drafts.append(self._email(approver, subject, render.fill(body, values)))
        if render.is_on(settings, render.approval_switch(SMS)):
            text = render.template(settings, "approvalTemplateSmsContent", APPROVAL_TEMPLATES)
            drafts.append(Draft(SMS, approver, approver, "", render.fill(text, values)))
        return drafts

    def _email(self, user: str, subject: str, content: str) -> Draft:
        return Draft(EMAIL, user, mail_address(user, self.addressing.mail_domain), subject, content)

    def _recipients(self, project_id: int, task: Task) -> list[str]:
        """The project's users, `_` as whoever started the run, de-duplicated, in order; names
        OpenC3's sender would drop (not `[A-Za-z0-9_.@-]+`) left out."""
        names = [
            task.submitter if row.user == STARTER else row.user
            for row in store.list_users(project_id)
        ]
        return [n for n in dict.fromkeys(names) if n and USER_NAME.match(n)]

    def _values(self, task: Task, status: str) -> dict[str, str]:
        zone = self.addressing.zone
        return {
            "id": str(task.id),
            "projectid": str(task.project_id),
            "projectname": store.project_name(task.project_id),
            "uuid": task.uuid,
            "name": task.name,
            "user": task.submitter,
            "calltype": task.call_type,
            "status": status,
            "starttime": render.local_time(task.started_at, zone),
            "finishtime": render.local_time(task.finished_at, zone),
            "notifytype": "notify",
        }

    def _document(self, task: Task, status: str) -> dict[str, Any]:
        """What webhooks and callbacks receive: the run, and one line per node."""
        zone = self.addressing.zone
        nodes = [
            {
                "node": e.node,
                "status": e.status,
                "exit_code": e.exit_code,
                "starttime": render.local_time(e.started_at, zone),
                "finishtime": render.local_time(e.finished_at, zone),
            }
            for e in store.executions_of(task.id)
        ]
        counts: dict[str, int] = {}
        for node in nodes:
            counts[str(node["status"])] = counts.get(str(node["status"]), 0) + 1
        return {
            "event": "task",
            "project_id": task.project_id,
            "id": task.id,
            "uuid": task.uuid,
            "name": task.name,
            "user": task.submitter,
            "calltype": task.call_type,
            "status": status,
            "reason": task.reason,
            "starttime": render.local_time(task.started_at, zone),
            "finishtime": render.local_time(task.finished_at, zone),
            "nodes": nodes,
            "summary": counts,
        }
