"""`jobfleet run`: run a command on nodes through the master and print its output live."""

from __future__ import annotations

import argparse
import getpass

from jobfleet.cli.common import Connection, add_common
from jobfleet.cli.nodes import resolve_nodes
from jobfleet.cli.outcome import follow_to_end
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

SCRIPT_TYPES = {
    "shell": common_pb2.SCRIPT_TYPE_SHELL,
    "python": common_pb2.SCRIPT_TYPE_PYTHON,
    "perl": common_pb2.SCRIPT_TYPE_PERL,
}

DESCRIPTION = """\
Run a script on nodes and print each node's output as it arrives, prefixed with the node.
On a terminal, a progress line on stderr counts the nodes done, failed and running.
"""

EPILOG = """\
exit status: 0 every node succeeded; 1 the task failed; 2 bad input, or refused (by the
master, or no master reachable); 3 killed or ended otherwise; 130 interrupted (the task goes on).
examples:
  jobfleet run --nodes web1,web2 'uptime'
  jobfleet run --nodes @web --type python 'import os; print(os.uname())'
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run a script on nodes and follow its output",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--nodes",
        required=True,
        metavar="NODE[,NODE|@GROUP...]",
        help="comma list of node names; @NAME is a node group of the project",
    )
    p.add_argument("--type", choices=sorted(SCRIPT_TYPES), default="shell")
    p.add_argument("--timeout", type=int, default=60, metavar="SECONDS")
    p.add_argument("script", help="script text")
    p.add_argument("args", nargs="*", help="arguments passed to the script")
    add_common(p)
    p.set_defaults(func=run, connects=True)


def run(args: argparse.Namespace, conn: Connection) -> int:
    request = task_pb2.SubmitCommandRequest(
        project_id=conn.project,
        name=args.script[:60],
        submitter=getpass.getuser(),
        nodes=resolve_nodes(conn.channel, conn.project, args.nodes),
        script_type=SCRIPT_TYPES[args.type],
        script=args.script,
        args=args.args,
        timeout_seconds=args.timeout,
    )
    task = task_pb2_grpc.TaskServiceStub(conn.channel).SubmitCommand(request, timeout=30).task
    return follow_to_end(conn, task, args)
