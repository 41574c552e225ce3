#!/usr/bin/env python3
"""What watching tasks costs the engine: 16 gRPC clients each submit `true` on one slave and
follow it to its end (FollowTask), one task after another, for --seconds; tasks/s finished:

(a) with no one polling (the peer figure);
(b) with 8 REST clients polling GET /task/1/:uuid every 5 ms (each on one kept-alive
    connection, each watching the latest task of one submitter), as OpenC3's pages poll; the
    pollers run in a process of their own (a browser is not the submitters' process: in one
    process, faster answers meant more polls taking the submitters' GIL);
(c) with the same 8 clients long-polling instead: GET /task/1/:uuid?wait=30&etag=<the etag of
    their last answer>, which the master answers when the task changes;
(d) the 8 clients of (b) alone, each polling a finished task: the master's, the gateway's and
    the pollers' own process's CPU per GET (utime+stime, /proc/<pid>/stat), what one poll costs
    each (on this machine the pollers' share is taken from the tasks in (b) too).

Public entry points only: the daemons' CLIs, the master's gRPC API, the gateway's REST routes.
Usage: .venv/bin/python scripts/bench_poll.py [--seconds 10] [--db URL] [--repeat N]
       [--cases none,poll,long,alone]
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchlib
import grpc
from benchfleet import Fleet

from jobfleet.cli.auth import token_channel
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

SUBMITTERS = 16
POLLERS = 8
POLL_EVERY = 0.005
LONG_WAIT = 30
FINAL = ("success", "fail")  # OpenC3's words


UUID_WIDTH = 64
SPAWN = multiprocessing.get_context("spawn")  # no fork of a process running gRPC threads


class Latest:
    """The latest task of each submitter, shared with the pollers' process."""

    def __init__(self) -> None:
        self.slots = SPAWN.Array(ctypes.c_char, SUBMITTERS * UUID_WIDTH)

    def __getitem__(self, index: int) -> str:
        raw = self.slots[index * UUID_WIDTH : (index + 1) * UUID_WIDTH]
        return bytes(raw).rstrip(b"\0").decode()

    def __setitem__(self, index: int, uuid: str) -> None:
        padded = uuid.encode()[:UUID_WIDTH].ljust(UUID_WIDTH, b"\0")
        self.slots[index * UUID_WIDTH : (index + 1) * UUID_WIDTH] = padded


@dataclass(frozen=True)
class Watch:
    """What the pollers' process shares with this one: the stop flag, the submitters' latest
    tasks, the GETs answered, a failure's text, and a flag set once the pollers run."""

    stop: Any
    latest: Latest
    polls: Any
    failure: Any
    ready: Any

    @classmethod
    def made(cls) -> Watch:
        failure = SPAWN.Array(ctypes.c_char, 1024)
        return cls(SPAWN.Event(), Latest(), SPAWN.Value(ctypes.c_long, 0), failure, SPAWN.Event())


class Run:
    """One case's clients: the tasks finished (a monotonic time each), and what is shared
    with the pollers (`watch`)."""

    def __init__(self) -> None:
        self.watch = Watch.made()
        self.stop = self.watch.stop
        self.latest = self.watch.latest
        self.finished: list[float] = []
        self.failed: list[BaseException] = []

    @property
    def polls(self) -> int:
        return int(self.watch.polls.value)

    def client(self, job: Callable[[], None]) -> Callable[[], None]:
        """`job`, keeping what it failed with (a client that fails fails the benchmark)."""

        def kept() -> None:
            try:
                job()
            except BaseException as err:  # noqa: BLE001 - reported once the case is over
                self.failed.append(err)
                self.stop.set()

        return kept

    def count(self, since: float, until: float) -> int:
        return sum(since <= t < until for t in list(self.finished))


def submitter(master: str, run: Run, index: int) -> None:
    """Submit `true`, follow it to its end, again, until told to stop."""
    shell = common_pb2.SCRIPT_TYPE_SHELL
    ask = task_pb2.SubmitCommandRequest(
        project_id=1, name="poll", nodes=["bench"], script_type=shell, script="true"
    )
    with token_channel(master) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        while not run.stop.is_set():
            uuid = stub.SubmitCommand(ask, timeout=60).task.uuid
            run.latest[index] = uuid
            follow = task_pb2.FollowTaskRequest(project_id=1, uuid=uuid)
            for event in stub.FollowTask(follow, timeout=60):
                if event.HasField("task"):
                    run.finished.append(time.monotonic())


