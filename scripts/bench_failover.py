#!/usr/bin/env python3
"""Failover: from SIGKILL of a master until every slave it held is attached to another one.

Three masters on one new PostgreSQL database (JOBFLEET_TEST_DB's server: run under
`PG_FAST=1 scripts/pg run`), and a fleet of slave identities in one process
(`jobfleet-slave --fleet N --master a,b,c`), which spread over the masters by their names. Each
round SIGKILLs the master holding the most identities, polls the others' ListSlaves every 20 ms
until each of those identities is attached to one of them, then starts the killed master again
(same port and data dir) and the fleet again (so it spreads over all three) for the next round.

--single: one master and its slaves (`--master` of one address), the master SIGKILLed and
started again at once, as systemd would: the time until its slaves are back. This is what a
fleet sees without a second master (runs on the base tree too).

Usage: PG_FAST=1 scripts/pg run .venv/bin/python scripts/bench_failover.py [--fleet 150]
       [--masters 3] [--repeat 10] [--single]
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
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc

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


def measure(server: str, fleet: int, count: int, rounds: int, single: bool) -> list[float]:
    name = f"jf_failover_{uuid.uuid4().hex[:12]}"
    admin(server, f'CREATE DATABASE "{name}"')
    db = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    local_admin_token()
    os.environ["JOBFLEET_JOIN_TOKEN"] = secrets.token_urlsafe(24)
    count = 1 if single else count
    times: list[float] = []
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
                # A master lists a slave as attached a moment before the slave has its Welcome;
                # one killed in between has no credential, and every master refuses it after.
                wait(enrolled, 60, "the fleet's credentials written")
                benchlib.progress(f"failover: fleet of {fleet} on {[len(h) for h in held]}")
                return daemon

            slaves = start_fleet()
            for _ in range(rounds):
                doomed = max(range(count), key=lambda i: len(held[i]))
                moving = held[doomed]
                others = [i for i in range(count) if i != doomed]
                began = time.monotonic()
                masters.kill(doomed)
                if single:
                    masters.start(doomed)
                    others = [doomed]

                def moved() -> bool:
                    now = set().union(*(masters.attached(i) for i in others))
                    return now >= moving

                wait(moved, 120, "the killed master's slaves attached again")
                took = time.monotonic() - began
                times.append(took)
                benchlib.progress(f"failover: {len(moving)} slaves back in {took:.2f} s")
                if not single:  # the killed master back, and the fleet spread over all again
                    masters.start(doomed)
                    slaves.stop()
                    slaves = start_fleet()
        finally:
            if slaves is not None:
                slaves.stop()
            masters.stop()
            admin(server, f'DROP DATABASE "{name}" WITH (FORCE)')
    return times


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--fleet", type=int, default=150, help="slave identities (default 150)")
    p.add_argument("--masters", type=int, default=3, help="masters (default 3)")
    p.add_argument("--single", action="store_true", help="one master, restarted at once")
    args = benchlib.parse(p, {"fleet": 30})
    out = benchlib.Figures("failover")
    server = os.environ.get("JOBFLEET_TEST_DB", "")
    if not server:
        out.add("SIGKILL of a master until its slaves are attached again", "", [], SKIPPED)
        out.emit(args.json)
        return 0
    rounds = benchlib.repeat(args, 10, 2)
    times = measure(server, args.fleet, args.masters, rounds, args.single)
    if args.single:
        what = f"SIGKILL of the only master, started again at once: its {args.fleet} slaves back"
    else:
        what = f"SIGKILL of 1 of {args.masters} masters: its slaves (of {args.fleet}) elsewhere"
    out.add(what, "ms", [t * 1000 for t in times])
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
