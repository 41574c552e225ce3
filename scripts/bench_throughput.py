#!/usr/bin/env python3
"""Throughput: how many small tasks a second one master runs, beside what gRPC itself does here.

A master and one slave (real processes on loopback), then:
(a) sustained: --clients (16) gRPC clients submit `true` on the one agent node, back to back,
    for --seconds (60), at most --window (128) tasks unfinished at once (so latency stays
    bounded: Little's law); then the tail is waited for (deadline). Every task is counted final
    from the master (CountTasks), and any that did not succeed fails the benchmark. tasks/s =
    tasks / (first submit -> last success), limit 1,000;
(b) submit -> success p50 and p99 at that load: the master's finished_at of up to --sample
    tasks (GetTask after the run) minus the client's clock at submit; limit p99 250 ms;
(c) the master's CPU seconds per task over (a) (its utime+stime: steady on a shared machine),
    and beside it the slave's, the commands' it ran (its children's), the clients' (this
    process), and their sum: the machine's CPU per task, against the budget below;
(d) submit -> success at low load: one client, one task at a time, followed to its end
    (FollowTask), p50 of --runs (50); limit 20 ms;
(e) the peer: gRPC unary calls/s with the same clients on a trivial grpc.aio echo server in a
    process of its own (bytes in, bytes out), measured in the same run, and the machine's CPU
    per call (server and clients);
(f) the floor: the CPU of spawning and reaping `/bin/true`, and `bash -c true` (a shell step
    runs its script in bash), from a bare Python loop: what any Python slave pays per run;
    beside it the machine's CPU budget per task at 1,000 tasks/s (its cores x 1 ms). A task
    costs at least one such spawn and one unary call.
--profile FILE records the master with py-spy (`record --gil -f raw`) during (a) and prints its
top 10 functions by own and total GIL-holding samples (scripts/pyspy_top.py).
Public entry points only: the daemons' CLIs and the master's gRPC API (benchfleet.py).
Usage: .venv/bin/python scripts/bench_throughput.py [--seconds 60] [--clients 16] [--db URL]
       [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import benchlib
import grpc
import pyspy_top
from benchfleet import Fleet

from jobfleet.cli.auth import metadata
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

TICKS = os.sysconf("SC_CLK_TCK")
TAIL_TIMEOUT = 120.0
ECHO_SERVER = """
import asyncio, grpc
async def echo(request, context):
    return request
async def main():
    server = grpc.aio.server()
    rpc = grpc.unary_unary_rpc_method_handler(echo)
    echoes = grpc.method_handlers_generic_handler("bench.Echo", {"Echo": rpc})
    server.add_generic_rpc_handlers([echoes])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(port, flush=True)
    await server.wait_for_termination()