def polling_process(gateway: str, token: str, watch: Watch, long_poll: bool) -> None:
    """The pollers' process: POLLERS threads polling until told to stop; a failure is kept in
    `watch.failure` and stops everyone."""

    def kept(index: int) -> None:
        try:
            poller(gateway, token, watch, index, long_poll)
        except BaseException as err:  # noqa: BLE001 - reported by the submitters' process
            watch.failure.value = repr(err).encode()[:1000]
            watch.stop.set()

    threads = [threading.Thread(target=kept, args=(i,)) for i in range(POLLERS)]
    for thread in threads:
        thread.start()
    watch.ready.set()
    for thread in threads:
        thread.join()


def poller(gateway: str, token: str, run: Watch, index: int, long_poll: bool) -> None:
    """GET the latest task of submitter `index` every 5 ms; or long-poll it for each change
    until it is final, then the submitter's next (as a page following a run would)."""
    host, _, port = gateway.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=LONG_WAIT + 30)
    headers = {"Authorization": f"Token {token}"}
    watched, etag = "", ""
    try:
        while not run.stop.is_set():
            uuid = run.latest[index]
            if not uuid or (long_poll and uuid == watched and not etag):
                time.sleep(0.001)  # nothing new to watch yet: no request
                continue
            if uuid != watched:
                watched, etag = uuid, ""
            query = f"?wait={LONG_WAIT}&etag={etag}" if long_poll and etag else ""
            conn.request("GET", f"/task/1/{uuid}{query}", headers=headers)
            answer = json.loads(conn.getresponse().read())
            if "data" not in answer:
                raise SystemExit(f"GET /task/1/{uuid}{query}: {answer}")
            data = answer["data"]
            with run.polls.get_lock():
                run.polls.value += 1
            if not long_poll:
                time.sleep(POLL_EVERY)
            elif data["status"] in FINAL:
                etag = ""  # done with it: wait for the submitter's next task
            else:
                etag = str(data["etag"])
    finally:
        conn.close()


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def finished_tasks(master: str) -> list[str]:
    """One finished task per poller (what case (d) polls)."""
    shell = common_pb2.SCRIPT_TYPE_SHELL
    ask = task_pb2.SubmitCommandRequest(
        project_id=1, name="poll", nodes=["bench"], script_type=shell, script="true"
    )
    with token_channel(master) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        uuids = [stub.SubmitCommand(ask, timeout=60).task.uuid for _ in range(POLLERS)]
        for uuid in uuids:
            follow = task_pb2.FollowTaskRequest(project_id=1, uuid=uuid)
            for _ in stub.FollowTask(follow, timeout=60):
                pass
    return uuids


@dataclass
class Sample:
    """One case's run: tasks/s, GETs/s, and the master's, gateway's and pollers' CPU seconds
    per GET."""

    rate: float
    gets: float
    master_cpu: float
    gateway_cpu: float
    pollers_cpu: float = 0.0


