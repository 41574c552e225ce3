"""Approval rows (one per approver of an approval step): written with the step's start and the
notices asking each approver, in one transaction; answered by a link token's hash or (an
admin) by public uuid; closed, with the step's and the task's status, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from master.db.connection import write_transaction
from master.db.models import Approval, Subtask, Task, utcnow
from master.domain import NO_PROJECT, NoticeKind, SubtaskStatus, TaskStatus
from master.errors import NotFound
from master.store import notices, tasks

UNCONFIRMED = "unconfirmed"
INVALID_LINK = "this approval link is unknown, already used or no longer open"
"""One refusal for every token that cannot answer: a forged, used or expired one read alike."""


@dataclass(frozen=True)
class NewApproval:
    """One approver's row to write; `token_hash` None: nothing to answer (auto-agreed)."""

    approver: str
    uuid: str
    token_hash: str | None
    opinion: str = UNCONFIRMED
    remarks: str = ""
    notice: dict[str, Any] = field(default_factory=dict)  # empty: no one is asked


@dataclass(frozen=True)
class StepAsk:
    """What every row of one step shares."""

    task_id: int
    subtask_id: int
    project_id: int
    position: int
    submitter: str
    name: str
    content: str
    everyone: bool
    deadline: dt.datetime


def open_step(ask: StepAsk, rows: list[NewApproval]) -> bool:
    """The step running, the task waiting, a row per approver and a notice per approver asked;
    once: the step's UPDATE from INIT is the claim (two masters settling the task at once ask
    its approvers once). False: it was opened already, nothing written."""
    now = utcnow()
    with write_transaction():
        opened = Subtask.update(status=SubtaskStatus.RUNNING, started_at=now, node_count=0).where(
            Subtask.id == ask.subtask_id, Subtask.status == SubtaskStatus.INIT
        )
        if not opened.execute():
            return False
        Task.update(position=ask.position, status=TaskStatus.WAITING).where(
            Task.id == ask.task_id
        ).execute()
        for row in rows:
            _insert(ask, row, now)
            if row.notice:
                notices.enqueue(
                    ask.project_id, NoticeKind.APPROVAL, "asked", row.notice, ask.task_id
                )
    return True


def _insert(ask: StepAsk, row: NewApproval, now: dt.datetime) -> None:
    answered = row.opinion != UNCONFIRMED
    Approval.create(
        task=ask.task_id,
        subtask=ask.subtask_id,
        project_id=ask.project_id,
        uuid=row.uuid,
        approver=row.approver,
        submitter=ask.submitter,
        name=ask.name,
        content=ask.content,
        everyone=ask.everyone,
        token_hash=row.token_hash,
        opinion=row.opinion,
        remarks=row.remarks,
        created_at=now,
        answered_at=now if answered else None,
        deadline=ask.deadline,
        open=not answered,
    )


def rows_of(subtask_id: int) -> list[Approval]:
    return list(Approval.select().where(Approval.subtask == subtask_id).order_by(Approval.id))


def agreed(task_id: int, subtask_id: int) -> None:
    """The step's approvers agreed: its other rows closed, the task running again (the engine
    then ends the step as any step that succeeded)."""
    with write_transaction():
        _close(subtask_id, "closed: the step was agreed")
        Task.update(status=TaskStatus.RUNNING).where(
            Task.id == task_id, Task.status == TaskStatus.WAITING
        ).execute()


def ended(
    task_id: int, subtask_id: int, status: SubtaskStatus, task_status: TaskStatus, reason: str
) -> bool:
    """The step refused or out of time: its rows closed, it and the task final, at once.
    False when the task had already ended."""
    with write_transaction():
        _close(subtask_id, f"closed: {reason}")
        tasks.set_subtask(subtask_id, status)
        return tasks.finish(task_id, task_status, reason)


def close_task(task_id: int, remarks: str) -> int:
    """Close every open row of the task (it is being killed); how many."""
    return int(
        Approval.update(open=False, remarks=remarks)
        .where(Approval.task == task_id, Approval.open == True)  # noqa: E712
        .execute()
    )


def _close(subtask_id: int, remarks: str) -> None:
    Approval.update(open=False, remarks=remarks).where(
        Approval.subtask == subtask_id,
        Approval.open == True,  # noqa: E712
    ).execute()


def by_token(token_hash: str) -> Approval:
    """The open, unexpired row a token's hash names, else NotFound(INVALID_LINK)."""
    row = Approval.get_or_none(Approval.token_hash == token_hash)
    if row is None or not row.open or row.opinion != UNCONFIRMED or row.deadline <= utcnow():
        raise NotFound(INVALID_LINK, "token")
    return row


def answer_by_token(token_hash: str, opinion: str, uuid: str) -> Approval:
    """Record the token's answer, once; `uuid` set: it must be that row's."""
    with write_transaction():
        row = by_token(token_hash)
        if uuid and uuid != row.uuid:
            raise NotFound(INVALID_LINK, "token")
        return _answer(row, opinion, "answered through the approver's link", "")


def answer_by_uuid(project_id: int, uuid: str, opinion: str, assist: str) -> Approval:
    """An admin's answer for the approver of the open row `uuid` (of the project, unless
    NO_PROJECT), recorded with `assist`."""
    with write_transaction():
        query = Approval.select().where(Approval.uuid == uuid)
        if project_id != NO_PROJECT:
            query = query.where(Approval.project_id == project_id)
        row = query.first()
        if row is None:
            raise NotFound(f"approval {uuid} not found", "uuid")
        if not row.open or row.deadline <= utcnow():
            raise NotFound(f"approval {uuid} is no longer open", "uuid")
        return _answer(row, opinion, f"answered by {assist} for {row.approver}", assist)


def _answer(row: Approval, opinion: str, remarks: str, assist: str) -> Approval:
    now = utcnow()
    changed = (
        Approval.update(
            opinion=opinion, answered_at=now, open=False, remarks=remarks, assist=assist
        )
        .where(Approval.id == row.id, Approval.open == True)  # noqa: E712
        .execute()
    )
    if not changed:
        raise NotFound(INVALID_LINK, "token")
    return Approval.get_by_id(row.id)


def listed(project_id: int, limit: int) -> list[tuple[Approval, str, str]]:
    """The project's rows (every project's: NO_PROJECT), open ones first, then the newest, each
    with its task's and step's uuids."""
    query = (
        Approval.select(Approval, Task.uuid, Subtask.uuid)
        .join(Task, on=Approval.task == Task.id)
        .switch(Approval)
        .join(Subtask, on=Approval.subtask == Subtask.id)
        .order_by(Approval.open.desc(), Approval.id.desc())
        .limit(limit)
    )
    if project_id != NO_PROJECT:
        query = query.where(Approval.project_id == project_id)
    return [(r, r.task.uuid, r.subtask.uuid) for r in query]


def uuids_of(row: Approval) -> tuple[str, str]:
    """The task's and the step's uuids of one row."""
    task = Task.get_by_id(row.task_id)
    sub = Subtask.get_by_id(row.subtask_id)
    return str(task.uuid), str(sub.uuid)
