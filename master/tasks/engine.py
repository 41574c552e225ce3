"""The task engine: starts steps, settles them when their executions end, takes subtask
control and kills. One lock per task keeps its state changes in order.

A task with a `forks` window, or a dry run, writes a step's executions QUEUED and lets them
out as the window has room (window.py): at the step's start, each time one ends, after a rerun
and at a master's start (recovery settles every unfinished task). A dry run's are ended by the
master itself, saying what would run (checkrun.py); nothing goes to a slave.

A step whose condition does not hold is skipped at its start (conditions.py); a step whose
`batches` is a wave plan writes and runs its nodes wave by wave (waves.py).

Every state change is written to the database before any slave or follower hears of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable

from master.catalogue import cite, intostore
from master.catalogue.variables import RenderLimit
from master.db.connection import DbRunner
from master.db.models import Account, Execution, Node, Subtask, Task
from master.domain import (
    FINAL_TASK,
    Blob,
    CommandSpec,
    Control,
    ExecutionStatus,
    JobSubmission,
    JobType,
    KillOrder,
    Placement,
    PlannedStep,
    Role,
    RunMode,
    RunOptions,
    SshTarget,
    Step,
    StepKind,
    SubtaskStatus,
    TaskStatus,
)
from master.errors import FailedPrecondition, InvalidArgument, NotFound, ResourceExhausted
from master.secrets import KeyFileError, SecretBox
from master.slaves.sessions import SlaveSessions
from master.store import catalogue, claims, executions, files, rollout, slaves, tasks
from master.tasks import (
    checkrun,
    conditions,
    hosts,
    launch,
    routing,
    submit,
    versions,
    waves,
    window,
)
from master.tasks.approvals import ApprovalSteps
from master.tasks.elsewhere import Elsewhere
from master.tasks.events import TaskEvents
from master.tasks.launchgroups import LaunchGroups
from master.tasks.orders import work_order
from master.tasks.quotas import Quotas, StartRate

logger = logging.getLogger(__name__)
Targets = dict[str, SshTarget]
SECRET_FIELDS = ("private_key", "password")
"""The account columns stored sealed."""
MAX_DELETED = 1000
"""The most tasks one DeleteTasks removes."""
KILLED_REASON = "killed on request"
"""A killed task's reason when the kill named none."""


