#!/usr/bin/env python3
"""Agent fan-out: one command to N attached slaves, and what idle attached slaves cost the master.

Starts a master and one slave in fleet mode (`jobfleet-slave --fleet N --fleet-procs K`: N
identities of the real slave code spread over K processes, default 2 so their runs use both
cores as real slaves use machines of their own; docs/fleet.md), waits until all N are attached,
then:
  - master RSS per idle attached slave: (master RSS with N attached - before) / N, in KB
    (limit 64 KB); the fleet process's own RSS per identity beside it;
  - master idle CPU with N attached: its utime+stime over --idle-seconds (default 30), in % of
    a core (limit 5 %; heartbeats and keepalives), beside the same with no slave attached;
  - fan-out: SubmitCommand `true` on the first n of them for each n of --sizes (default
    100,300,1000), submit -> success (polled with CountTasks, one cheap query, so watching does
    not load the master), 3 times each (limit 2 s at 1,000), and the master's CPU seconds
    for each (steadier than wall time on a shared machine), and the fleet processes' together.
Public entry points only: the daemons' CLIs and the master's gRPC API (benchfleet.py).
Usage: .venv/bin/python scripts/bench_fanout.py [--sizes 100,300,1000] [--idle-seconds 30]
       [--fleet-procs 2] [--profile DIR]  (DIR: py-spy of master and fleet during the largest)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import benchlib
import grpc
import pyspy_top
from benchfleet import Fleet, work_dir

from jobfleet.cli.auth import token_channel
from jobfleet.cli.processes import Daemon, spawn
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
ATTACH_TIMEOUT = 300.0
RUN_TIMEOUT = 300.0


@dataclass(frozen=True)
class Spy:
    """A py-spy recording of one process into a raw file."""

    name: str
    out: Path
    proc: subprocess.Popen[bytes]


def rss_kb(pid: int) -> float:
    """Resident set size of a process, in KB (/proc/<pid>/statm)."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 1024


def cpu_seconds(pid: int, children: bool = False) -> float:
    """utime + stime of a process so far, or with `children` of its reaped children: the
    commands it ran (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    first = 13 if children else 11
    return (int(fields[first]) + int(fields[first + 1])) / TICKS


def each_cpu_seconds(pids: list[int]) -> list[float]:
    """utime + stime of each of these processes."""
    return [cpu_seconds(pid) for pid in pids]


def fleet_pids(pid: int) -> list[int]:
    """The fleet's processes: its first one and the ones it forked (--fleet-procs), read while
    no command runs, so no run is among them."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [pid, *(int(child) for child in children.read().split())]


def idle_cpu(pid: int, seconds: float) -> float:
    """The process's CPU over the next `seconds`, in % of one core."""
    began = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - began) / seconds * 100


def fleet_names(prefix: str, count: int) -> list[str]:
    """The names `--fleet count --name prefix` attaches as (docs/fleet.md)."""
    width = len(str(count))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


def wait_attached(channel: grpc.Channel, count: int, daemon: Daemon) -> float:
    """Seconds until `count` slaves are attached (SystemExit if the fleet dies or times out)."""
    stub = catalog_pb2_grpc.CatalogServiceStub(channel)
    began = time.monotonic()
    while time.monotonic() - began < ATTACH_TIMEOUT:
        if daemon.proc.poll() is not None:
            raise SystemExit(f"the fleet exited with {daemon.proc.returncode}; see {daemon.log}")
        listed = stub.ListSlaves(catalog_pb2.ListSlavesRequest(), timeout=30).slaves
        if sum(s.attached for s in listed) >= count:
            return time.monotonic() - began
        time.sleep(0.5)
    raise SystemExit(f"{count} slaves not attached after {ATTACH_TIMEOUT:g} s; see {daemon.log}")


