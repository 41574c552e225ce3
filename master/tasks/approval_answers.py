"""Answers to approval steps: by an approver's link token (the token is the credential: no
project token), or by an admin for an approver (recorded as `assist`); and the project's list.
Each answer is written, then the task is settled (approvals.py decides the step)."""

from __future__ import annotations

from dataclasses import dataclass

from master.catalogue.approval_rules import token_hash
from master.db.connection import DbRunner
from master.db.models import Approval
from master.errors import NotFound
from master.store import approvals as store
from master.tasks.approvals import ApprovalSteps, opinion

MAX_TOKEN = 256
MAX_LISTED = 1000


@dataclass(frozen=True)
class ApprovalView:
    row: Approval
    task_uuid: str
    step_uuid: str


class ApprovalAnswers:
    def __init__(self, run_db: DbRunner, steps: ApprovalSteps) -> None:
        self.run_db = run_db
        self.steps = steps

    async def peek(self, token: str) -> ApprovalView:
        """What the token asks; nothing changes."""
        row = await self.run_db(store.by_token, _hashed(token))
        return await self._view(row)

    async def answer_by_link(self, token: str, answer: str, uuid: str = "") -> ApprovalView:
        row = await self.run_db(store.answer_by_token, _hashed(token), opinion(answer), uuid)
        await self.steps.wake(row.task_id)
        return await self._view(row)

    async def answer_as_admin(
        self, project_id: int, uuid: str, answer: str, admin: str
    ) -> ApprovalView:
        row = await self.run_db(store.answer_by_uuid, project_id, uuid, opinion(answer), admin)
        await self.steps.wake(row.task_id)
        return await self._view(row)

    async def listed(self, project_id: int, limit: int) -> list[ApprovalView]:
        rows = await self.run_db(store.listed, project_id, min(limit or 100, MAX_LISTED))
        return [ApprovalView(*r) for r in rows]

    async def _view(self, row: Approval) -> ApprovalView:
        return ApprovalView(row, *await self.run_db(store.uuids_of, row))


def _hashed(token: str) -> str:
    """The stored form of a token; one that cannot be a token is refused as an unknown one."""
    if not token or len(token) > MAX_TOKEN:
        raise NotFound(store.INVALID_LINK, "token")
    return token_hash(token)
