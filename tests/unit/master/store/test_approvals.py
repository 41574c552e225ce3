"""Approval rows: a token answers its own row once, while the step is open and before its
deadline; a forged, used, expired or mismatched one is refused alike; a kill closes the rows."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from master.catalogue.approval_rules import new_token, token_hash
from master.db.models import Notice, utcnow
from master.domain import JobType, NewStep, NewTask, StepKind
from master.errors import NotFound
from master.store import approvals, tasks


def open_step(
    deadline: dt.timedelta = dt.timedelta(hours=1), tag: str = ""
) -> dict[str, tuple[str, str]]:
    """A task whose approval step asks ann and bob: each one's (token, row uuid)."""
    step = NewStep("s1", StepKind.APPROVAL, "", 0, {})
    task = tasks.create(NewTask(1, "t", "me", "api", JobType.JOB, {}, [step], {}))
    sub = tasks.subtask_at(task.id, 0)
    ask = approvals.StepAsk(task.id, sub.id, 1, 0, "me", "gate", "ok?", False, utcnow() + deadline)
    made = {}
    rows = []
    for name in ("ann", "bob"):
        token, hashed = new_token()
        made[name] = (token, f"u{name}{tag}")
        rows.append(approvals.NewApproval(name, f"u{name}{tag}", hashed, notice={"approver": name}))
    assert approvals.open_step(ask, rows)
    return made


def test_opening_writes_a_notice_per_approver_and_no_token(database: peewee.Database) -> None:
    made = open_step()
    payloads = [n.payload for n in Notice.select()]
    assert len(payloads) == 2
    assert all(token not in p for token, _ in made.values() for p in payloads)


def test_a_step_opened_again_asks_nobody_again(database: peewee.Database) -> None:
    open_step()
    task = tasks.get_by_id(1)
    sub = tasks.subtask_at(task.id, 0)
    ask = approvals.StepAsk(task.id, sub.id, 1, 0, "me", "gate", "ok?", False, utcnow())
    token, hashed = new_token()
    again = approvals.NewApproval("ann", "uann-again", hashed, notice={"approver": "ann"})

    opened = approvals.open_step(ask, [again])  # another master's settle, a moment later

    assert opened is False
    assert [r.uuid for r in approvals.rows_of(sub.id)] == ["uann", "ubob"]
    assert Notice.select().count() == 2


def test_a_token_answers_its_own_row_once(database: peewee.Database) -> None:
    made = open_step()
    ann, bob = made["ann"], made["bob"]
    with pytest.raises(NotFound):
        approvals.answer_by_token(hash_of(ann[0]), "agree", bob[1])  # ann's token, bob's row
    row = approvals.answer_by_token(hash_of(ann[0]), "agree", ann[1])
    assert (row.approver, row.opinion, row.open) == ("ann", "agree", False)
    with pytest.raises(NotFound) as used:
        approvals.answer_by_token(hash_of(ann[0]), "refuse", "")
    with pytest.raises(NotFound) as forged:
        approvals.answer_by_token(hash_of("forged"), "agree", "")
    assert str(used.value) == str(forged.value)


def test_past_its_deadline_or_after_a_kill_a_token_answers_nothing(
    database: peewee.Database,
) -> None:
    late = open_step(dt.timedelta(seconds=-1))
    with pytest.raises(NotFound):
        approvals.answer_by_token(hash_of(late["ann"][0]), "agree", "")
    killed = open_step(tag="2")
    assert approvals.close_task(tasks.get_by_id(2).id, "closed: killed") == 2
    with pytest.raises(NotFound):
        approvals.answer_by_token(hash_of(killed["bob"][0]), "agree", "")


def hash_of(token: str) -> str:
    return token_hash(token)
