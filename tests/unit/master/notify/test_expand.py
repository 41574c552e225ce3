"""Expansion: a task's notice becomes one delivery per recipient and switched-on channel (plus
the webhook and the run's callback), in the transaction that marks it expanded; claims and
attempts as recorded."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import peewee
from cryptography.fernet import Fernet

from master.db.connection import write_transaction
from master.db.models import Delivery, Notice, Task, utcnow
from master.domain import NoticeKind, TaskStatus
from master.notify.expand import Addressing, Expander
from master.secrets import SecretBox
from master.store import noticebatch, notices, projects
from master.store import notify as store
from master.store import tasks as task_store


def a_task(
    project_id: int, submitter: str, call_type: str, options: str = "{}", uuid: str = "T1a2b3c4d5e6"
) -> Task:
    return Task.create(
        uuid=uuid,
        project=project_id,
        name="deploy",
        submitter=submitter,
        status="running",
        call_type=call_type,
        options=options,
        started_at=utcnow(),
    )


def expander(tmp_path: Path) -> Expander:
    box = SecretBox(Fernet.generate_key(), tmp_path / "k")
    return Expander(box, Addressing("corp.example", "UTC"))


def test_a_finished_task_expands_per_user_and_channel_once(
    database: peewee.Database, tmp_path: Path
) -> None:
    project = projects.create_project("p").id
    task = a_task(project, "carol", "page", json.dumps({"callback_url": "http://127.0.0.1:9/cb"}))
    for user in ("alice", "_", "bob@other.example", "carol"):
        store.add_user(project, user, "admin")
    store.save_settings(
        {
            "isPageFailEmail": "true",
            "isPageFailSms": "false",
            "notifyTemplateEmailTitle": "T ${name} ${status}\nignored",
        },
        "admin",
    )
    box = SecretBox(Fernet.generate_key(), tmp_path / "k")
    store.save_webhook(project, "http://127.0.0.1:9/hook", box.seal("s3"), "admin")
    assert task_store.finish(task.id, TaskStatus.KILLED, "killed by alice")

    made = noticebatch.expand_notices(Expander(box, Addressing("corp.example", "UTC")))
    again = noticebatch.expand_notices(expander(tmp_path))

    assert (made, again) == (1, 0)
    rows = list(Delivery.select().order_by(Delivery.id))
    got = [(r.channel, r.recipient, r.address, r.subject) for r in rows]
    assert got == [
        ("email", "alice", "alice@corp.example", "T deploy killed"),
        ("email", "carol", "carol@corp.example", "T deploy killed"),
        ("email", "bob@other.example", "bob@other.example", "T deploy killed"),
        ("webhook", "http://127.0.0.1:9/hook", "http://127.0.0.1:9/hook", ""),
        ("callback", "http://127.0.0.1:9/cb", "http://127.0.0.1:9/cb", ""),
    ]
    assert rows[0].body == f"task {task.uuid} :killed"
    document = json.loads(rows[3].body)
    assert (document["uuid"], document["status"], document["nodes"]) == (task.uuid, "killed", [])
    assert rows[3].signature.startswith("sha256=") and not rows[4].signature


def test_waits_notify_on_change_and_nothing_is_sent_with_every_switch_off(
    database: peewee.Database, tmp_path: Path
) -> None:
    project = projects.create_project("p").id
    task = a_task(project, "carol", "api")
    store.add_user(project, "_", "admin")
    task_store.set_status(task.id, TaskStatus.DECISION)
    task_store.set_status(task.id, TaskStatus.DECISION)  # no change: no second notice
    task_store.set_status(task.id, TaskStatus.RUNNING)  # not told of

    assert [n.event for n in Notice.select()] == ["decision"]
    assert noticebatch.expand_notices(expander(tmp_path)) == 1
    assert Delivery.select().count() == 0
    store.save_settings({"isApiWaitingSms": "true"}, "admin")
    task_store.set_status(task.id, TaskStatus.WAITING)
    noticebatch.expand_notices(expander(tmp_path))
    assert [(d.channel, d.address, d.body) for d in Delivery.select()] == [
        ("sms", "carol", f"projectid={project} taskuuid={task.uuid}: waiting")
    ]


def test_an_approval_goes_to_its_approver_with_its_templates(
    database: peewee.Database, tmp_path: Path
) -> None:
    store.save_settings(
        {
            "isApprovalSuccessEmail": "true",
            "approvalTemplateEmailContent": "${submitter}: ${cont} ${link}",
        },
        "a",
    )
    payload = {
        "approver": "dave",
        "submitter": "erin",
        "cont": "restart db",
        "uuid": "A1",
        "link": "https://c3.example/#/quickapproval/A1",
        "task_uuid": "T",
        "step": 1,
    }
    with write_transaction():
        notices.enqueue(1, NoticeKind.APPROVAL, "asked", payload, 0)

    noticebatch.expand_notices(expander(tmp_path))

    (row,) = Delivery.select()
    assert (row.channel, row.address, row.subject) == (
        "email",
        "dave@corp.example",
        "openc3 approval",
    )
    assert row.body == "erin: restart db https://c3.example/#/quickapproval/A1"


def test_a_claimed_delivery_is_held_until_its_lease_ends_and_attempts_are_kept(
    database: peewee.Database, tmp_path: Path
) -> None:
    project = projects.create_project("p").id
    store.save_webhook(project, "http://127.0.0.1:9/hook", "", "admin")
    task = a_task(project, "carol", "api")
    task_store.finish(task.id, TaskStatus.SUCCESS)
    noticebatch.expand_notices(expander(tmp_path))

    (first,) = store.claim_due(lease=60)
    assert store.claim_due(lease=60) == []  # another master finds it held
    later = utcnow() + dt.timedelta(seconds=30)
    store.record_attempt(first.id, 1, False, "HTTP 500", later)
    assert store.claim_due(lease=60) == []  # not due yet
    store.record_attempt(first.id, 2, True, "HTTP 200", None)

    ((row, tries, event),) = store.deliveries_of(project, task.id)
    assert (row.status, row.attempts, row.last_error, event) == ("sent", 2, "HTTP 500", "success")
    assert [(t.number, t.ok, t.detail) for t in tries] == [
        (1, False, "HTTP 500"),
        (2, True, "HTTP 200"),
    ]
    assert row.sent_at is not None


def test_a_notice_that_cannot_be_rendered_is_skipped_not_blocking_the_next(
    database: peewee.Database, tmp_path: Path
) -> None:
    store.save_settings({"isApprovalSuccessSms": "true"}, "a")
    with write_transaction():
        notices.enqueue(1, NoticeKind.APPROVAL, "asked", None, 0)
        Notice.update(payload="not json").execute()
        notices.enqueue(1, NoticeKind.APPROVAL, "asked", {"approver": "dave", "cont": "ok?"}, 0)

    assert noticebatch.expand_notices(expander(tmp_path)) == 2

    assert [(d.channel, d.address, d.body) for d in Delivery.select()] == [("sms", "dave", "ok?")]


def traced(database: peewee.Database, work: Callable[[], int]) -> tuple[int, list[str]]:
    """What `work` returns, and every statement SQLite ran meanwhile."""
    statements: list[str] = []
    connection: sqlite3.Connection = database.connection()  # type: ignore[no-untyped-call]
    connection.set_trace_callback(statements.append)
    try:
        return work(), statements
    finally:
        connection.set_trace_callback(None)


def test_a_batch_of_notices_costs_a_few_statements_not_some_per_notice(
    database: peewee.Database, tmp_path: Path
) -> None:
    quiet, mailed, hooked = (projects.create_project(p).id for p in ("quiet", "mailed", "hooked"))
    store.add_user(mailed, "_", "admin")
    store.save_settings({"isApiSuccessEmail": "true"}, "admin")
    store.save_webhook(hooked, "http://127.0.0.1:9/hook", "", "admin")
    for n in range(30):
        task_store.finish(a_task(quiet, "carol", "api", uuid=f"q{n}").id, TaskStatus.SUCCESS)

    expanded, quiet_sql = traced(database, lambda: noticebatch.expand_notices(expander(tmp_path)))

    assert expanded == 30 and Delivery.select().count() == 0
    assert Notice.select().where(Notice.expanded == False).count() == 0  # noqa: E712
    # BEGIN, the notices, their tasks, recipients, webhooks, one UPDATE marking all, COMMIT
    assert len(quiet_sql) <= 7, quiet_sql
    for n, project in enumerate([quiet, mailed, hooked] * 10):
        task_store.finish(a_task(project, "dave", "api", uuid=f"b{n}").id, TaskStatus.SUCCESS)

    expanded, busy_sql = traced(database, lambda: noticebatch.expand_notices(expander(tmp_path)))

    assert expanded == 30
    sent = Counter((d.channel, d.recipient) for d in Delivery.select())
    assert sent == {("email", "dave"): 10, ("webhook", "http://127.0.0.1:9/hook"): 10}
    # and the settings, the projects' names, the nodes, one INSERT of every delivery
    assert len(busy_sql) <= 11, busy_sql