def measure(fleet: Fleet, seconds: float, pollers: str) -> Sample:
    """Tasks/s finished over `seconds` (after one second of warm-up) with `pollers` ("" none,
    "poll", "long", or "alone": polling finished tasks, no submitters), the pollers' GETs per
    second, and the CPU the master and the gateway spent per GET."""
    run = Run()
    submitters = [functools.partial(submitter, fleet.master, run, i) for i in range(SUBMITTERS)]
    if pollers == "alone":
        submitters = []
        for i, uuid in enumerate(finished_tasks(fleet.master)):
            run.latest[i] = uuid
    token = os.environ["JOBFLEET_ADMIN_TOKEN"]
    watchers = SPAWN.Process(
        target=polling_process, args=(fleet.gateway, token, run.watch, pollers == "long")
    )
    if pollers:
        watchers.start()
        run.watch.ready.wait(60)
    threads = [threading.Thread(target=run.client(job), daemon=True) for job in submitters]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    pids = [fleet.daemons[0].proc.pid, fleet.daemons[-1].proc.pid]  # the master, the gateway
    pids += [watchers.pid] if pollers and watchers.pid else []  # the pollers' process
    began, polls, cpu = time.monotonic(), run.polls, [cpu_seconds(pid) for pid in pids]
    time.sleep(seconds)
    ended, polled = time.monotonic(), run.polls - polls
    spent = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu, strict=True)]
    run.stop.set()
    for thread in threads:
        thread.join(LONG_WAIT + 30)
    if pollers:
        watchers.join(LONG_WAIT + 30)
    if run.failed or run.watch.failure.value:
        failure = repr(run.failed[0]) if run.failed else run.watch.failure.value.decode()
        raise SystemExit(f"bench_poll: a client failed: {failure}")
    (master, gateway, *watched), gets = spent, max(polled, 1)
    took, tasks = ended - began, run.count(began, ended)
    return Sample(tasks / took, polled / took, master / gets, gateway / gets, sum(watched) / gets)


CASES = (
    ("", "(a) 16 gRPC clients submit `true`, no one polling"),
    ("poll", "(b) ... while 8 REST clients poll GET /task every 5 ms"),
    ("long", "(c) ... while 8 REST clients long-poll GET /task?wait&etag"),
    ("alone", "(d) 8 REST clients poll finished tasks every 5 ms, nothing else"),
)


def measure_all(fleet: Fleet, args: argparse.Namespace, out: benchlib.Figures) -> None:
    runs = benchlib.repeat(args, 3, 1)
    cases = [(kind, name) for kind, name in CASES if (kind or "none") in args.cases.split(",")]
    samples: dict[str, list[Sample]] = {kind: [] for kind, _ in cases}
    for _ in range(runs):  # the cases in turn, so that drift in the machine's load is shared
        for kind, _ in cases:
            samples[kind].append(measure(fleet, args.seconds, kind))
            got = samples[kind][-1]
            cpu = (got.master_cpu, got.gateway_cpu, got.pollers_cpu)
            per_get = "/".join(f"{spent * 1e3:.3f}" for spent in cpu)
            benchlib.progress(
                f"{kind or 'none'}: {got.rate:.1f} tasks/s, {got.gets:.0f} GETs/s, "
                f"CPU per GET master/gateway/pollers {per_get} ms"
            )
    peer = statistics.median(s.rate for s in samples.get("", [Sample(0, 0, 0, 0)]))
    for kind, name in cases:
        gets = statistics.median(s.gets for s in samples[kind])
        if kind == "alone":
            out.add(name, "GETs/s", [s.gets for s in samples[kind]])
            for who, whose in (
                ("master", "master's"),
                ("gateway", "gateway's"),
                ("pollers", "pollers'"),
            ):
                spent = [getattr(s, f"{who}_cpu") * 1000 for s in samples[kind]]
                out.add(f"(d) the {whose} CPU per GET", "ms", spent, "utime+stime / GETs")
            continue
        rates = [s.rate for s in samples[kind]]
        notes = [f"{statistics.median(rates) / peer:.0%} of (a)"] if peer else []
        notes += [f"{gets:.0f} GETs/s"] if kind else []
        out.add(name, "tasks/s", rates, ", ".join(notes))


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--seconds", type=float, default=10.0, help="each case's measured time")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    p.add_argument(
        "--cases", default="none,poll,long,alone", help="of none, poll, long, alone (comma list)"
    )
    args = benchlib.parse(p, {"seconds": 1.0})
    out = benchlib.Figures("poll")
    with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
        unbounded = ["--max-submissions-per-second", "100000"]  # the engine's rate, not a quota
        fleet.start_master(*unbounded, *(["--db", args.db] if args.db else []))
        fleet.start_slave("bench")
        # the gateway watches tasks change, so it answers repeated reads from memory
        os.environ["JOBFLEET_GATEWAY_WATCH_TOKEN"] = os.environ["JOBFLEET_ADMIN_TOKEN"]
        fleet.start_gateway()
        measure_all(fleet, args, out)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as err:
        sys.exit(f"bench_poll: {err}")