def successes(tasks: task_pb2_grpc.TaskServiceStub) -> tuple[int, int]:
    """Tasks of project 1 this month: (succeeded, ended otherwise)."""
    counts = tasks.CountTasks(task_pb2.CountTasksRequest(project_id=1), timeout=30).statuses
    by = {c.status: c.count for c in counts}
    bad = (common_pb2.TASK_STATUS_FAIL, common_pb2.TASK_STATUS_KILLED)
    return by.get(common_pb2.TASK_STATUS_SUCCESS, 0), sum(by.get(s, 0) for s in bad)


def fan_out(tasks: task_pb2_grpc.TaskServiceStub, nodes: list[str]) -> float:
    """Seconds from SubmitCommand `true` on `nodes` until the task succeeded."""
    done, failed = successes(tasks)
    request = task_pb2.SubmitCommandRequest(
        project_id=1,
        name=f"true on {len(nodes)}",
        nodes=nodes,
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script="true",
        timeout_seconds=120,
    )
    began = time.perf_counter()
    uuid = tasks.SubmitCommand(request, timeout=60).task.uuid
    while time.perf_counter() - began < RUN_TIMEOUT:
        now_done, now_failed = successes(tasks)
        if now_done > done:
            return time.perf_counter() - began
        if now_failed > failed:
            break
        time.sleep(0.02)
    task = tasks.GetTask(task_pb2.GetTaskRequest(uuid=uuid), timeout=60).task
    raise SystemExit(f"task {uuid} did not succeed: {task.status} {task.reason}")


def measure(work: Path, args: argparse.Namespace, out: benchlib.Figures) -> None:
    sizes = sorted(int(s) for s in args.sizes.split(","))
    count = sizes[-1]
    names = fleet_names("f", count)
    runs = benchlib.repeat(args, 3, 1)
    with Fleet(work) as fleet:
        fleet.start_master(*args.master_args.split())
        master_pid = fleet.daemons[-1].proc.pid
        channel = token_channel(fleet.master)
        tasks = task_pb2_grpc.TaskServiceStub(channel)
        successes(tasks)  # the master has served a call before its RSS is taken
        time.sleep(args.settle)
        before = rss_kb(master_pid)
        alone = idle_cpu(master_pid, args.idle_seconds)
        slave_args = ["--master", fleet.master, "--name", "f", "--fleet", str(count)]
        slave_args += ["--cgroups", "off", "--state-dir", str(work / "state")]
        slave_args += ["--fleet-procs", str(args.fleet_procs)]
        daemon = spawn("fleet", "slave", slave_args, work)
        fleet.daemons.append(daemon)
        took = wait_attached(channel, count, daemon)
        benchlib.progress(f"fanout: {count} identities attached in {took:.1f} s")
        time.sleep(args.settle)
        after = rss_kb(master_pid)
        out.add(
            f"master RSS per idle attached slave ({count} attached)",
            "KB",
            [(after - before) / count],
            f"limit 64 KB; master {before / 1024:.0f} -> {after / 1024:.0f} MB",
        )
        fleet_procs = fleet_pids(daemon.proc.pid)
        fleet_rss = sum(rss_kb(pid) for pid in fleet_procs)
        out.add(f"fleet processes' RSS per identity ({count})", "KB", [fleet_rss / count])
        busy = idle_cpu(master_pid, args.idle_seconds)
        note = f"limit 5 %; over {args.idle_seconds:g} s"
        out.add(f"master idle CPU, {count} attached slaves", "% core", [busy], note)
        out.add("master idle CPU, no slave attached", "% core", [alone], "the same window")
        fan_out(tasks, names[:2])  # warm-up
        for size in sizes:
            samples, spent, fleet_spent, busiest, commands_spent = [], [], [], [], []
            spies = profile(args, master_pid, fleet_procs, work) if size == count else []
            for _ in range(runs):
                began, fleet_began = cpu_seconds(master_pid), each_cpu_seconds(fleet_procs)
                commands_began = sum(cpu_seconds(pid, children=True) for pid in fleet_procs)
                samples.append(fan_out(tasks, names[:size]))
                spent.append(cpu_seconds(master_pid) - began)
                commands = sum(cpu_seconds(pid, children=True) for pid in fleet_procs)
                commands_spent.append(commands - commands_began)
                fleet_cpu = [b - a for a, b in zip(fleet_began, each_cpu_seconds(fleet_procs))]
                fleet_spent.append(sum(fleet_cpu))
                busiest.append(max(fleet_cpu))
            report_profiles(args, spies)
            procs = f"{args.fleet_procs} fleet processes"
            limit = f"limit 2 s at 1,000; {procs}" if size == 1000 else procs
            out.add(f"fan-out `true` to {size} attached slaves", "s", samples, limit)
            out.add(f"master CPU per fan-out to {size}", "s", spent, "its utime+stime")
            note = f"{procs} together; real slaves run theirs on machines of their own"
            out.add(f"fleet CPU per fan-out to {size}", "s", fleet_spent, note)
            note = "its runs start one after another: a floor under the fan-out's time"
            out.add(f"busiest fleet process's CPU per fan-out to {size}", "s", busiest, note)
            note = "the runs' own processes (shells), on this machine's cores too"
            out.add(f"the commands' CPU per fan-out to {size}", "s", commands_spent, note)
            whole = [sum(parts) for parts in zip(spent, fleet_spent, commands_spent, strict=True)]
            note = f"the three above; over {os.cpu_count()} cores at best {{:.2f}} s"
            note = note.format(statistics.median(whole) / (os.cpu_count() or 1))
            out.add(f"the machine's CPU per fan-out to {size}", "s", whole, note)
        channel.close()


