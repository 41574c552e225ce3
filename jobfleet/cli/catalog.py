"""`jobfleet jobs` and `jobfleet jobs show JOB`: the project's jobs, and one job's steps."""

from __future__ import annotations

import argparse
import re

import grpc

from jobfleet.cli.common import Connection, add_common, nested
from jobfleet.cli.render import print_json, table, when
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2

UUID_LIKE = re.compile(r"^[A-Za-z0-9]{12}$")
"""A job's uuid (12 letters and digits); a job may have such a name too, tried second."""

SELECTOR_WORD = {
    v: k.removeprefix("NODE_SELECTOR_TYPE_").lower() for k, v in common_pb2.NodeSelectorType.items()
}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("jobs", help="list the project's jobs (jobs show JOB: one job's steps)")
    p.add_argument("--name", default="", help="only jobs whose name contains this")
    add_common(p)
    p.set_defaults(func=list_jobs, connects=True)
    shows = p.add_subparsers(dest="action", metavar="ACTION")
    s = nested(shows, "show", help="one job: its steps and what they run")
    s.add_argument("job", metavar="JOB", help="the job's name, uuid or numeric id")
    add_common(s)
    s.set_defaults(func=show_job, connects=True)


def list_jobs(args: argparse.Namespace, conn: Connection) -> int:
    request = catalog_pb2.ListJobsRequest(
        project_id=conn.project, filter=catalog_pb2.ListFilter(name_contains=args.name)
    )
    jobs = catalog_pb2_grpc.CatalogServiceStub(conn.channel).ListJobs(request, timeout=30).jobs
    if args.json:
        print_json(list(jobs))
        return 0
    rows = [
        (
            j.id,
            j.uuid,
            len(j.steps),
            "yes" if j.needs_variables else "",
            when(j.audit.edit_time),
            j.name,
        )
        for j in jobs
    ]
    table(("ID", "UUID", "STEPS", "NEEDS VARS", "EDITED", "NAME"), rows)
    return 0


def find_job(conn: Connection, ref: str) -> catalog_pb2.Job:
    """The project's job `ref` names: a numeric id, a uuid, else a name."""
    stub = catalog_pb2_grpc.CatalogServiceStub(conn.channel)
    if ref.isdigit():
        asks = [catalog_pb2.GetJobRequest(project_id=conn.project, id=int(ref))]
    else:
        asks = [catalog_pb2.GetJobRequest(project_id=conn.project, name=ref)]
        if UUID_LIKE.match(ref):
            asks.insert(0, catalog_pb2.GetJobRequest(project_id=conn.project, uuid=ref))
    for ask in asks[:-1]:
        try:
            job: catalog_pb2.Job = stub.GetJob(ask, timeout=30).job
            return job
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
    last: catalog_pb2.Job = stub.GetJob(asks[-1], timeout=30).job
    return last


def show_job(args: argparse.Namespace, conn: Connection) -> int:
    job = find_job(conn, args.job)
    if args.json:
        print_json(job)
        return 0
    print(f"job {job.name}  (id {job.id}, uuid {job.uuid})")
    if job.needs_variables:
        print("needs variables: a run must give them (--var NAME=VALUE)")
    rows = [(i + 1, s.name, *step_summary(s)) for i, s in enumerate(job.steps)]
    table(("#", "STEP", "KIND", "NODES", "WHAT"), rows)
    return 0


def step_summary(step: common_pb2.Step) -> tuple[str, str, str]:
    kind = step.WhichOneof("kind") or "-"
    if kind == "cmd":
        nodes = f"{SELECTOR_WORD[step.cmd.nodes.type]}:{step.cmd.nodes.content}"
        first = step.cmd.script.strip().splitlines()[:1]
        return kind, nodes, first[0] if first else f"script {step.cmd.script_id}"
    if kind == "scp":
        src = f"{step.scp.src.content}:{step.scp.src_path}"
        return kind, f"{SELECTOR_WORD[step.scp.dst.type]}:{step.scp.dst.content}", f"copy {src}"
    if kind == "approval":
        return kind, "-", f"approvers {step.approval.approvers}"
    return kind, "-", "-"
