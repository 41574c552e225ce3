"""`jobfleet slaves`, `crontabs` and `tokens`: who runs the work, what starts it on a schedule,
and who may ask for it (tokens create/delete: the admin token, or a token of the project, as
the master's TokenService allows)."""

from __future__ import annotations

import argparse
import getpass

from jobfleet.cli.common import Connection, add_common, nested
from jobfleet.cli.render import print_json, table, when
from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    crontab_pb2,
    crontab_pb2_grpc,
)

CRONTAB_WORD = {
    v: k.removeprefix("CRONTAB_STATUS_").lower() for k, v in crontab_pb2.CrontabStatus.items()
}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("slaves", help="the slaves: attached, running executions, last heartbeat")
    add_common(p)
    p.set_defaults(func=list_slaves, connects=True)

    p = sub.add_parser("crontabs", help="the project's crontabs with their next fire")
    p.add_argument("--name", default="", help="only crontabs whose name contains this")
    add_common(p)
    p.set_defaults(func=list_crontabs, connects=True)

    p = sub.add_parser("tokens", help="the project's tokens (tokens create, tokens delete ID)")
    add_common(p)
    p.set_defaults(func=list_tokens, connects=True)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    c = nested(actions, "create", help="a new token of the project; its secret is shown once")
    c.add_argument("--describe", default="", help="what the token is for")
    c.add_argument("--run-job", default="", metavar="JOB", help="an upload with it runs this job")
    add_common(c)
    c.set_defaults(func=create_token, connects=True)
    d = nested(actions, "delete", help="remove a token of the project")
    d.add_argument("id", type=int, metavar="ID")
    add_common(d)
    d.set_defaults(func=delete_token, connects=True)


def list_slaves(args: argparse.Namespace, conn: Connection) -> int:
    stub = catalog_pb2_grpc.CatalogServiceStub(conn.channel)
    slaves = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=30).slaves
    if args.json:
        print_json(list(slaves))
        return 0
    rows = [
        (
            s.name,
            "yes" if s.attached else "no",
            s.running,
            when(s.last_seen),
            s.version or "-",
            ",".join(s.addresses) or "-",
        )
        for s in slaves
    ]
    table(("NAME", "ATTACHED", "RUNNING", "LAST SEEN", "VERSION", "ADDRESSES"), rows)
    return 0


def list_crontabs(args: argparse.Namespace, conn: Connection) -> int:
    request = crontab_pb2.ListCrontabsRequest(
        project_id=conn.project, filter=catalog_pb2.ListFilter(name_contains=args.name)
    )
    stub = crontab_pb2_grpc.CrontabServiceStub(conn.channel)
    crontabs = stub.ListCrontabs(request, timeout=30).crontabs
    if args.json:
        print_json(list(crontabs))
        return 0
    rows = [
        (
            c.id,
            c.name,
            c.cron,
            c.time_zone or "-",
            CRONTAB_WORD[c.status],
            when(c.next_fire_time),
            c.job_name,
        )
        for c in crontabs
    ]
    table(("ID", "NAME", "CRON", "ZONE", "STATUS", "NEXT FIRE", "JOB"), rows)
    return 0


def list_tokens(args: argparse.Namespace, conn: Connection) -> int:
    stub = auth_pb2_grpc.TokenServiceStub(conn.channel)
    tokens = stub.ListTokens(auth_pb2.ListTokensRequest(project_id=conn.project), timeout=30)
    if args.json:
        print_json(list(tokens.tokens))
        return 0
    rows = [
        (t.id, t.audit.create_user or "-", when(t.audit.create_time), t.job_name or "-", t.describe)
        for t in tokens.tokens
    ]
    table(("ID", "CREATED BY", "CREATED", "RUNS JOB", "DESCRIBE"), rows)
    return 0


def create_token(args: argparse.Namespace, conn: Connection) -> int:
    request = auth_pb2.CreateTokenRequest(
        project_id=conn.project,
        describe=args.describe,
        actor=getpass.getuser(),
        run_job=bool(args.run_job),
        job_name=args.run_job,
    )
    made = auth_pb2_grpc.TokenServiceStub(conn.channel).CreateToken(request, timeout=30)
    if args.json:
        print_json({"token": made.token.id, "secret": made.secret})
    else:
        print(f"token {made.token.id}: {made.secret}")
        print("(shown this once: keep it in a file readable only by you)")
    return 0


def delete_token(args: argparse.Namespace, conn: Connection) -> int:
    request = auth_pb2.DeleteTokenRequest(project_id=conn.project, id=args.id)
    auth_pb2_grpc.TokenServiceStub(conn.channel).DeleteToken(request, timeout=30)
    if args.json:
        print_json({"deleted": args.id})
    else:
        print(f"token {args.id}: deleted")
    return 0
