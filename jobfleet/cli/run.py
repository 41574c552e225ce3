"""`jobfleet run`: run a command on nodes through the master and print its output live."""

from __future__ import annotations

import argparse
import os
import sys

import grpc

from jobfleet.cli.auth import TOKEN_ENV, read_token, token_channel
from jobfleet.cli.client import STATUS_WORD, follow
from jobfleet.masters import channel_target, failover_options, parse_masters
from jobfleet.tls import TlsError, add_client_arguments, client_tls_from
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

SCRIPT_TYPES = {
    "shell": common_pb2.SCRIPT_TYPE_SHELL,
    "python": common_pb2.SCRIPT_TYPE_PYTHON,
    "perl": common_pb2.SCRIPT_TYPE_PERL,
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run a script on nodes and follow its output")
    p.add_argument(
        "--master",
        default="127.0.0.1:7070",
        help="HOST:PORT, or several masters of one cluster: a:7070,b:7070,c:7070 (or a DNS name"
        " with several addresses); a master that is down is passed over, and a follow cut by its"
        " master's death goes on from another",
    )
    p.add_argument("--project", type=int, default=1)
    p.add_argument(
        "--token-file",
        help=f"file holding a token of the project (or the admin token) [${TOKEN_ENV}]",
    )
    add_client_arguments(p.add_argument_group("TLS to the master (see docs/tls.md)"))
    p.add_argument("--nodes", required=True, help="comma list of node names")
    p.add_argument("--type", choices=sorted(SCRIPT_TYPES), default="shell")
    p.add_argument("--timeout", type=int, default=60)
    p.add_argument("script", help="script text")
    p.add_argument("args", nargs="*", help="arguments passed to the script")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    request = task_pb2.SubmitCommandRequest(
        project_id=args.project,
        name=args.script[:60],
        submitter="cli",
        nodes=[n.strip() for n in args.nodes.split(",") if n.strip()],
        script_type=SCRIPT_TYPES[args.type],
        script=args.script,
        args=args.args,
        timeout_seconds=args.timeout,
    )
    token = read_token(args.token_file)
    try:
        masters = parse_masters(args.master)
        target = channel_target(masters)
    except (ValueError, OSError) as exc:
        print(f"jobfleet run: --master: {exc}", file=sys.stderr)
        return 2
    try:
        tls = client_tls_from(vars(args), os.environ)
    except TlsError as exc:
        print(f"jobfleet run: {exc}", file=sys.stderr)
        return 2
    with token_channel(target, token, tls, failover_options(masters)) as channel:
        try:
            task = task_pb2_grpc.TaskServiceStub(channel).SubmitCommand(request, timeout=30).task
        except grpc.RpcError as exc:
            print(f"jobfleet run: {exc.details()}", file=sys.stderr)
            return 2
        final = follow(channel, task.uuid)
    print(f"task {task.uuid}: {STATUS_WORD[final.status]}", file=sys.stderr)
    return 0 if final.status == common_pb2.TASK_STATUS_SUCCESS else 1
