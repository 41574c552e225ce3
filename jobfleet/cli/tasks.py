"""`jobfleet tasks`, `show`, `tail`, `kill`, `decide`: a project's tasks, listed, read, followed,
stopped and moved on past a failed step or a pause."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
import time
from datetime import datetime

from jobfleet.cli.common import CliError, Connection, add_common
from jobfleet.cli.outcome import follow_to_end
from jobfleet.cli.render import (
    EXEC_WORD,
    STEP_WORD,
    TASK_WORD,
    colour_on,
    print_json,
    status,
    table,
    when,
)
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

STATUSES: dict[str, common_pb2.TaskStatus] = {
    word: value for value, word in TASK_WORD.items() if value
}
CONTROLS = {
    "next": task_pb2.SUBTASK_CONTROL_NEXT,
    "fail": task_pb2.SUBTASK_CONTROL_FAIL,
    "running": task_pb2.SUBTASK_CONTROL_RUNNING,
    "ignore": task_pb2.SUBTASK_CONTROL_IGNORE,
}
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
AGO = re.compile(r"^(\d+)([smhdw])$")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tasks", help="list the project's tasks, newest first")
    p.add_argument("--name", default="", help="only tasks whose name contains this")
    p.add_argument("--user", default="", help="only tasks of this submitter")
    p.add_argument(
        "--status",
        default="",
        metavar="WORD[,WORD...]",
        help=f"only tasks in these statuses: {', '.join(STATUSES)}",
    )
    p.add_argument("--since", metavar="WHEN", help="started at or after: 2h, 3d, or ISO time")
    p.add_argument("--until", metavar="WHEN", help="started before: 2h, 3d, or ISO time")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    add_common(p)
    p.set_defaults(func=list_tasks, connects=True)

    p = sub.add_parser("show", help="a task: its steps and each node's status")
    p.add_argument("uuid", metavar="UUID")
    add_common(p)
    p.set_defaults(func=show, connects=True)

    p = sub.add_parser(
        "tail",
        help="follow a task's output until it ends (exit status: its outcome, as run's)",
    )
    p.add_argument("uuid", metavar="UUID")
    add_common(p)
    p.set_defaults(func=tail, connects=True)

    p = sub.add_parser("kill", help="stop a running task")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("--reason", default="", help="recorded with the task")
    add_common(p)
    p.set_defaults(func=kill, connects=True)

    p = sub.add_parser(
        "decide",
        help="move a task on past a failed step or a pause",
        description="next: go on (past a pause, or past a failed step, which stays failed); "
        "fail: stop the task as failed; running: run the failed nodes again; ignore: count the "
        "failed nodes as done and go on.",
    )
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("control", choices=sorted(CONTROLS))
    p.add_argument("--step", default="", metavar="UUID", help="the step (default: the waiting one)")
    add_common(p)
    p.set_defaults(func=decide, connects=True)


def parse_when(text: str, flag: str) -> int:
    """Unix seconds of `text`: `N[smhdw]` ago, or an ISO 8601 time (local when it has no zone)."""
    ago = AGO.match(text.strip())
    if ago:
        return int(time.time()) - int(ago.group(1)) * UNITS[ago.group(2)]
    try:
        return int(datetime.fromisoformat(text.strip()).timestamp())
    except ValueError:
        raise CliError(f"{flag}: {text!r} is neither N[smhdw] (ago) nor an ISO time") from None


def parse_statuses(text: str) -> list[common_pb2.TaskStatus]:
    words = [w.strip().lower() for w in text.split(",") if w.strip()]
    unknown = [w for w in words if w not in STATUSES]
    if unknown:
        raise CliError(f"--status: unknown {', '.join(unknown)} (known: {', '.join(STATUSES)})")
    return [STATUSES[w] for w in words]


def list_tasks(args: argparse.Namespace, conn: Connection) -> int:
    if args.limit < 1:
        raise CliError("--limit: must be at least 1")
    request = task_pb2.ListTasksRequest(
        project_id=conn.project,
        name_contains=args.name,
        submitter=args.user,
        statuses=parse_statuses(args.status),
        started_after_unix=parse_when(args.since, "--since") if args.since else 0,
        started_before_unix=parse_when(args.until, "--until") if args.until else 0,
        limit=args.limit,
    )
    found = task_pb2_grpc.TaskServiceStub(conn.channel).ListTasks(request, timeout=30).tasks
    if args.json:
        print_json(list(found))
        return 0
    on = colour_on(sys.stdout)
    rows = [
        (t.uuid, status(TASK_WORD[t.status], on), t.submitter, when(t.started_at), t.name)
        for t in found
    ]
    table(("UUID", "STATUS", "SUBMITTER", "STARTED", "NAME"), rows)
    return 0


def get_task(conn: Connection, uuid: str) -> common_pb2.Task:
    ask = task_pb2.GetTaskRequest(project_id=conn.project, uuid=uuid)
    stub = task_pb2_grpc.TaskServiceStub(conn.channel)
    task: common_pb2.Task = stub.GetTask(ask, timeout=30).task
    return task


def show(args: argparse.Namespace, conn: Connection) -> int:
    task = get_task(conn, args.uuid)
    if args.json:
        print_json(task)
        return 0
    on = colour_on(sys.stdout)
    print(f"task      {task.uuid}  ({task.name})")
    reason = f"  ({task.reason})" if task.reason else ""
    print(f"status    {status(TASK_WORD[task.status], on)}{reason}")
    print(f"submitter {task.submitter}  via {task.call_type or '-'}")
    print(f"started   {when(task.started_at)}   finished {when(task.finished_at)}")
    by_step: dict[str, list[common_pb2.Execution]] = {}
    for e in task.executions:
        by_step.setdefault(e.subtask_uuid, []).append(e)
    for step in task.subtasks:
        word = STEP_WORD[step.status] or "-"
        print(f"\nstep {step.position + 1} {step.step.name or step.uuid}: {status(word, on)}")
        rows = [
            ("", e.node, status(EXEC_WORD[e.status], on), e.exit_code, e.reason)
            for e in by_step.pop(step.uuid, [])
        ]
        if rows:
            table(("", "NODE", "STATUS", "EXIT", "REASON"), rows)
    return 0


def tail(args: argparse.Namespace, conn: Connection) -> int:
    return follow_to_end(conn, get_task(conn, args.uuid), args)


def kill(args: argparse.Namespace, conn: Connection) -> int:
    ask = task_pb2.KillTaskRequest(project_id=conn.project, uuid=args.uuid, reason=args.reason)
    task = task_pb2_grpc.TaskServiceStub(conn.channel).KillTask(ask, timeout=30).task
    return said(args, task)


def decide(args: argparse.Namespace, conn: Connection) -> int:
    task = get_task(conn, args.uuid)
    step = args.step or waiting_step(task)
    ask = task_pb2.ControlSubtaskRequest(
        project_id=conn.project,
        task_uuid=task.uuid,
        subtask_uuid=step,
        control=CONTROLS[args.control],
        actor=getpass.getuser(),
    )
    moved = task_pb2_grpc.TaskServiceStub(conn.channel).ControlSubtask(ask, timeout=30).task
    return said(args, moved)


def waiting_step(task: common_pb2.Task) -> str:
    """The step a decision is for: the one waiting for it, or the paused one."""
    for step in task.subtasks:
        if step.status == common_pb2.SUBTASK_STATUS_DECISION:
            return str(step.uuid)
    if task.status == common_pb2.TASK_STATUS_WAITING:
        done = [s for s in task.subtasks if s.status == common_pb2.SUBTASK_STATUS_SUCCESS]
        if done:
            return str(done[-1].uuid)
    word = TASK_WORD[task.status]
    raise CliError(f"task {task.uuid} waits for no decision (it is {word}); name a --step")


def said(args: argparse.Namespace, task: common_pb2.Task) -> int:
    if args.json:
        print_json(task)
    else:
        print(f"task {task.uuid}: {status(TASK_WORD[task.status], colour_on(sys.stdout))}")
    return 0
