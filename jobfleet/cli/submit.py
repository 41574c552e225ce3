"""`jobfleet submit JOB --var k=v`: run a job of the catalogue (TaskService.SubmitJob), and with
--follow print its output until it ends."""

from __future__ import annotations

import argparse
import getpass

from jobfleet.cli.catalog import find_job
from jobfleet.cli.common import CliError, Connection, add_common
from jobfleet.cli.nodes import resolve_nodes
from jobfleet.cli.outcome import follow_to_end
from jobfleet.cli.tasks import said
from jobfleet.v1 import task_pb2, task_pb2_grpc


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "submit",
        help="run a job of the catalogue",
        description="Run a job by name or uuid. A variable its steps use without a value must "
        "be given with --var (the master refuses the run naming it). Without --follow, prints "
        "the task's uuid and exits 0; with it, exits with the task's outcome, as run.",
    )
    p.add_argument("job", metavar="JOB", help="the job's name, uuid or numeric id")
    p.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable for the run (repeatable)",
    )
    p.add_argument(
        "--nodes",
        default="",
        metavar="NODE[,NODE|@GROUP...]",
        help="run every step on these nodes instead of its own",
    )
    p.add_argument("--follow", action="store_true", help="print its output until it ends")
    add_common(p)
    p.set_defaults(func=submit, connects=True)


def parse_vars(items: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(f"--var: {item!r} is not NAME=VALUE")
        found[name.strip()] = value
    return found


def submit(args: argparse.Namespace, conn: Connection) -> int:
    variables = parse_vars(args.var)
    nodes = resolve_nodes(conn.channel, conn.project, args.nodes) if args.nodes else []
    request = task_pb2.SubmitJobRequest(
        project_id=conn.project,
        job_uuid=find_job(conn, args.job).uuid,
        variables=variables,
        submitter=getpass.getuser(),
        nodes=nodes,
    )
    task = task_pb2_grpc.TaskServiceStub(conn.channel).SubmitJob(request, timeout=30).task
    if args.follow:
        return follow_to_end(conn, task, args)
    return said(args, task)