class TaskEngine:
    """Moves tasks through their steps: submit writes a task and starts it; `settle` starts the
    current step or ends it once its executions are final (success: the next step; a failure:
    the task waits for a decision, or an ad-hoc task fails); `control` and `kill_task` act on
    a running task. Each step's executions are routed to slaves and dispatched through their
    sessions, after their rows are written. One lock per task orders its changes; every change
    is announced on TaskEvents."""

    def __init__(
        self,
        run_db: DbRunner,
        sessions: SlaveSessions,
        events: TaskEvents,
        limit: RenderLimit = RenderLimit(),
        quotas: Quotas = Quotas(),
        secrets: SecretBox | None = None,
        public_url: str = "http://127.0.0.1:8080",
    ) -> None:
        self.run_db = run_db
        self.sessions = sessions
        self.events = events
        self.limit = limit  # what a task may render (variables.py)
        self.quotas = quotas
        self.start_rate = StartRate(quotas.max_submissions_per_second)
        self.secrets = secrets
        """Opens the accounts' sealed secrets; None: they are taken as stored."""
        self._locks: dict[int, asyncio.Lock] = {}
        self._holding: dict[int, int] = {}
        """Per task, the callers holding or awaiting its lock."""
        self._queued: dict[int, asyncio.Future[bool]] = {}
        """Per task, the settle waiting for its lock, which later calls join (settle)."""
        self.approvals = ApprovalSteps(run_db, self.settle, public_url)
        """Approval steps (approvals.py); `public_url` is the gateway's, for their links."""
        self.launches = LaunchGroups(run_db)
        """Submits written by the group, one database call each (launchgroups.py)."""
        self.elsewhere: Elsewhere | None = None
        """The other masters of the database (multi-master mode only): their slaves are
        routed to, and work for them relayed (elsewhere.py)."""
        self.may_drive: Callable[[], bool] = always
        """Whether this master may move its tasks on now: in a cluster, while its lease holds
        (master/cluster/registry.py); a settle meanwhile is left to the lease's renewal, which
        settles the master's tasks again, or to the master that takes them over."""

    @contextlib.asynccontextmanager
    async def _locked(self, task_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(task_id, asyncio.Lock())
        self._holding[task_id] = self._holding.get(task_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holding[task_id] -= 1
            if not self._holding[task_id]:  # nobody holds or awaits it: let it go
                del self._holding[task_id]
                if self._locks.get(task_id) is lock:
                    del self._locks[task_id]

    def busy(self) -> frozenset[int]:
        """The tasks whose lock is held or awaited now: a batch of reports settles none of
        them itself (store/settling.py), it leaves them to `settle`."""
        return frozenset(self._holding)

    # --- submitting

    async def submit_command(self, spec: CommandSpec) -> Task:
        return (await self.start_command(spec)).task

    async def start_command(self, spec: CommandSpec) -> launch.Launched:
        """As submit_command, with what its start wrote (Launched.view: the submit's answer)."""
        self.start_rate.take(spec.project_id)
        return await self._launched(functools.partial(submit.command_task, spec, self.limit))

    async def submit_copy(
        self,
        project_id: int,
        name: str,
        submitter: str,
        call_type: str,
        step: Step,
        values: dict[str, str],
        mode: RunMode = RunMode(),
        options: RunOptions = RunOptions(),
    ) -> Task:
        started = await self.start_copy(
            project_id, name, submitter, call_type, step, values, mode, options
        )
        return started.task

    async def start_copy(
        self,
        project_id: int,
        name: str,
        submitter: str,
        call_type: str,
        step: Step,
        values: dict[str, str],
        mode: RunMode = RunMode(),
        options: RunOptions = RunOptions(),
    ) -> launch.Launched:
        """As submit_copy, with what its start wrote (as start_command)."""
        self.start_rate.take(project_id)
        new = functools.partial(
            submit.copy_task,
            project_id,
            name,
            submitter,
            call_type,
            step,
            values,
            self.limit,
            mode,
            options,
        )
        return await self._launched(new)

    async def submit_approval(
        self,
        project_id: int,
        name: str,
        submitter: str,
        call_type: str,
        step: Step,
        values: dict[str, str],
    ) -> Task:
        """A quick approval (plugin_approval): a task of one approval step."""
        self.start_rate.take(project_id)
        new = functools.partial(
            submit.approval_task, project_id, name, submitter, call_type, step, values
        )
        return await self._launch(new)

    async def submit_job(self, sub: JobSubmission) -> tuple[Task, bool]:
        """The task, and False when the caller's uuid named an existing one."""
        started = await self.start_job(sub)
        return started.task, not started.existing

    async def start_job(self, sub: JobSubmission) -> launch.Launched:
        """As submit_job, with what its start wrote (as start_command); `existing` when the
        caller's uuid named an existing task."""
        submit.check_submission(sub)
        try:
            self.start_rate.take(sub.project_id)
        except ResourceExhausted:  # the task the uuid names is still answered
            found = await self.run_db(submit.existing, sub) if sub.task_uuid else None
            if found is None:
                raise
            return launch.Launched(found, existing=True)
        plan = functools.partial(submit.job_task_unless_existing, sub, self.limit)
        launched = await self._launched(plan)
        if launched.existing:
            self.start_rate.give_back(sub.project_id)
        return launched

    async def dry_run(self, sub: JobSubmission) -> tuple[list[PlannedStep], dict[str, str]]:
        _, _, values, planned = await self.run_db(submit.job_plan, sub, self.limit)
        return planned, values

    async def redo(self, project_id: int, uuid: str, submitter: str) -> Task:
        original = await self.run_db(tasks.get, uuid, project_id)
        if original.status not in FINAL_TASK:
            raise FailedPrecondition(f"task {uuid} has not ended: {original.status}", "uuid")
        self.start_rate.take(original.project_id)
        return await self._launch(
            functools.partial(submit.redo_task, original, submitter, self.limit)
        )

    async def routable(self) -> SlaveSessions:
        """The slaves to route to, as now: a copy of this master's registry, with the slaves
        attached to the other masters in multi-master mode."""
        if self.elsewhere is None:
            return self.sessions.snapshot()
        return self.sessions.joined(await self.elsewhere.slaves())

    async def _launch(self, plan: launch.Planner) -> Task:
        return (await self._launched(plan)).task

    async def _launched(self, plan: launch.Planner) -> launch.Launched:
        """Plan, write and (its first step plain) start the task in one database call
        (launch.py), then send what it wrote; else start it by settling it."""
        snapshot = await self.routable()
        max_running = self.quotas.max_running_tasks
        call = functools.partial(launch.launch, plan, max_running, snapshot, self.opened)
        started = await self.launches.launch(call)
        if not started.existing:
            await self.begin(started)
        return started

    async def begin(self, started: launch.Launched) -> None:
        """A task just written (launch.py): send what its start wrote, or start it by settling
        it when it was written not started."""
        task = started.task
        logger.log(  # who asked for what stays in the log; a crontab's tick is a thousand a second
            logging.DEBUG if task.crontab_id else logging.INFO,
            "task %s (%s) submitted by %s, %d step(s)",
            task.uuid,
            task.name,
            task.submitter,
            started.steps,
        )
        if started.rows is None or started.planned is None:
            await self.settle(task.id)
            return
        self._dispatch_all(started.rows, started.planned, started.targets, task.project_id)
        if any(r.status == ExecutionStatus.PENDING for r in started.rows):
            self.events.publish(task.id)
        else:  # nothing sent (no node, none reachable): the step ends as settle ends it
            await self.settle(task.id)

    # --- running steps

    async def settle(self, task_id: int) -> None:
        """Move the task on as far as its state allows, then tell followers.

        A call that finds a settle of the task waiting for its lock (not started: it reads the
        task after this call came) joins it instead of queueing one more: a fan-out's thousand
        results settle their task a few times, not a thousand times, each reading every open
        execution. It returns when that settle is over, as if it had run its own."""
        if not self.may_drive():
            logger.debug("task %d: not settled, this master's lease lapsed", task_id)
            return
        queued = self._queued.get(task_id)
        if queued is not None and await asyncio.shield(queued):
            return
        mine: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued[task_id] = mine
        settled = False
        try:
            async with self._locked(task_id):
                self._unqueue(task_id, mine)
                await self._settle(task_id)
            settled = True
        finally:
            self._unqueue(task_id, mine)
            mine.set_result(settled)  # False: the joiners settle on their own
            # Even when the settle failed part way: what it wrote before failing is the task's
            # state now, and what is kept of the task (views, a gateway's reads) must go.
            self.events.publish(task_id)

    def _unqueue(self, task_id: int, settle: asyncio.Future[bool]) -> None:
        if self._queued.get(task_id) is settle:
            del self._queued[task_id]

    async def _settle(self, task_id: int) -> None:
        task = await self.run_db(tasks.get_by_id, task_id)
        if task.status in FINAL_TASK:
            self._locks.pop(task_id, None)
            return
        if self.elsewhere is not None and task.owner and task.owner != self.elsewhere.name:
            await self.elsewhere.settle(task.owner, task_id)  # its engine is there
            return
        open_rows = await self.run_db(executions.open_of_task, task_id)
        if task.kill_requested:
            if not open_rows:
                await self._finish(task, TaskStatus.KILLED, task.reason or KILLED_REASON)
            return
        sub = await self.run_db(tasks.subtask_at, task_id, task.position)
        if self.approvals.waiting(sub):
            await self._approval(task, sub)
        elif sub.status == SubtaskStatus.INIT:
            await self._start_step(task, sub.position)
        elif sub.status == SubtaskStatus.RUNNING:
            await self._run_step(task, sub, open_rows)
        elif sub.status == SubtaskStatus.SUCCESS and task.status == TaskStatus.RUNNING:
            # the step ended and the master stopped before moving the task on: end it again
            await self._step_ended(task, sub)
        elif sub.status == SubtaskStatus.SKIPPED and task.status == TaskStatus.RUNNING:
            await self._advance(task, sub.position)  # skipped, the task not moved on yet

    async def _approval(self, task: Task, sub: Subtask) -> None:
        """An approval step started, waiting, or decided (approvals.py): agreed, it ends as any
        step that succeeded; refused or out of time, the task has ended."""
        if await self.approvals.settle(task, sub) == SubtaskStatus.SUCCESS:
            await self._step_ended(
                await self.run_db(tasks.get_by_id, task.id),
                await self.run_db(tasks.subtask_at, task.id, sub.position),
            )

    async def _run_step(self, task: Task, sub: Subtask, open_rows: list[Execution]) -> None:
        """A running step: its queued executions let out while the window has room (a dry
        run's: ended at once); the step ended once none is open."""
        if any(r.status == ExecutionStatus.QUEUED for r in open_rows):
            await self._let_out(task, sub)
            open_rows = await self.run_db(executions.open_of_task, task.id)
        if not open_rows and not await self._next_wave(task, sub):
            await self._step_ended(task, sub)

    async def _start_step(self, task: Task, position: int) -> None:
        if position == 0:
            await versions.task_starting(self.run_db, task)
        sub = await self.run_db(tasks.subtask_at, task.id, position)
        planned = PlannedStep.from_json(await self.run_db(tasks.step_spec, sub.id))
        if await self._skipped(task, sub, planned):
            return
        if sub.kind == StepKind.APPROVAL:  # runs nothing: asks its approvers (approvals.py)
            await self._approval(task, sub)
            return
        planned, gone = await self._cited(task.project_id, planned)
        if gone:
            placements = [Placement(n, "", gone) for n in waves.first(planned).nodes]
        else:
            placements = await self._step_placements(task, waves.first(planned))
        spec = planned.to_json() if planned.cited else None  # what it read, for its reruns
        placements = await self.run_db(hosts.identified, task.project_id, placements)
        held = window.holds_back(task.forks, task.check_only)
        rows = await self.run_db(tasks.start_step, task.id, position, placements, spec, held)
        self._dispatch_all(rows, planned, targets(placements), task.project_id)
        self.events.publish(task.id)
        await self._run_step(
            await self.run_db(tasks.get_by_id, task.id),
            await self.run_db(tasks.subtask_at, task.id, position),
            await self.run_db(executions.open_of_task, task.id),
        )

    async def _cited(self, project_id: int, planned: PlannedStep) -> tuple[PlannedStep, str]:
        """The step with the stored script it cites read now (kept with the step, so a node
        sent it again or rerun runs the same), or why it cannot run (cite.py)."""
        if not planned.step.script_id or planned.cited is not None:
            return planned, ""
        read = await self.run_db(cite.read, project_id, planned.step.script_id)
        if isinstance(read, str):
            return planned, read
        return dataclasses.replace(planned, cited=read), ""

    async def _step_placements(self, task: Task, planned: PlannedStep) -> list[Placement]:
        """Where a step's executions go: its nodes (run), its source (a copy's fetch), or its
        destinations (a copy from the file server, whose file may have gone since the task was
        planned: each then fails with the reason, and the step ends as any failed step)."""
        if planned.step.kind == StepKind.CMD:
            nodes, role, blob = planned.nodes, Role.RUN, None
        elif planned.source and task.check_only and not planned.step.into_store:
            fetch = await self._route(task.project_id, planned, [planned.source], Role.FETCH)
            return fetch + await self._route(task.project_id, planned, planned.nodes, Role.PLACE)
        elif planned.source:
            nodes, role, blob = [planned.source], Role.FETCH, None
        else:
            try:
                stored = await self.run_db(files.by_name, task.project_id, planned.step.src_path)
            except NotFound as exc:
                return [Placement(n, "", str(exc), Role.PLACE) for n in planned.nodes]
            nodes, role, blob = planned.nodes, Role.PLACE, Blob(stored.sha256, stored.size)
        return await self._route(task.project_id, planned, nodes, role, blob)

    async def _start_places(
        self, task: Task, sub: Subtask, planned: PlannedStep, blob: Blob
    ) -> None:
        """A copy's fetch is done: place the blob on every destination (of the first wave)."""
        nodes = waves.first(planned).nodes
        placements = await self._route(task.project_id, planned, nodes, Role.PLACE, blob)
        placements = await self.run_db(hosts.identified, task.project_id, placements)
        held = window.holds_back(task.forks, task.check_only)
        rows = await self.run_db(claims.add_places, task.id, sub.id, placements, held)
        if not rows:  # another settle of the task started them first
            return
        self._dispatch_all(rows, planned, targets(placements), task.project_id)
        self.events.publish(task.id)
        await self._run_step(task, sub, await self.run_db(executions.open_of_task, task.id))

    async def _let_out(self, task: Task, sub: Subtask) -> None:
        """Send the step's queued executions the window has room for, routed as now (those
        that can no longer go fail, and make room again); a dry run ends them all instead."""
        planned = PlannedStep.from_json(await self.run_db(tasks.step_spec, sub.id))
        if task.check_only:
            await self._check(task, sub, planned)
            return
        pick = functools.partial(window.to_send, task.forks)
        while rows := await self.run_db(executions.release, sub.id, pick):
            if not await self._fail_all(await self._send_released(task, planned, rows)):
                return

    async def _send_released(
        self, task: Task, planned: PlannedStep, rows: list[Execution]
    ) -> dict[int, str]:
        """Send executions just let out, each to the slave routing picks now (a pool slave
        chosen at the step's start may have gone); those that cannot go, by id, with why. One
        whose route fails while its slave is away stays pending for that slave: sent when it
        attaches again, or lost past the lease (intake.py), as after a master restart."""
        failed: dict[int, str] = {}
        for row, placed in await self._placed_again(task, planned, rows):
            if placed.failure:
                if self.sessions.attached(row.slave):
                    failed[row.id] = placed.failure
                continue
            moved: Execution | None = row
            if placed.slave != row.slave:
                moved = await self.run_db(executions.move_pending, row.id, placed.slave)
            if moved is not None:
                self._dispatch(moved, planned, targets([placed]), task.project_id)
        return failed

    async def _check(self, task: Task, sub: Subtask, planned: PlannedStep) -> None:
        """A dry run's queued executions end: each success saying what would run, or failed
        where the master sees the real run would (checkrun.py)."""
        queued = [
            r
            for r in await self.run_db(tasks.live_executions, sub.id)
            if r.status == ExecutionStatus.QUEUED
        ]
        outputs: dict[int, bytes] = {}
        failed: dict[int, str] = {}
        for row, placed in await self._placed_again(task, planned, queued):
            if why := unreachable(row, placed):
                failed[row.id] = why
            else:
                outputs[row.id] = checkrun.describe(planned, row, placed, sub.pause)
        await self.run_db(executions.complete_checks, outputs)
        await self._fail_all(failed)

    def _dispatch_all(
        self, rows: list[Execution], planned: PlannedStep, targets: Targets, project_id: int
    ) -> None:
        for row in rows:
            if row.status == ExecutionStatus.PENDING:
                self._dispatch(row, planned, targets, project_id)

    async def _route(
        self,
        project_id: int,
        planned: PlannedStep,
        nodes: list[str],
        role: Role = Role.RUN,
        blob: Blob | None = None,
    ) -> list[Placement]:
        """Where each node runs, with the SSH targets of those reached over SSH."""
        return await self.route(project_id, nodes, planned.step.user, role, blob)

    async def route(
        self,
        project_id: int,
        nodes: list[str],
        user: str,
        role: Role = Role.RUN,
        blob: Blob | None = None,
    ) -> list[Placement]:
        """Where each node runs as `user` now, with the SSH targets (the account's secrets
        opened) of those reached over SSH: a step's executions, or a terminal's shell."""
        machines, seen, account = await self.run_db(routing_facts, project_id, nodes, user)
        sessions = self.sessions if self.elsewhere is None else await self.routable()
        placed = routing.place(sessions, nodes, machines, seen, project_id, user, role, blob)
        unopened = ""
        if any(routing.over_ssh(p) for p in placed):
            account, unopened = self.opened(account)
        return routing.reach(placed, machines, account, user, unopened)

    def opened(self, account: Account | None) -> tuple[Account | None, str]:
        """A copy of the account with its secrets opened (never saved), or why they cannot be."""
        if account is None or self.secrets is None:
            return account, ""
        try:
            secret = {f: self.secrets.open(getattr(account, f)) for f in SECRET_FIELDS}
        except KeyFileError as exc:
            logger.error("account %s of project %d: %s", account.username, account.project_id, exc)
            why = "this master's secrets key does not open them (see its log)"
            return account, f"the secrets of account {account.username!r}: {why}"
        return Account(**{**account.__data__, **secret}), ""

    def _dispatch(
        self, row: Execution, planned: PlannedStep, targets: Targets, project_id: int
    ) -> None:
        order = work_order(row, planned, targets.get(row.node), project_id)
        if self.sessions.send(row.slave, order):
            return
        if self.elsewhere is not None:  # attached to another master (or to none, it says)
            self.elsewhere.dispatch(row.slave, row.id)
        else:
            logger.warning("exec %s slave %s detached before dispatch", row.id, row.slave)

    async def redispatch(self, row: Execution) -> None:
        """Send a pending execution again (its slave re-attached without knowing it), routed
        as now: if it can no longer go (the slave serves the project no more, the node's account
        is gone), it fails with the reason rather than go out without its SSH target."""
        await self.send_relayed([row])

    async def send_relayed(self, rows: list[Execution]) -> None:
        """Send pending executions to their slaves, attached here, routed as now (a slave
        re-attached without them, or another master wrote them: relay.py); those that can no
        longer go fail with the reason, and their task is settled."""
        by_step: dict[int, list[Execution]] = {}
        for row in rows:
            by_step.setdefault(row.subtask_id, []).append(row)
        for step_rows in by_step.values():
            first = step_rows[0]
            planned = PlannedStep.from_json(await self.run_db(tasks.step_spec, first.subtask_id))
            task = await self.run_db(tasks.get_by_id, first.task_id)
            if await self._fail_all(await self._send_again(task, planned, step_rows)):
                await self.settle(task.id)

    async def close_killed(self, ids: list[int], reason: str) -> None:
        """Executions whose kill cannot reach their slave (attached nowhere): ended killed
        here, and their tasks settled."""
        if ids:
            for task_id in {
                r.task_id
                for r in await self.run_db(executions.close, ids, ExecutionStatus.KILLED, reason)
            }:
                await self.settle(task_id)

    async def _send_again(
        self, task: Task, planned: PlannedStep, rows: list[Execution]
    ) -> dict[int, str]:
        """Send executions written earlier to their slaves, routed as now; those that can no
        longer go, by id, with why."""
        failed: dict[int, str] = {}
        for row, placed in await self._placed_again(task, planned, rows):
            if why := unreachable(row, placed):
                logger.warning("exec %s slave %s: not sent: %s", row.id, row.slave, why)
                failed[row.id] = why
            else:
                self._dispatch(row, planned, targets([placed]), task.project_id)
        return failed

    async def _placed_again(
        self, task: Task, planned: PlannedStep, rows: list[Execution]
    ) -> list[tuple[Execution, Placement]]:
        """Each execution with its node routed as now (one routing per role)."""
        found: list[tuple[Execution, Placement]] = []
        for role in Role:
            these = [r for r in rows if r.role == role]
            if not these:
                continue
            blob = Blob.decode(these[0].blob, these[0].blob_size)
            placed = await self._route(
                task.project_id, planned, [r.node for r in these], role, blob
            )
            found += zip(these, placed, strict=True)
        return found

    async def _fail_all(self, failed: dict[int, str]) -> bool:
        """Close these executions failed, each with its reason; whether there were any."""
        for execution_id, why in failed.items():
            await self.run_db(executions.close, [execution_id], ExecutionStatus.FAIL, why)
        return bool(failed)

    async def _step_ended(self, task: Task, sub: Subtask) -> None:
        """The step's end, decided from its executions and claimed (claims.end_step): of two
        settles of the task at once (two masters' engines, or an engine and a store-level
        settle), the one whose claim fails moves nothing."""
        if task.check_only:  # nothing was fetched: no places to start, nothing to keep
            rows = await self.run_db(tasks.live_executions, sub.id)
        else:
            rows = await self._checked_fetches(sub.id)
        failed, ignored = waves.to_decide(sub.spec, rows)
        fetch = next((r for r in rows if r.role == Role.FETCH), None)
        blob = Blob.decode(fetch.blob, fetch.blob_size) if fetch else None
        placed = any(r.role == Role.PLACE for r in rows)
        if not failed and fetch and blob and not placed:  # the copy's fetch is done
            planned = PlannedStep.from_json(await self.run_db(tasks.step_spec, sub.id))
            if not planned.step.into_store:
                await self._start_places(task, sub, planned, blob)
                return
            rows = await self._keep_fetched(task, planned, fetch, blob)
            failed = [r for r in rows if r.status != ExecutionStatus.SUCCESS]
        if not failed:
            passed = SubtaskStatus.IGNORE if ignored else SubtaskStatus.SUCCESS
            if not await self._claimed(task, sub, passed):
                return
            if sub.pause and not task.check_only:  # a dry run does not wait (checkrun.py)
                await self.run_db(tasks.set_status, task.id, TaskStatus.WAITING)
            else:
                await self._advance(task, sub.position)
        elif task.job_type != JobType.JOB:
            if await self._claimed(task, sub, SubtaskStatus.FAIL):
                await self._finish(task, TaskStatus.FAIL, failure_reason(failed, len(rows)))
        elif await self._claimed(task, sub, SubtaskStatus.DECISION, finished=False):
            await self.run_db(tasks.set_status, task.id, TaskStatus.DECISION)
            logger.info(
                "task %s step %d waits for a decision: %s",
                task.uuid,
                sub.position,
                failure_reason(failed, len(rows)),
            )

    async def _claimed(
        self, task: Task, sub: Subtask, status: SubtaskStatus, finished: bool = True
    ) -> bool:
        """Whether this settle moved the step from what it read to `status` (claims.py)."""
        was = SubtaskStatus(sub.status)
        return bool(await self.run_db(claims.end_step, task.id, sub.id, status, was, finished))

    async def _checked_fetches(self, subtask_id: int) -> list[Execution]:
        """The step's executions, a fetch reported done without its blob failed: a slave's
        report we cannot act on (the copy fails, the task goes on)."""
        rows = await self.run_db(tasks.live_executions, subtask_id)
        done = [r for r in rows if r.status == ExecutionStatus.SUCCESS]
        blobless = [r.id for r in done if r.role == Role.FETCH and not r.blob]
        if not blobless:
            return rows
        why = "the slave reported the fetch done without the blob it stored"
        await self.run_db(executions.fail_success, blobless, why)
        return await self.run_db(tasks.live_executions, subtask_id)

    async def _keep_fetched(
        self, task: Task, planned: PlannedStep, fetch: Execution, blob: Blob
    ) -> list[Execution]:
        """A copy into the file server fetched its file: name it there (intostore.py); the
        fetch fails with the reason when it cannot be. The step's executions, after."""
        why = await self.run_db(intostore.keep, task.project_id, planned.step, blob, task.submitter)
        if why:
            await self.run_db(executions.fail_success, [fetch.id], why)
        else:
            name, project = planned.step.dst_path, task.project_id
            logger.info("exec %s: kept as %r in project %d's file server", fetch.id, name, project)
        return await self.run_db(tasks.live_executions, fetch.subtask_id)

    async def _advance(self, task: Task, position: int) -> None:
        subs = await self.run_db(tasks.subtasks, task.id)
        if position + 1 < len(subs):
            await self._start_step(task, position + 1)
            return
        failed = [s for s in subs if s.status == SubtaskStatus.FAIL]
        if failed:
            names = ", ".join(str(s.position + 1) for s in failed)
            await self._finish(task, TaskStatus.FAIL, f"step(s) {names} failed")
        else:
            await self._finish(task, TaskStatus.SUCCESS)

    async def _finish(self, task: Task, status: TaskStatus, reason: str = "") -> None:
        if await self.run_db(tasks.finish, task.id, status, reason):
            log_task_end(task.uuid, status, reason)
            await versions.task_ended(self.run_db, task, status)

    # --- conditions and waves (conditions.py, waves.py)

    async def _skipped(self, task: Task, sub: Subtask, planned: PlannedStep) -> bool:
        """Whether the step is not run: SKIPPED when its condition does not hold (the task goes
        on; its pause is not kept), or failing the task when it cannot be decided, which only
        a task submitted before conditions were checked can reach (conditions.py)."""
        step = planned.step
        if not (step.deployenv or step.action or step.batches):
            return False
        try:
            why = conditions.skip_reason(step, json.loads(task.variables))
        except conditions.Undecided as exc:
            await self.run_db(tasks.set_subtask, sub.id, SubtaskStatus.FAIL)
            reason = f"step {sub.position + 1}: {exc.field} {exc.why}"
            await self._finish(task, TaskStatus.FAIL, reason)
            return True
        if not why:
            return False
        if not await self.run_db(rollout.skip_step, task.id, sub.position):
            return True  # another settle of the task skipped it and moved on
        logger.info("task %s step %d skipped: %s", task.uuid, sub.position, why)
        self.events.publish(task.id)
        await self._advance(task, sub.position)
        return True

    async def _next_wave(self, task: Task, sub: Subtask, ignoring: bool = False) -> bool:
        """Of a step whose nodes run in waves (waves.py) and whose last wave started has ended:
        start the next wave when that one passed (or `ignoring` its failures), else stop the
        step for a decision. False when there is no next wave: the step ends as any step."""
        planned = PlannedStep.from_json(json.loads(sub.spec))
        if not waves.has_waves(planned):
            return False
        rows = await self.run_db(tasks.live_executions, sub.id)
        all_waves = waves.of_step(planned)
        begun = waves.started(all_waves, rows)
        if begun == 0 or begun >= len(all_waves):  # a copy's fetch to place first; the last wave
            return False
        stopping, _ = waves.to_decide(sub.spec, rows)
        if stopping and not ignoring:
            if task.job_type != JobType.JOB:
                return False  # an ad-hoc task fails as at any step's end
            await self._decide_wave(task, sub, begun, stopping, len(rows))
            return True
        wave = dataclasses.replace(planned, nodes=all_waves[begun])
        await self._start_wave(task, sub, wave, rows)
        logger.info(
            "task %s step %d: wave %d of %d", task.uuid, sub.position, begun + 1, len(all_waves)
        )
        await self._run_step(
            await self.run_db(tasks.get_by_id, task.id),
            await self.run_db(tasks.subtask_at, task.id, sub.position),
            await self.run_db(executions.open_of_task, task.id),
        )
        return True

    async def _decide_wave(
        self, task: Task, sub: Subtask, wave: int, failed: list[Execution], total: int
    ) -> None:
        """A wave with a node not successful: the step waits for a decision, later waves not
        started."""
        if not await self._claimed(task, sub, SubtaskStatus.DECISION, finished=False):
            return
        await self.run_db(tasks.set_status, task.id, TaskStatus.DECISION)
        why = failure_reason(failed, total)
        logger.info(
            "task %s step %d wave %d waits for a decision: %s", task.uuid, sub.position, wave, why
        )

    async def _start_wave(
        self, task: Task, sub: Subtask, wave: PlannedStep, rows: list[Execution]
    ) -> None:
        """Write and send the executions of the wave's nodes (a copy's: placing the blob its
        first waves placed, or the fetch got), the step running again if it waited."""
        wave, gone = await self._cited(task.project_id, wave)
        known = next((r for r in rows if r.blob), None)
        if gone:
            placements = [Placement(n, "", gone) for n in wave.nodes]
        elif wave.step.kind == StepKind.SCP and (known or wave.source):
            blob = Blob.decode(known.blob, known.blob_size) if known else None
            placements = await self._route(task.project_id, wave, wave.nodes, Role.PLACE, blob)
        else:
            placements = await self._step_placements(task, wave)
        placements = await self.run_db(hosts.identified, task.project_id, placements)
        held = window.holds_back(task.forks, task.check_only)
        written = await self.run_db(rollout.start_wave, task.id, sub.id, placements, held)
        self._dispatch_all(written, wave, targets(placements), task.project_id)
        self.events.publish(task.id)

    # --- control and kill

    async def control(
        self, project_id: int, task_uuid: str, subtask_uuid: str, control: Control, actor: str
    ) -> Task:
        task = await self.run_db(tasks.get, task_uuid, project_id)
        if self.elsewhere is not None and task.owner and task.owner != self.elsewhere.name:
            await self._current(task, subtask_uuid)  # what is wrong with it is said here
            await self.elsewhere.control(task.owner, task.id, subtask_uuid, control, actor)
            return await self.run_db(tasks.get_by_id, task.id)
        async with self._locked(task.id):
            task = await self.run_db(tasks.get_by_id, task.id)
            sub = await self._current(task, subtask_uuid)
            await self._apply(task, sub, control)
            logger.info("task %s step %d: %s by %s", task.uuid, sub.position, control, actor)
        self.events.publish(task.id)
        return await self.run_db(tasks.get_by_id, task.id)

    async def _current(self, task: Task, subtask_uuid: str) -> Subtask:
        subs = {s.uuid: s for s in await self.run_db(tasks.subtasks, task.id)}
        if subtask_uuid not in subs:
            raise NotFound(f"task {task.uuid} has no step {subtask_uuid}", "subtask_uuid")
        if task.status in FINAL_TASK:
            raise FailedPrecondition(f"task {task.uuid} already ended: {task.status}", "task_uuid")
        sub = subs[subtask_uuid]
        if sub.position != task.position:
            raise FailedPrecondition(f"step {subtask_uuid} is not the current step", "subtask_uuid")
        return sub

    async def _apply(self, task: Task, sub: Subtask, control: Control) -> None:
        self.approvals.check_control(sub)
        if control == Control.NEXT and task.status == TaskStatus.WAITING and sub.pause:
            if await self.run_db(claims.resume_paused, task.id, sub.id):
                await self._advance(task, sub.position)
            return
        if sub.status != SubtaskStatus.DECISION:
            raise FailedPrecondition(
                f"{control} changes nothing: the step is {sub.status}"
                + (" with no pause" if control == Control.NEXT else ""),
                "control",
            )
        if control == Control.FAIL:
            if await self._claimed(task, sub, SubtaskStatus.FAIL):
                await self._finish(task, TaskStatus.FAIL, f"stopped at step {sub.position + 1}")
        elif control == Control.IGNORE and await self._next_wave(task, sub, ignoring=True):
            return
        elif control in (Control.NEXT, Control.IGNORE):
            status = SubtaskStatus.FAIL if control == Control.NEXT else SubtaskStatus.IGNORE
            if await self._claimed(task, sub, status):
                await self._advance(task, sub.position)
        else:
            await self._rerun(task, sub)

    async def _rerun(self, task: Task, sub: Subtask) -> None:
        """The step's failed nodes run again (a step whose cited script was gone at its start
        reads it anew, and fails again if it is still gone)."""
        spec = PlannedStep.from_json(await self.run_db(tasks.step_spec, sub.id))
        planned, gone = await self._cited(task.project_id, spec)
        rows = await self.run_db(tasks.live_executions, sub.id)
        failed, _ = waves.to_decide(sub.spec, rows)  # with waves: those of the wave that failed
        placements: list[Placement] = []
        for role in Role:
            again = [r for r in failed if r.role == role]
            if again and gone:
                placements += [Placement(r.node, "", gone, role) for r in again]
            elif again:
                blob = (
                    Blob.decode(again[0].blob, again[0].blob_size) if role == Role.PLACE else None
                )
                placements += await self._route(
                    task.project_id, planned, [r.node for r in again], role, blob
                )
        placements = await self.run_db(hosts.identified, task.project_id, placements)
        rerun = await self.run_db(
            tasks.rerun,
            task.id,
            sub.id,
            placements,
            planned.to_json() if planned != spec else None,
            window.holds_back(task.forks, task.check_only),
            {r.node for r in failed},
        )
        self._dispatch_all(rerun, planned, targets(placements), task.project_id)
        await self._settle(task.id)

    async def kill_task(self, project_id: int, uuid: str, reason: str) -> Task:
        task = await self.run_db(tasks.get, uuid, project_id)
        if task.status in FINAL_TASK:
            raise FailedPrecondition(f"task {uuid} already ended: {task.status}", "uuid")
        why = reason or KILLED_REASON
        async with self._locked(task.id):  # no queued execution is let out meanwhile
            await self.run_db(tasks.request_kill, task.id, why)
            await self.approvals.killed(task.id)
            away: list[int] = []  # queued ones, never sent, end here too
            elsewhere: dict[int, str] = {}  # their slaves not attached here
            for row in await self.run_db(executions.open_of_task, task.id):
                if row.status == ExecutionStatus.QUEUED:
                    away.append(row.id)
                elif not self.sessions.send(row.slave, KillOrder(row.id, why)):
                    elsewhere[row.id] = row.slave
            if elsewhere and self.elsewhere is not None:  # killed where their slave is
                relayed = await self.elsewhere.kill(elsewhere, why)
                elsewhere = {i: s for i, s in elsewhere.items() if i not in relayed}
            away += elsewhere
            await self.run_db(executions.close, away, ExecutionStatus.KILLED, why)
            logger.info("task %s kill requested: %s", uuid, why)
            await self._settle(task.id)
        self.events.publish(task.id)
        return await self.run_db(tasks.get_by_id, task.id)

    # --- history

    async def delete_tasks(self, project_id: int, task_ids: list[int]) -> list[int]:
        """Remove ended tasks with all they hold, all or none (store/tasks.py::delete)."""
        if not task_ids or len(task_ids) > MAX_DELETED:
            raise InvalidArgument(f"name 1 to {MAX_DELETED} tasks", "ids")
        if any(i <= 0 for i in task_ids):
            raise InvalidArgument("task ids are positive integers", "ids")
        deleted = await self.run_db(tasks.delete, project_id, task_ids)
        self.events.publish_many(deleted)
        logger.info("task(s) %s deleted", ", ".join(map(str, deleted)))
        return deleted


def always() -> bool:
    return True


def targets(placements: list[Placement]) -> Targets:
    """The SSH targets of the placements reached over SSH, by node."""
    return {p.node: p.ssh for p in placements if p.ssh is not None}


def unreachable(row: Execution, placed: Placement) -> str:
    """Why an execution written earlier cannot go to its slave now, or ""."""
    if placed.failure:
        return placed.failure
    if row.node != row.slave and placed.ssh is None:
        return f"node {row.node} is reached over SSH and no target can be made for it now"
    return ""


def failure_reason(failed: list[Execution], total: int) -> str:
    shown = ", ".join(f"{r.node} ({r.status}: {r.reason})" for r in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    return f"{len(failed)} of {total} node(s) failed: {shown}{more}"


def routing_facts(
    project_id: int, nodes: list[str], user: str
) -> tuple[dict[str, Node], set[str], Account | None]:
    """What routing needs from the database: the machines, slaves ever seen, the account."""
    machines = catalogue.machines_named(project_id, nodes)
    account = catalogue.account_by_name(project_id, user) if user else None
    return machines, slaves.known(nodes, project_id), account


def log_task_end(uuid: str, status: TaskStatus, reason: str) -> None:
    """A task's end: INFO when it did not succeed, DEBUG when it did (a line a task would be
    most of the log at a thousand tasks a second; the task's row says it anyway)."""
    level = logging.DEBUG if status == TaskStatus.SUCCESS else logging.INFO
    logger.log(level, "task %s %s %s", uuid, status, reason)
