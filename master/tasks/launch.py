"""A submitted task planned, written and (the common case) started in one database call.

Synchronous: it runs on a database thread, as the store functions do. What was submitted is
planned (submit.py), then, when its first step is a plain one (`fast_step`), routed and written
already started in one write transaction (store/taskstart.py): the task, its steps, the first
step's executions and the version variables a task sets as it starts. The engine then only
sends the executions it got back, after that transaction committed. Any other task is written
not started (tasks.create) and started by the engine's settle, step by step, as before: a dry
run or a `forks` window (queued executions), an approval, a condition or a wave plan, or a
cited script not read yet. Both ways write the same rows (tests/unit/master/tasks/test_launch.py).

Routing reads the attached slaves from a copy of the registry taken on the event loop
(SlaveSessions.snapshot), never the live one from this thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from master.db.models import Account, Execution, Subtask, Task
from master.domain import (
    Blob,
    ExecutionStatus,
    NewTask,
    Placement,
    PlannedStep,
    Role,
    SshTarget,
    StepKind,
)
from master.errors import JobfleetError, NotFound
from master.slaves.sessions import SlaveSessions
from master.store import catalogue, files, slaves, startreads, tasks, taskstart, taskstarts
from master.tasks import hosts, routing, versions, waves
from master.tasks.taskview import TaskView

Planner = Callable[[], NewTask | Task]
"""What was submitted, planned (a Task: the one the caller's uuid already names)."""
Opener = Callable[[Account | None], tuple[Account | None, str]]
"""The account with its secrets opened, or why they cannot be (TaskEngine.opened)."""


@dataclass(frozen=True)
class Launched:
    """A task written. `rows` None: not started here (the engine settles it); else the first
    step's executions (the PENDING ones to send, with `planned` and the SSH `targets`)."""

    task: Task
    steps: int = 0
    existing: bool = False
    rows: list[Execution] | None = None
    planned: PlannedStep | None = None
    targets: dict[str, SshTarget] = field(default_factory=dict)
    subtasks: list[Subtask] = field(default_factory=list)

    @property
    def view(self) -> TaskView | None:
        """The task as written, when that is how it is once its start is sent: started here
        with an execution to send (the engine then changes nothing of it; with none, it
        settles the step at once). None: read it after its start (TaskQueries.view)."""
        pending = ExecutionStatus.PENDING
        if self.rows is None or not any(r.status == pending for r in self.rows):
            return None
        return TaskView(self.task, self.rows, self.subtasks)

    @property
    def known(self) -> dict[int, PlannedStep]:
        """The steps whose planned step is at hand, by subtask id: the first one started here
        (its stored spec is `planned`, written as it started), so its answer need not parse
        its spec again."""
        if self.planned is None or not self.subtasks:
            return {}
        return {self.subtasks[0].id: self.planned}


def launch(plan: Planner, max_running: int, sessions: SlaveSessions, opened: Opener) -> Launched:
    """Plan what was submitted and write it, started when its first step allows (routing
    reads again none of the nodes and slaves planning read: startreads.remembered)."""
    with startreads.remembered():
        new = plan()
        if isinstance(new, Task):
            return Launched(new, existing=True)
        return launch_planned(new, max_running, sessions, opened)


def launch_planned(
    new: NewTask, max_running: int, sessions: SlaveSessions, opened: Opener
) -> Launched:
    """Write a planned task, started when its first step allows (one write transaction)."""
    first = fast_step(new)
    if first is None:
        return Launched(tasks.create(new, max_running), len(new.steps))
    placements = _placements(new.project_id, first, sessions, opened)
    spec = first.to_json() if first.cited else None
    started = taskstart.start_task_steps(new, max_running, placements, spec, versions.starting)
    task, rows, steps = started
    targets = {p.node: p.ssh for p in placements if p.ssh is not None}
    return Launched(task, len(new.steps), False, rows, first, targets, steps)


def launch_many(
    news: list[NewTask],
    max_running: int,
    sessions: SlaveSessions,
    opened: Opener,
    routes: Routes | None = None,
) -> list[Launched | JobfleetError]:
    """Write planned tasks whose first step is plain (`fast_step`), started, in one write
    transaction (store/taskstarts.py): for each, in order, its Launched or why it was not
    written. Tasks planned alike (a tick's fires of one job share their steps) are routed once
    (by `routes` when given: kept over several calls, a tick written in chunks)."""
    routes = routes or Routes(sessions, opened)
    ready = [routes.start(new) for new in news]
    starts = [s for _, s in ready if isinstance(s, taskstarts.Start)]
    written = iter(taskstarts.start_tasks(starts, max_running, versions.starting) if starts else [])
    out: list[Launched | JobfleetError] = []
    for new, (first, start) in zip(news, ready, strict=True):
        result = start if isinstance(start, JobfleetError) else next(written)
        if isinstance(result, JobfleetError):
            out.append(result)
            continue
        task, rows = result
        ssh = {p.node: p.ssh for p in routes.placed(start) if p.ssh is not None}
        out.append(Launched(task, len(new.steps), False, rows, first, ssh))
    return out


class Routes:
    """A batch's first steps planned and routed once per distinct step: tasks planned alike
    share their steps' spec objects (cron/starts.py plans a tick's fires of a job once)."""

    def __init__(self, sessions: SlaveSessions, opened: Opener) -> None:
        self.sessions = sessions
        self.opened = opened
        self._found: dict[tuple[int, int, Any], tuple[Any, PlannedStep, Routed]] = {}

    def start(self, new: NewTask) -> tuple[PlannedStep, taskstarts.Start | JobfleetError]:
        """The task's first step, and what to write for it (or why it cannot start)."""
        spec = new.steps[0].spec
        alike = (new.project_id, id(spec), new.mode)
        found = self._found.get(alike)
        if found is None or found[0] is not spec:  # the id of another object, since freed
            found = (spec, *self._route(new))
            self._found[alike] = found
        _, first, routed = found
        if isinstance(routed, JobfleetError):
            return first, routed
        placements, started_spec = routed
        return first, taskstarts.Start(new, placements, started_spec)

    def _route(self, new: NewTask) -> tuple[PlannedStep, Routed]:
        first = fast_step(new)
        if first is None:
            raise ValueError(f"task {new.uuid}: its first step is not a plain one")
        try:
            placements = _placements(new.project_id, first, self.sessions, self.opened)
        except JobfleetError as exc:
            return first, exc
        return first, (placements, first.to_json() if first.cited else None)

    @staticmethod
    def placed(start: taskstarts.Start | JobfleetError) -> list[Placement]:
        return start.placements if isinstance(start, taskstarts.Start) else []


Routed = tuple[list[Placement], dict[str, Any] | None] | JobfleetError
"""A first step's placements and its spec as it starts, or why it cannot be routed."""


def fast_step(new: NewTask) -> PlannedStep | None:
    """The first step, planned, when its start is only "route its nodes, write and send their
    executions" (TaskEngine._start_step with nothing else to do); else None."""
    if not new.steps or new.mode.check or new.mode.forks:  # queued, for a window to let out
        return None
    planned = PlannedStep.from_json(new.steps[0].spec)
    step = planned.step
    if step.kind not in (StepKind.CMD, StepKind.SCP):  # an approval asks, runs nothing
        return None
    if step.deployenv or step.action or step.batches:  # a condition, a wave plan
        return None
    if step.script_id and planned.cited is None:  # a cited script to read at its start
        return None
    return waves.first(planned)


def _placements(
    project_id: int, planned: PlannedStep, sessions: SlaveSessions, opened: Opener
) -> list[Placement]:
    """As TaskEngine._step_placements then hosts.identified: its nodes (run), its source (a
    copy's fetch) or its destinations (a copy from the file server, failed when the file is
    gone), each with the host it is on."""
    step = planned.step
    blob: Blob | None = None
    if step.kind == StepKind.CMD:
        nodes, role = planned.nodes, Role.RUN
    elif planned.source:
        nodes, role = [planned.source], Role.FETCH
    else:
        try:
            stored = files.by_name(project_id, step.src_path)
        except NotFound as exc:
            gone = [Placement(n, "", str(exc), Role.PLACE) for n in planned.nodes]
            return hosts.identified(project_id, gone)
        nodes, role, blob = planned.nodes, Role.PLACE, Blob(stored.sha256, stored.size)
    machines = catalogue.machines_named(project_id, nodes)
    addresses = slaves.addresses_of(nodes, project_id)  # its keys: the slaves.known of nodes
    seen = set(addresses)
    placed = routing.place(sessions, nodes, machines, seen, project_id, step.user, role, blob)
    if not any(routing.over_ssh(p) for p in placed):  # no account needed
        return hosts.identify(placed, machines, addresses)
    account = catalogue.account_by_name(project_id, step.user) if step.user else None
    account, unopened = opened(account)
    reached = routing.reach(placed, machines, account, step.user, unopened)
    return hosts.identify(reached, machines, addresses)
