#!/usr/bin/env python3
"""Failover: from SIGKILL of a master until every slave it held is attached to another one,
and until its unfinished tasks are taken over by a live master.

Three masters on one new PostgreSQL database (JOBFLEET_TEST_DB's server: run under
`PG_FAST=1 scripts/pg run`), and a fleet of slave identities in one process
(`jobfleet-slave --fleet N --master a,b,c`), which spread over the masters by their names. Each
round SIGKILLs the master holding the most identities, polls the others' ListSlaves every 20 ms
until each of those identities is attached to one of them, then starts the killed master again
(same port and data dir) and the fleet again (so it spreads over all three) for the next round.
Before each kill, --tasks long tasks (`sleep 60`) are submitted on the doomed master, so it
drives them; the second figure is the time until none of them is its own any more (the
database's `task.owner`, polled every 20 ms): lease lapsed, row claimed, tasks moved.

--single: one master and its slaves (`--master` of one address), the master SIGKILLed and
started again at once, as systemd would: the time until its slaves are back. This is what a
fleet sees without a second master (runs on the base tree too).

Usage: PG_FAST=1 scripts/pg run .venv/bin/python scripts/bench_failover.py [--fleet 150]
       [--masters 3] [--tasks 5] [--repeat 10] [--single]
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import benchlib
import psycopg2

from jobfleet.cli.auth import local_admin_token, token_channel
from jobfleet.cli.processes import Daemon, spawn, wait_ready
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from master.domain import FINAL_TASK

SKIPPED = "skipped: JOBFLEET_TEST_DB is not set (run under scripts/pg run)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def admin(server: str, statement: str) -> None:
    conn = psycopg2.connect(urlunsplit(urlsplit(server)._replace(path="/postgres")))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


class Masters:
    """N masters on one database, each restartable on its own port and data dir."""

    def __init__(self, work: Path, db: str, count: int, advertise: bool) -> None:
        self.work = work
        self.db = db
        self.advertise = advertise
        self.ports = [free_port() for _ in range(count)]
        self.daemons: list[Daemon | None] = [None] * count

    def address(self, index: int) -> str:
        return f"127.0.0.1:{self.ports[index]}"

    def start(self, index: int) -> None:
        data = self.work / f"master{index}"
        data.mkdir(exist_ok=True)
        ready = data / "ready"
        ready.unlink(missing_ok=True)
        args = ["--listen", self.address(index), "--data-dir", str(data), "--db", self.db]
        args += ["--ready-file", str(ready), "--key-file", str(self.work / "secrets.key")]
        if self.advertise:
            args += ["--advertise", self.address(index)]
        daemon = spawn(f"master{index}", "master", args, self.work)
        self.daemons[index] = daemon
        wait_ready(daemon, ready, timeout=60)

    def kill(self, index: int) -> None:
        daemon = self.daemons[index]
        assert daemon is not None
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait()

    def attached(self, index: int) -> set[str]:
        with token_channel(self.address(index)) as channel:
            stub = catalog_pb2_grpc.CatalogServiceStub(channel)
            slaves = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=10).slaves
            return {s.name for s in slaves if s.attached}

    def submit(self, index: int, nodes: list[str]) -> None:
        """A long task on each node, submitted on (so driven by) master `index`."""
        with token_channel(self.address(index)) as channel:
            stub = task_pb2_grpc.TaskServiceStub(channel)
            for node in nodes:
                ask = task_pb2.SubmitCommandRequest(
                    project_id=1,
                    name="held",
                    nodes=[node],
                    script_type=common_pb2.SCRIPT_TYPE_SHELL,
                    script="sleep 60",
                )
                stub.SubmitCommand(ask, timeout=30)

    def stop(self) -> None:
        for daemon in self.daemons:
            if daemon is not None:
                daemon.stop()


def wait(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `check()` every 20 ms until true; the seconds it took."""
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)
    return time.monotonic() - began


def multi_supported() -> bool:
    from master.config import MasterConfig

    return "advertise" in MasterConfig.__dataclass_fields__


class Owned:
    """How many unfinished tasks a master drives (`task.owner`), read from the database."""

    FINAL = tuple(s.value for s in FINAL_TASK)

    def __init__(self, db: str) -> None:
        self.conn = psycopg2.connect(db)
        self.conn.autocommit = True

    def count(self, owner: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM task WHERE owner = %s AND NOT status = ANY(%s)",
                (owner, list(self.FINAL)),
            )
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.conn.close()


