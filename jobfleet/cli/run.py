"""`jobfleet run`: run a command on nodes through the master and print its output live."""

from __future__ import annotations

import argparse
import os
import sys

import grpc

from jobfleet.cli.auth import TOKEN_ENV, read_token, token_channel
from jobfleet.cli.client import STATUS_WORD, follow
from jobfleet.tls import TlsError, add_client_arguments, client_tls_from
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

SCRIPT_TYPES = {
    "shell": common_pb2.SCRIPT_TYPE_SHELL,
    "python": common_pb2.SCRIPT_TYPE_PYTHON,
    "perl": common_pb2.SCRIPT_TYPE_PERL,
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run a script on nodes and follow its output")
    p.add_argument("--master", default="127.0.0.1:7070")
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
        tls = client_tls_from(vars(args), os.environ)
    except TlsError as exc:
        print(f"jobfleet run: {exc}", file=sys.stderr)
        return 2
    with token_channel(args.master, token, tls) as channel:
        try:
            task = task_pb2_grpc.TaskServiceStub(channel).SubmitCommand(request, timeout=30).task
        except grpc.RpcError as exc:
            print(f"jobfleet run: {exc.details()}", file=sys.stderr)
            return 2
        final = follow(channel, task.uuid)
    print(f"task {task.uuid}: {STATUS_WORD[final.status]}", file=sys.stderr)
    return 0 if final.status == common_pb2.TASK_STATUS_SUCCESS else 1
