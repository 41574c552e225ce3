"""The task engine: submits tasks, settles them when their executions end, kills them.

Every state change is written to the database before any slave or follower hears of it.
"""

from __future__ import annotations

import logging

from master import validate, variables
from master.db import DbRunner
from master.domain import (
    CommandSpec,
    ExecutionStatus,
    RunOrder,
    ScriptType,
    TaskStatus,
)
from master.errors import FailedPrecondition, InvalidArgument
from master.events import TaskEvents
from master.link import KillOrder, SlaveSessions
from master.models import Execution, Task
from master.store import executions, projects, slaves, tasks
from master.store.tasks import NewTask, Placement

logger = logging.getLogger(__name__)


class TaskEngine:
    def __init__(self, run_db: DbRunner, sessions: SlaveSessions, events: TaskEvents) -> None:
        self.run_db = run_db
        self.sessions = sessions
        self.events = events

    async def submit_command(self, spec: CommandSpec) -> Task:
        validate.command(spec)
        await self.run_db(projects.require_project, spec.project_id)
        script, *args = variables.render_all([spec.script, *spec.args], spec.variables)
        placements = await self._place(list(spec.nodes))
        step = {
            "name": spec.name,
            "user": spec.user,
            "nodes": list(spec.nodes),
            "script_type": spec.script_type.value,
            "script": script,
            "args": args,
            "timeout_s": spec.timeout_s,
        }
        new = NewTask(
            project_id=spec.project_id,
            name=spec.name,
            submitter=spec.submitter,
            call_type=spec.call_type,
            job_type="plugin_cmd",
            variables=spec.variables,
            step_kind="cmd",
            step_spec=step,
            placements=placements,
        )
        task, rows = await self.run_db(tasks.create, new)
        logger.info("task %s submitted by %s on %d node(s)", task.uuid, spec.submitter, len(rows))
        for row in rows:
            if row.status == ExecutionStatus.PENDING:
                self._dispatch(row, step)
        await self.settle(task.id)
        return task

    async def _place(self, nodes: list[str]) -> list[Placement]:
        """Route each node: a node named like a slave runs on that slave (agent mode)."""
        known = await self.run_db(slaves.known, nodes)
        unknown = [n for n in nodes if n not in known]
        if unknown:
            raise InvalidArgument(f"unknown node(s): {', '.join(unknown)}", "nodes")
        return [
            Placement(n, n)
            if self.sessions.attached(n)
            else Placement(n, n, f"slave {n} is not attached to the master")
            for n in nodes
        ]

    def _dispatch(self, row: Execution, step: dict[str, object]) -> None:
        order = run_order(row.id, step)
        if not self.sessions.send(row.slave, order):
            logger.warning("exec %s slave %s detached before dispatch", row.id, row.slave)

    async def redispatch(self, row: Execution) -> None:
        """Send a pending execution again (its slave re-attached without knowing it)."""
        step = await self.run_db(tasks.step_spec, row.subtask_id)
        self._dispatch(row, step)

    async def kill_task(self, project_id: int, uuid: str, reason: str) -> Task:
        task = await self.run_db(tasks.get, uuid, project_id)
        if task.status not in (TaskStatus.RUNNING, TaskStatus.INIT, TaskStatus.DECISION):
            raise FailedPrecondition(f"task {uuid} already ended: {task.status}", "uuid")
        await self.run_db(tasks.request_kill, task.id)
        why = reason or "killed on request"
        away: list[int] = []
        for row in await self.run_db(executions.open_of_task, task.id):
            if not self.sessions.send(row.slave, KillOrder(row.id, why)):
                away.append(row.id)
        await self.run_db(executions.close, away, ExecutionStatus.KILLED, why)
        logger.info("task %s kill requested: %s", uuid, why)
        await self.settle(task.id)
        return await self.run_db(tasks.get, uuid)

    async def settle(self, task_id: int) -> None:
        """Finish the task once none of its executions is open; then tell followers."""
        task = await self.run_db(tasks.get_by_id, task_id)
        rows = await self.run_db(tasks.executions, task_id)
        if task.status in (TaskStatus.RUNNING, TaskStatus.INIT) and all(
            ExecutionStatus(r.status).final for r in rows
        ):
            status, reason = outcome(task, rows)
            if await self.run_db(tasks.finish, task_id, status, reason):
                logger.info("task %s %s %s", task.uuid, status, reason)
        self.events.publish(task_id)


def outcome(task: Task, rows: list[Execution]) -> tuple[TaskStatus, str]:
    failed = [r for r in rows if r.status != ExecutionStatus.SUCCESS]
    if task.kill_requested:
        return TaskStatus.KILLED, "killed on request"
    if not failed:
        return TaskStatus.SUCCESS, ""
    shown = ", ".join(f"{r.node} ({r.status}: {r.reason})" for r in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    return TaskStatus.FAIL, f"{len(failed)} of {len(rows)} node(s) failed: {shown}{more}"


def run_order(execution_id: int, step: dict[str, object]) -> RunOrder:
    args = step.get("args", [])
    return RunOrder(
        execution_id=execution_id,
        script_type=ScriptType(str(step["script_type"])),
        script=str(step["script"]),
        args=tuple(str(a) for a in args) if isinstance(args, list) else (),
        user=str(step.get("user", "")),
        timeout_s=int(str(step["timeout_s"])),
    )
