"""Approval steps as they run (the engine hands them over at their start and each settle):
a step writes no executions; it asks its approvers (a row and a notice each, with a link
carrying a fresh token), keeps the task WAITING, and ends on the answers (any refuse: REFUSE,
the task too; agreed: SUCCESS, the task goes on) or at its deadline (FAIL, "timeout"). The
deadline is stored with the rows and armed as an event-loop timer, again after a restart (the
engine's recovery settles every unfinished task). Answers come by link token or, for an admin,
by the row's public uuid (ApprovalAnswers)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable

from master.catalogue import approval_rules as rules
from master.db.connection import DbRunner
from master.db.models import Approval, Subtask, Task, utcnow
from master.domain import PlannedStep, StepKind, SubtaskStatus, TaskStatus, short_uuid
from master.errors import FailedPrecondition, InvalidArgument
from master.store import approvals as store
from master.store import notify as notify_store
from master.store import tasks

logger = logging.getLogger(__name__)
Wake = Callable[[int], Awaitable[None]]
Template = Callable[[], "str | None"]
LATE = 0.05  # seconds past the deadline the timer fires, so the deadline has surely passed
LINK_PATH = "/approval/answer?token="
TEMPLATE_KEY = "approvalTemplatePluginContent"


def environment_template() -> str | None:
    """The environment's approvalTemplatePluginContent (None: unset, the built-in text is
    used); read in the database thread, with the step's start."""
    return notify_store.setting(TEMPLATE_KEY) or None


class ApprovalSteps:
    """Starts, waits on and ends approval steps for the engine; `wake(task_id)` is the engine's
    settle, called when an answer or a deadline may decide a step."""

    def __init__(
        self,
        run_db: DbRunner,
        wake: Wake,
        public_url: str,
        template: Template = environment_template,
    ) -> None:
        self.run_db = run_db
        self.wake = wake
        self.public_url = public_url.rstrip("/")
        self.template = template
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._woken: set[asyncio.Future[None]] = set()

    @staticmethod
    def waiting(sub: Subtask) -> bool:
        return sub.kind == StepKind.APPROVAL and sub.status == SubtaskStatus.RUNNING

    def check_control(self, sub: Subtask) -> None:
        """Control cannot end a step waiting for its approvers."""
        if self.waiting(sub):
            raise FailedPrecondition(
                f"step {sub.uuid} waits for its approvers: only their answers, a kill or its "
                "timeout end it",
                "subtask_uuid",
            )

    async def settle(self, task: Task, sub: Subtask) -> SubtaskStatus | None:
        """Start the step (INIT) and see whether it is decided: SUCCESS (agreed: the engine ends
        the step as any other), REFUSE or FAIL (the task already ended), None: it waits."""
        if sub.status == SubtaskStatus.INIT:
            template = await self.run_db(self.template)
            await self.run_db(open_rows, task, sub, self.public_url, template)
            logger.info("task %s step %d asks its approvers", task.uuid, sub.position)
        rows = await self.run_db(store.rows_of, sub.id)
        answers = [rules.Answer(r.approver, r.opinion) for r in rows]
        decided = rules.decision(answers, bool(rows and rows[0].everyone))
        if decided == rules.Opinion.AGREE:
            self._disarm(task.id)
            await self.run_db(store.agreed, task.id, sub.id)
            return SubtaskStatus.SUCCESS
        if decided == rules.Opinion.REFUSE:
            who = ", ".join(r.approver for r in rows if r.opinion == rules.Opinion.REFUSE)
            return await self._end(task, sub, SubtaskStatus.REFUSE, f"refused by {who}")
        if not rows or rows[0].deadline <= utcnow():
            return await self._end(task, sub, SubtaskStatus.FAIL, timeout_reason(sub, rows))
        self._arm(task.id, rows[0].deadline)
        return None

    async def _end(
        self, task: Task, sub: Subtask, status: SubtaskStatus, reason: str
    ) -> SubtaskStatus:
        self._disarm(task.id)
        final = TaskStatus.REFUSE if status == SubtaskStatus.REFUSE else TaskStatus.FAIL
        if await self.run_db(store.ended, task.id, sub.id, status, final, reason):
            logger.info("task %s step %d %s: %s", task.uuid, sub.position, status, reason)
        return status

    async def killed(self, task_id: int) -> None:
        """The task is being killed: its open rows close (their links answer no more)."""
        self._disarm(task_id)
        await self.run_db(store.close_task, task_id, "closed: the task was killed")

    def _arm(self, task_id: int, deadline: dt.datetime) -> None:
        if task_id in self._timers:
            return
        delay = max(0.0, (deadline - utcnow()).total_seconds()) + LATE
        self._timers[task_id] = asyncio.get_running_loop().call_later(delay, self._due, task_id)

    def _disarm(self, task_id: int) -> None:
        timer = self._timers.pop(task_id, None)
        if timer is not None:
            timer.cancel()

    def _due(self, task_id: int) -> None:
        self._timers.pop(task_id, None)
        self.woken(task_id)

    def woken(self, task_id: int) -> None:
        """Settle the task soon (a deadline passed, an answer came), keeping the future alive."""
        future = asyncio.ensure_future(self.wake(task_id))
        self._woken.add(future)
        future.add_done_callback(self._woken.discard)


def timeout_reason(sub: Subtask, rows: list[Approval]) -> str:
    pending = ", ".join(r.approver for r in rows if r.opinion == rules.Opinion.UNCONFIRMED)
    return f"timeout: step {sub.position + 1} had no decision" + (
        f" (waiting for {pending})" if pending else ""
    )


def open_rows(task: Task, sub: Subtask, public_url: str, template: str | None) -> None:
    """The step's rows and notices, written with the step's start (store.open_step): `cont`
    rendered, the submitter agreed at once under relaxed `on`, each other approver a token."""
    step = PlannedStep.from_json(tasks.step_spec(sub.id)).step
    approvers = [a for a in step.approvers.split(",") if a]
    submitter = rules.NERVOUS_SUBMITTER if step.relaxed == "nervous" else task.submitter
    known = {
        **json.loads(task.variables or "{}"),
        "submitter": task.submitter,
        "stepname": step.name,
        "taskname": task.name,
        "treename": str(task.project_id),
    }
    content = rules.render(step.content, known, template)
    ask = store.StepAsk(
        task.id,
        sub.id,
        task.project_id,
        sub.position,
        submitter,
        step.name,
        content,
        step.everyone,
        utcnow() + dt.timedelta(seconds=step.timeout_s),
    )
    auto = rules.auto_agreed(approvers, task.submitter, step.relaxed)
    rows = [_row(a, a in auto, ask, task.uuid, sub.uuid, public_url) for a in approvers]
    store.open_step(ask, rows)


def _row(
    approver: str, auto: bool, ask: store.StepAsk, task_uuid: str, step_uuid: str, url: str
) -> store.NewApproval:
    uuid = short_uuid()
    if auto:
        return store.NewApproval(approver, uuid, None, rules.Opinion.AGREE, "sys.handle.auto")
    token, hashed = rules.new_token()
    notice = {
        "approver": approver,
        "submitter": ask.submitter,
        "cont": ask.content,
        "name": ask.name,
        "uuid": uuid,
        "link": f"{url}{LINK_PATH}{token}",
        "task_uuid": task_uuid,
        "step": step_uuid,
    }
    return store.NewApproval(approver, uuid, hashed, notice=notice)


def opinion(value: str) -> str:
    if value not in rules.ANSWERS:
        raise InvalidArgument("must be agree or refuse", "opinion")
    return value