asyncio.run(main())
"""


def cpu_seconds(pid: int, children: bool = False) -> float:
    """utime + stime of a process so far, or with `children` of its reaped children
    (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    first = 13 if children else 11
    return (int(fields[first]) + int(fields[first + 1])) / TICKS


def spawn_floor(runs: int, argv: list[str]) -> float:
    """(f): ms of CPU (this process and its children) per `argv` spawned and reaped."""
    before = os.times()
    for _ in range(runs):
        subprocess.run(argv, check=True)
    after = os.times()
    spent = sum(after[:4]) - sum(before[:4])  # user, system, children's user and system
    return spent / runs * 1000


def command(script: str = "true") -> task_pb2.SubmitCommandRequest:
    shell = common_pb2.SCRIPT_TYPE_SHELL
    return task_pb2.SubmitCommandRequest(
        project_id=1, name="throughput", nodes=["bench"], script_type=shell, script=script
    )


async def finished(stub: task_pb2_grpc.TaskServiceStub) -> tuple[int, int]:
    """Tasks of project 1 this month: (succeeded, ended otherwise)."""
    auth = metadata(os.environ["JOBFLEET_ADMIN_TOKEN"])
    answer = await stub.CountTasks(task_pb2.CountTasksRequest(project_id=1), metadata=auth)
    by = {c.status: c.count for c in answer.statuses}
    bad = (common_pb2.TASK_STATUS_FAIL, common_pb2.TASK_STATUS_KILLED)
    return by.get(common_pb2.TASK_STATUS_SUCCESS, 0), sum(by.get(s, 0) for s in bad)


@dataclass
class Load:
    """One sustained run: the submits (uuid, wall clock at submit), the tasks done so far."""

    window: int
    submitted: list[tuple[str, float]] = field(default_factory=list)
    done: int = 0
    failed: int = 0
    began: float = 0.0
    ended: float = 0.0

    @property
    def unfinished(self) -> int:
        return len(self.submitted) - self.done - self.failed


async def submitter(target: str, load: Load, until: float) -> None:
    """Submit `true`, again and again, while fewer than `window` tasks are unfinished."""
    auth = metadata(os.environ["JOBFLEET_ADMIN_TOKEN"])
    async with grpc.aio.insecure_channel(target) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        ask = command()
        while time.monotonic() < until:
            if load.unfinished >= load.window:
                await asyncio.sleep(0.002)
                continue
            at = time.time()
            answer = await stub.SubmitCommand(ask, metadata=auth, timeout=60)
            load.submitted.append((answer.task.uuid, at))


async def watch(stub: task_pb2_grpc.TaskServiceStub, load: Load, base: tuple[int, int]) -> None:
    """Keep load.done / load.failed current (one cheap CountTasks every 20 ms)."""
    while True:
        done, failed = await finished(stub)
        load.done, load.failed = done - base[0], failed - base[1]
        await asyncio.sleep(0.02)


async def sustain(target: str, clients: int, seconds: float, window: int) -> Load:
    """(a): submit for `seconds`, then wait for every task to end."""
    load = Load(window)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        watcher = asyncio.create_task(watch(stub, load, await finished(stub)))
        load.began = time.monotonic()
        until = load.began + seconds
        await asyncio.gather(*(submitter(target, load, until) for _ in range(clients)))
        deadline = time.monotonic() + TAIL_TIMEOUT
        while load.unfinished and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        load.ended = time.monotonic()
        watcher.cancel()
    if load.unfinished or load.failed:
        raise SystemExit(
            f"bench_throughput: of {len(load.submitted)} tasks {load.failed} failed and "
            f"{load.unfinished} were not final {TAIL_TIMEOUT:g} s after the last submit"
        )
    return load


async def latencies(target: str, load: Load, sample: int) -> list[float]:
    """(b): ms from submit to the master's finished_at, of up to `sample` of the load's tasks."""
    auth = metadata(os.environ["JOBFLEET_ADMIN_TOKEN"])
    picked = random.Random(17).sample(load.submitted, min(sample, len(load.submitted)))
    async with grpc.aio.insecure_channel(target) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        took = []
        for uuid, at in picked:
            task = (await stub.GetTask(task_pb2.GetTaskRequest(uuid=uuid), metadata=auth)).task
            took.append((task.finished_at.ToNanoseconds() / 1e9 - at) * 1000)
    return took


async def low_load(target: str, runs: int) -> list[float]:
    """(d): ms from SubmitCommand until FollowTask shows the task final, one at a time."""
    auth = metadata(os.environ["JOBFLEET_ADMIN_TOKEN"])
    async with grpc.aio.insecure_channel(target) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        took = []
        for _ in range(runs + 3):  # the first 3 warm up
            began = time.perf_counter()
            uuid = (await stub.SubmitCommand(command(), metadata=auth, timeout=60)).task.uuid
            follow = task_pb2.FollowTaskRequest(project_id=1, uuid=uuid)
            async for event in stub.FollowTask(follow, metadata=auth, timeout=60):
                if event.HasField("task"):
                    break
            took.append((time.perf_counter() - began) * 1000)
    return took[3:]


async def echo_rate(clients: int, seconds: float) -> tuple[float, float]:
    """(e): unary calls/s of `clients` channels calling a trivial echo server for `seconds`,
    and the machine's CPU ms per call (the server's and this process's)."""
    server = subprocess.Popen(
        [sys.executable, "-c", ECHO_SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        calls = [0]

        async def client(until: float) -> None:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                echo = channel.unary_unary("/bench.Echo/Echo")
                await echo(b"warm-up", timeout=30)
                while time.monotonic() < until:
                    await echo(b"x" * 64, timeout=30)
                    calls[0] += 1

        began, spent = time.monotonic(), cpu_seconds(server.pid) + time.process_time()
        await asyncio.gather(*(client(began + seconds) for _ in range(clients)))
        rate = calls[0] / (time.monotonic() - began)
        spent = cpu_seconds(server.pid) + time.process_time() - spent
        return rate, spent / max(1, calls[0]) * 1000
    finally:
        server.terminate()
        server.wait()


def profile(pid: int, seconds: float, out: Path, spy: str) -> subprocess.Popen[bytes]:
    """py-spy recording the master's GIL-holding samples for `seconds` into `out` (raw)."""
    args = [spy, "record", "--gil", "-f", "raw", "-r", "100", "-p", str(pid)]
    args += ["-d", str(max(1, int(seconds))), "-o", str(out), "--nonblocking"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(fleet: Fleet, args: argparse.Namespace, out: benchlib.Figures) -> None:
    pid, slave_pid = fleet.daemons[0].proc.pid, fleet.daemons[1].proc.pid
    asyncio.run(low_load(fleet.master, 1 if args.quick else 5))  # warm-up
    rates, at_load = [], []
    parts: dict[str, list[float]] = {"master": [], "slave": [], "commands": [], "clients": []}
    for _ in range(benchlib.repeat(args, 1)):
        spent = {
            "master": cpu_seconds(pid),
            "slave": cpu_seconds(slave_pid),
            "commands": cpu_seconds(slave_pid, children=True),
            "clients": time.process_time(),
        }
        spy = profile(pid, args.seconds, Path(args.profile), args.py_spy) if args.profile else None
        load = asyncio.run(sustain(fleet.master, args.clients, args.seconds, args.window))
        now = {
            "master": cpu_seconds(pid),
            "slave": cpu_seconds(slave_pid),
            "commands": cpu_seconds(slave_pid, children=True),
            "clients": time.process_time(),
        }
        tasks = len(load.submitted)
        rates.append(tasks / (load.ended - load.began))
        for part, before in spent.items():
            parts[part].append((now[part] - before) / tasks * 1000)
        at_load += asyncio.run(latencies(fleet.master, load, args.sample))
        if spy:
            spy.wait()
            benchlib.progress(pyspy_top.report(Path(args.profile).read_text(), 10))
    note = f"{args.clients} gRPC clients, {args.seconds:g} s, every task final"
    out.add("(a) `true` on one agent node, sustained", "tasks/s", rates, note)
    out.add("(b) submit -> success at that load, p50", "ms", [percentile(at_load, 50)])
    out.add("(b) submit -> success at that load, p99", "ms", [percentile(at_load, 99)])
    out.add("(c) master CPU per task at that load", "ms", parts["master"], "utime+stime / tasks")
    out.add("(c) slave CPU per task at that load", "ms", parts["slave"], "utime+stime / tasks")
    out.add("(c) its commands' CPU per task", "ms", parts["commands"], "the slave's children")
    out.add("(c) the clients' CPU per task", "ms", parts["clients"], "this process")
    machine = [sum(run) for run in zip(*parts.values(), strict=True)]
    out.add("(c) the machine's CPU per task", "ms", machine, "the four above")
    lows = asyncio.run(low_load(fleet.master, args.runs))
    out.add("(d) submit -> success at low load, p50", "ms", [percentile(lows, 50)], "1 client")
    calls, per_call = asyncio.run(echo_rate(args.clients, args.echo_seconds))
    out.add("(e) gRPC unary calls/s, trivial echo server", "calls/s", [calls], "the same clients")
    out.add("(e) the machine's CPU per echo call", "ms", [per_call], "server and clients")
    spawn = spawn_floor(args.spawns, ["/bin/true"])
    out.add("(f) CPU per `/bin/true` spawned from a bare Python loop", "ms", [spawn], "floor")
    spawn = spawn_floor(args.spawns, ["bash", "-c", "true"])
    out.add("(f) CPU per `bash -c true` spawned the same way", "ms", [spawn], "a shell step's")
    budget = (os.cpu_count() or 1) * 1.0
    budget_figure = "(f) the machine's CPU budget per task at 1,000 tasks/s"
    out.add(budget_figure, "ms", [budget], "cores x 1 ms")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else 0.0


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--seconds", type=float, default=60.0, help="(a)'s submitting time")
    p.add_argument("--clients", type=int, default=16, help="concurrent gRPC clients")
    p.add_argument("--window", type=int, default=128, help="most tasks unfinished at once")
    p.add_argument("--sample", type=int, default=2000, help="tasks whose latency (b) is read")
    p.add_argument("--runs", type=int, default=50, help="tasks of (d), one at a time")
    p.add_argument("--echo-seconds", type=float, default=5.0, help="(e)'s time")
    p.add_argument("--spawns", type=int, default=1000, help="processes (f) spawns")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    p.add_argument("--profile", default="", metavar="FILE", help="py-spy raw output of (a)")
    p.add_argument(
        "--py-spy", default=str(Path(sys.executable).with_name("py-spy")), help="its path"
    )
    quick = {"seconds": 2.0, "window": 16, "runs": 3, "echo_seconds": 1.0, "sample": 100}
    args = benchlib.parse(p, {**quick, "spawns": 50})
    out = benchlib.Figures("throughput")
    with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
        unbounded = ["--max-submissions-per-second", "100000"]  # the engine's rate, not a quota
        fleet.start_master(*unbounded, *(["--db", args.db] if args.db else []))
        fleet.start_slave("bench")
        measure(fleet, args, out)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as err:
        sys.exit(f"bench_throughput: {err}")
