"""Relays: what crossing masters costs a task, submit -> success, at low load.

Three masters (--advertise) on one fresh PostgreSQL database and one slave attached to master
B, then --runs tasks `true`, one at a time, each from SubmitCommand until FollowTask shows it
final (the first 3 warm up), p50:
(a) one master: submitted, run and followed on B (the slave's master drives the task);
(b) three masters: submitted on A (A drives it: the dispatch and the settle are relayed),
    followed on C (C hears the changes through the bus). A task's engine is the master it
    was submitted on (`task.owner`), so "submit, slave and engine on three masters" is this
    figure: submit and engine on A, the slave on B, the reader on C.
Usage: PG_FAST=1 scripts/pg run .venv/bin/python scripts/bench_relay.py [--runs 50] [--quick]
The server is --db (a PostgreSQL admin URL), else $JOBFLEET_TEST_DB; without either the
benchmark reports nothing (several masters need PostgreSQL).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import benchlib
import grpc
import psycopg2
from benchfleet import Fleet

from jobfleet.cli.auth import metadata
from jobfleet.cli.processes import spawn, wait_ready
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(server: str) -> tuple[str, str]:
    """A new database on the server: (its URL, its name)."""
    name = f"bench_relay_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(server)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}")), name


def drop_database(server: str, name: str) -> None:
    conn = psycopg2.connect(server)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def start_masters(fleet: Fleet, url: str, count: int) -> list[str]:
    """`count` masters of one database, one after the other (the first makes the schema)."""
    addresses = []
    for i in range(count):
        address = f"127.0.0.1:{free_port()}"
        data = fleet.work / f"master{i}"
        ready = data / "ready"
        data.mkdir()
        args = ["--listen", address, "--advertise", address, "--db", url]
        args += ["--data-dir", str(data), "--ready-file", str(ready)]
        args += ["--key-file", str(fleet.work / "secrets.key")]
        fleet.daemons.append(spawn(f"master{i}", "master", args, fleet.work))
        addresses.append(wait_ready(fleet.daemons[-1], ready))
    return addresses


async def crossing(submit_on: str, follow_on: str, runs: int) -> list[float]:
    """ms from SubmitCommand on one master until FollowTask on another shows it final."""
    auth = metadata(os.environ["JOBFLEET_ADMIN_TOKEN"])
    shell = common_pb2.SCRIPT_TYPE_SHELL
    ask = task_pb2.SubmitCommandRequest(
        project_id=1, name="relay", nodes=["bench"], script_type=shell, script="true"
    )
    async with (
        grpc.aio.insecure_channel(submit_on) as submitting,
        grpc.aio.insecure_channel(follow_on) as following,
    ):
        submit = task_pb2_grpc.TaskServiceStub(submitting)
        follow = task_pb2_grpc.TaskServiceStub(following)
        took = []
        for _ in range(runs + 3):
            began = asyncio.get_running_loop().time()
            task = (await submit.SubmitCommand(ask, metadata=auth, timeout=60)).task
            request = task_pb2.FollowTaskRequest(project_id=1, uuid=task.uuid)
            async for event in follow.FollowTask(request, metadata=auth, timeout=60):
                if event.HasField("task"):
                    break
            took.append((asyncio.get_running_loop().time() - began) * 1000)
    return took[3:]


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--runs", type=int, default=50, help="tasks of each figure, one at a time")
    p.add_argument("--db", default="", help="PostgreSQL admin URL (default $JOBFLEET_TEST_DB)")
    args = benchlib.parse(p, {"runs": 5})
    out = benchlib.Figures("relay")
    server = args.db or os.environ.get("JOBFLEET_TEST_DB", "")
    if not server:
        benchlib.progress("relay: no PostgreSQL (--db or JOBFLEET_TEST_DB): nothing measured")
        out.emit(args.json)
        return 0
    url, name = fresh_database(server)
    try:
        with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
            a, b, c = start_masters(fleet, url, 3)
            fleet.master = b
            fleet.start_slave("bench")
            one: list[float] = []
            three: list[float] = []
            for _ in range(benchlib.repeat(args, 3)):
                one += asyncio.run(crossing(b, b, args.runs))
                three += asyncio.run(crossing(a, c, args.runs))
            note = f"{len(one)} tasks, one at a time"
            out.add("(a) submit -> success p50, one master", "ms", [statistics.median(one)], note)
            out.add(
                "(b) submit -> success p50, submit+engine on A, slave on B, follow on C",
                "ms",
                [statistics.median(three)],
                note,
            )
    finally:
        drop_database(server, name)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