def profile(args: argparse.Namespace, master: int, fleet: list[int], work: Path) -> list[Spy]:
    """py-spy recording the master and each fleet process (--profile DIR), until stopped."""
    if not args.profile:
        return []
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    named = [("master", master)] + [(f"fleet{i}", pid) for i, pid in enumerate(fleet)]
    spies = []
    for name, pid in named:
        out = Path(args.profile) / f"{name}.raw"
        command = [args.py_spy, "record", "--gil", "-f", "raw", "-r", "200", "-p", str(pid)]
        command += ["-o", str(out), "--nonblocking"]
        log = (work / f"py-spy-{name}.log").open("wb")
        spies.append(Spy(name, out, subprocess.Popen(command, stdout=log, stderr=log)))
    time.sleep(2)  # py-spy attached before the first fan-out
    return spies


def report_profiles(args: argparse.Namespace, spies: list[Spy]) -> None:
    """Stop the recordings (SIGINT writes them) and print each one's top functions."""
    for spy in spies:
        spy.proc.send_signal(signal.SIGINT)
        spy.proc.wait(60)
        if spy.out.exists():
            top = pyspy_top.report(spy.out.read_text(), args.top)
            benchlib.progress(f"py-spy of {spy.name} ({spy.out}):\n{top}")


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--sizes", default="100,300,1000", help="slave counts, comma list")
    p.add_argument("--idle-seconds", type=float, default=30.0, help="idle CPU window")
    p.add_argument("--settle", type=float, default=5.0, help="idle seconds before an RSS")
    p.add_argument("--master-args", default="", help="extra master flags, e.g. '--heartbeat 2'")
    p.add_argument("--fleet-procs", type=int, default=2, help="fleet processes (docs/fleet.md)")
    p.add_argument("--profile", default="", metavar="DIR", help="py-spy raw files of the largest")
    p.add_argument("--top", type=int, default=12, help="functions per py-spy table")
    p.add_argument(
        "--py-spy", default=str(Path(sys.executable).with_name("py-spy")), help="its path"
    )
    args = benchlib.parse(p, {"sizes": "50", "idle_seconds": 3.0, "settle": 1.0})
    out = benchlib.Figures("fanout")
    work = work_dir("fanout")
    try:
        measure(work, args, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
