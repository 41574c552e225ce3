"""Notices become their deliveries (one per recipient and channel), rendered at once so what
is sent is what was true when the run ended. A batch at a time, inside
store.noticebatch.expand_notices' transaction: what the batch's notices need is read with one
query per kind of row, and a notice whose project has no recipient or webhook and whose run
has no callback is decided in Python, with nothing read for it alone."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from master.db.connection import is_outage
from master.domain import NoticeKind
from master.notify import render
from master.notify.render import APPROVAL_TEMPLATES, TASK_TEMPLATES
from master.secrets import SecretBox
from master.store import noticebatch as store
from master.store.noticebatch import Draft, NodeRow, NoticeRow, TaskRow

EMAIL, SMS, WEBHOOK, CALLBACK = "email", "sms", "webhook", "callback"
FINAL = frozenset({"success", "fail", "killed", "refuse"})
MAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_NAME = re.compile(r"^[A-Za-z0-9_.@-]+$")
STARTER = "_"
logger = logging.getLogger(__name__)
T = TypeVar("T")


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


@dataclass(frozen=True)
class Plan:
    """What one task notice sends: who is mailed and texted, the webhook (URL, sealed secret)
    and the run's callback URL."""

    notice: NoticeRow
    task: TaskRow
    mailed: list[str]
    texted: list[str]
    hook: tuple[str, str] | None
    callback: str

    @property
    def posts(self) -> bool:
        """Whether a JSON document (with the nodes) is sent."""
        return self.hook is not None or bool(self.callback)


@dataclass(frozen=True)
class Batch:
    """What a batch's task notices read: one query per kind of row for all of them."""

    settings: dict[str, str]
    tasks: dict[int, TaskRow]
    users: dict[int, list[str]]
    hooks: dict[int, tuple[str, str]]


class Expander:
    def __init__(self, box: SecretBox, addressing: Addressing) -> None:
        self.box = box
        self.addressing = addressing

    def __call__(self, notices: list[NoticeRow]) -> list[list[Draft]]:
        """Each notice's deliveries, in the batch's order. One that cannot be rendered (a bug, a
        payload that is not what it should be) is logged and yields none, rather than holding up
        every notice after it; a database outage propagates (the transaction is retried)."""
        batch = self._read(notices)
        plans: dict[int, Plan] = {}
        for notice in notices:
            if notice.kind != NoticeKind.APPROVAL:
                plan = self._guarded(notice, partial(self._plan, notice, batch))
                if plan is not None:
                    plans[notice.id] = plan
        names = store.project_names([p.task.project_id for p in plans.values()])
        nodes = store.nodes([p.task.id for p in plans.values() if p.posts])
        return [self._drafts(n, batch, plans, names, nodes) for n in notices]

    def _read(self, notices: list[NoticeRow]) -> Batch:
        told = [n for n in notices if n.kind != NoticeKind.APPROVAL]
        projects = [n.project_id for n in told]
        users = store.recipients(projects)
        asked = len(told) < len(notices)
        settings = store.settings() if users or asked else {}
        tasks = store.tasks([n.task_id for n in told if n.task_id])
        return Batch(settings, tasks, users, store.webhooks(projects))

    def _drafts(
        self,
        notice: NoticeRow,
        batch: Batch,
        plans: dict[int, Plan],
        names: dict[int, str],
        nodes: dict[int, list[NodeRow]],
    ) -> list[Draft]:
        if notice.kind == NoticeKind.APPROVAL:
            made = self._guarded(notice, lambda: self._approval(notice, batch.settings))
            return made or []
        plan = plans.get(notice.id)
        if plan is None:
            return []
        name = names.get(plan.task.project_id, "")
        ran = nodes.get(plan.task.id, [])
        return self._guarded(notice, lambda: self._task(plan, batch.settings, name, ran)) or []

    def _guarded(self, notice: NoticeRow, work: Callable[[], T]) -> T | None:
        try:
            return work()
        except Exception as exc:
            if is_outage(exc):
                raise
            logger.exception("notice %d (%s %s) not rendered", notice.id, notice.kind, notice.event)
            return None

    def _plan(self, notice: NoticeRow, batch: Batch) -> Plan | None:
        """None when the notice sends nothing: the task was deleted since, the event is not told
        of, or no channel is on for anyone and there is no webhook or callback."""
        task = batch.tasks.get(notice.task_id)
        if task is None or notice.event not in render.STATUS_SWITCH:
            return None
        users = self._recipients(batch.users.get(notice.project_id, []), task)
        mailed, texted = (
            users if users and self._switched(batch, task, notice.event, channel) else []
            for channel in (EMAIL, SMS)
        )
        hook = batch.hooks.get(notice.project_id)
        callback = _callback(task.options) if notice.event in FINAL else ""
        if not (mailed or texted or hook or callback):
            return None
        return Plan(notice, task, mailed, texted, hook, callback)

    def _switched(self, batch: Batch, task: TaskRow, event: str, channel: str) -> bool:
        return render.is_on(batch.settings, render.switch(task.call_type, event, channel))

    def _task(
        self, plan: Plan, settings: dict[str, str], name: str, nodes: list[NodeRow]
    ) -> list[Draft]:
        values = render.task_values(plan.task, plan.notice.event, name, self.addressing.zone)
        drafts: list[Draft] = []
        if plan.mailed:
            title = render.template(settings, "notifyTemplateEmailTitle", TASK_TEMPLATES)
            content = render.template(settings, "notifyTemplateEmailContent", TASK_TEMPLATES)
            subject = render.title_line(render.fill(title, values))
            body = render.fill(content, values)
            drafts += [self._email(u, subject, body) for u in plan.mailed]
        if plan.texted:
            sms = render.fill(
                render.template(settings, "notifyTemplateSmsContent", TASK_TEMPLATES), values
            )
            drafts += [Draft(SMS, u, u, "", sms) for u in plan.texted]
        if plan.posts:
            told = render.document(plan.task, plan.notice.event, nodes, self.addressing.zone)
            document = json.dumps(told, sort_keys=True)
            if plan.hook is not None:
                url, sealed = plan.hook
                secret = self.box.open(sealed) if sealed else ""
                drafts.append(Draft(WEBHOOK, url, url, "", document, signature(secret, document)))
            if plan.callback:
                drafts.append(Draft(CALLBACK, plan.callback, plan.callback, "", document))
        return drafts

    def _approval(self, notice: NoticeRow, settings: dict[str, str]) -> list[Draft]:
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

    def _recipients(self, names: list[str], task: TaskRow) -> list[str]:
        """The project's users, `_` as whoever started the run, de-duplicated, in order; names
        OpenC3's sender would drop (not `[A-Za-z0-9_.@-]+`) left out."""
        named = [task.submitter if user == STARTER else user for user in names]
        return [n for n in dict.fromkeys(named) if n and USER_NAME.match(n)]


def _callback(options: str) -> str:
    """The run's callback URL ("" for none); most runs' options name none and are not parsed."""
    if "callback_url" not in (options or ""):
        return ""
    return str(json.loads(options).get("callback_url", ""))