def measure(
    server: str, fleet: int, count: int, rounds: int, single: bool, held_tasks: int
) -> tuple[list[float], list[float]]:
    """Per round: seconds until the killed master's slaves are attached elsewhere, and (with
    several masters) until its tasks are taken over."""
    name = f"jf_failover_{uuid.uuid4().hex[:12]}"
    admin(server, f'CREATE DATABASE "{name}"')
    db = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    local_admin_token()
    os.environ["JOBFLEET_JOIN_TOKEN"] = secrets.token_urlsafe(24)
    count = 1 if single else count
    times: list[float] = []
    takeovers: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-failover-") as tmp:
        work = Path(tmp)
        masters = Masters(work, db, count, advertise=not single and multi_supported())
        slaves: Daemon | None = None
        try:
            for index in range(count):
                masters.start(index)
            listed = ",".join(masters.address(i) for i in range(count))
            args = ["--master", listed, "--name", "f", "--fleet", str(fleet), "--cgroups", "off"]
            args += ["--state-dir", str(work / "state"), "--run-as", "root"]
            every = {f"f{i:0{len(str(fleet))}d}" for i in range(1, fleet + 1)}
            held = [set[str]() for _ in range(count)]

            def all_attached() -> bool:
                held[:] = [masters.attached(i) for i in range(count)]
                return set().union(*held) >= every

            state = work / "state"

            def enrolled() -> bool:
                return len(list(state.glob("*.credential"))) >= fleet

            def start_fleet() -> Daemon:
                daemon = spawn("fleet", "slave", args, work)
                wait(all_attached, 120, "the fleet attached")
                wait(enrolled, 60, "the fleet's credentials written")
                benchlib.progress(f"failover: fleet of {fleet} on {[len(h) for h in held]}")
                return daemon

            slaves = start_fleet()
            owned = Owned(db)
            for _ in range(rounds):
                doomed = max(range(count), key=lambda i: len(held[i]))
                moving = held[doomed]
                others = [i for i in range(count) if i != doomed]
                owner = masters.address(doomed)
                if not single:
                    # on its own slaves: one that just moved may be routed as not attached
                    # for up to a second (the read of the other masters' slaves for routing)
                    masters.submit(doomed, sorted(moving)[:held_tasks])
                    wait(lambda: owned.count(owner) >= held_tasks, 30, "the held tasks owned")
                began = time.monotonic()
                masters.kill(doomed)
                if single:
                    masters.start(doomed)
                    others = [doomed]

                def moved() -> bool:
                    now = set().union(*(masters.attached(i) for i in others))
                    return now >= moving

                back = taken = None
                while back is None or (taken is None and not single):
                    now = time.monotonic() - began
                    if now > 120:
                        raise TimeoutError("the killed master's slaves or tasks: not in 120 s")
                    if back is None and moved():
                        back = now
                    if taken is None and not single and owned.count(owner) == 0:
                        taken = now
                    time.sleep(0.02)
                times.append(back)
                benchlib.progress(f"failover: {len(moving)} slaves back in {back:.2f} s")
                if taken is not None:
                    takeovers.append(taken)
                    benchlib.progress(f"failover: {held_tasks} tasks taken over in {taken:.2f} s")
                if not single:  # the killed master back, and the fleet spread over all again
                    masters.start(doomed)
                    slaves.stop()
                    slaves = start_fleet()
            owned.close()
        finally:
            if slaves is not None:
                slaves.stop()
            masters.stop()
            admin(server, f'DROP DATABASE "{name}" WITH (FORCE)')
    return times, takeovers


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--fleet", type=int, default=150, help="slave identities (default 150)")
    p.add_argument("--masters", type=int, default=3, help="masters (default 3)")
    p.add_argument("--single", action="store_true", help="one master, restarted at once")
    p.add_argument("--tasks", type=int, default=5, help="tasks the killed master drives (5)")
    args = benchlib.parse(p, {"fleet": 30})
    out = benchlib.Figures("failover")
    server = os.environ.get("JOBFLEET_TEST_DB", "")
    if not server:
        out.add("SIGKILL of a master until its slaves are attached again", "", [], SKIPPED)
        out.emit(args.json)
        return 0
    rounds = benchlib.repeat(args, 10, 2)
    times, takeovers = measure(server, args.fleet, args.masters, rounds, args.single, args.tasks)
    if args.single:
        what = f"SIGKILL of the only master, started again at once: its {args.fleet} slaves back"
    else:
        what = f"SIGKILL of 1 of {args.masters} masters: its slaves (of {args.fleet}) elsewhere"
    out.add(what, "ms", [t * 1000 for t in times])
    if takeovers:
        out.add(
            f"SIGKILL of 1 of {args.masters} masters: its {args.tasks} running tasks taken over",
            "ms",
            [t * 1000 for t in takeovers],
        )
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
