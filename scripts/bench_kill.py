#!/usr/bin/env python3
"""Benchmark kill on this machine: from DELETE /slave/<node>/killtask/<uuid> until the last
process the task started is gone, on a slave with `--cgroups auto` and one with `--cgroups off`
(real master, gateway and slaves on loopback; medians over N runs, polling /proc every 2 ms).

Cases (every child leaves the process group):
  term    setsid + double fork, environment kept: they die on SIGTERM
  ignore  as term, plus one that ignores SIGTERM: SIGKILL after --kill-grace
  clean   setsid + double fork under `env -i` (no run mark): only a cgroup finds them
Also the start cost: POST of `true` until success, per slave.

--race (root, cgroup v2; no daemons): why a run starts behind a gate. A bash whose first line
is `env -i setsid sh -c 'sleep ..' &` is moved into a cgroup (a) from the parent right after
it started, (b) behind the gate the slave uses; how many of those children ended up outside,
and how long the move took.

Usage: .venv/bin/python scripts/bench_kill.py [--runs 10] [--grace 0.5] [--race]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from jobfleet.cli.auth import local_admin_token, token_channel
from jobfleet.cli.client import wait_for_slave
from jobfleet.cli.processes import Daemon, spawn, wait_ready

from slave.commands.cgroups import CgroupRoot, gated

CASES = {
    "term": "setsid sleep {t} & sh -c 'setsid sleep {t} &'\n",
    "ignore": "setsid sleep {t} & sh -c 'setsid sleep {t} &'\n"
    "setsid sh -c 'trap \"\" TERM; sleep {t}; :' &\n",
    "clean": "env -i setsid sleep {t} & env -i sh -c 'setsid sleep {t} &'\n",
}
CHILDREN = {"term": 2, "ignore": 4, "clean": 2}
"""Processes whose arguments hold the tag once a case has started."""


def call(method: str, url: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return dict(json.load(resp))


def submit(gateway: str, node: str, script: str) -> str:
    body = {
        "name": "bench",
        "node_type": "builtin",
        "node_cont": node,
        "scripts_type": "shell",
        "scripts_cont": script,
        "timeout": 600,
    }
    return str(call("POST", f"http://{gateway}/task/1/plugin_cmd", body)["uuid"])


def status(gateway: str, uuid: str) -> str:
    data = call("GET", f"http://{gateway}/task/1/{uuid}")["data"]
    return str(data["status"])  # type: ignore[index]


def succeeded(gateway: str, uuid: str) -> bool:
    return status(gateway, uuid) == "success"


def with_argument(text: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text.encode() in argv and state != "Z":
            found.append(int(name))
    return found


def poll_until(check: Callable[[], bool], timeout: float, step: float = 0.002) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def kill_once(gateway: str, node: str, case: str, grace: float) -> float | None:
    """Seconds from the kill request until no child is left; None if some outlived grace+5 s."""
    tag = f"300.{secrets.randbelow(10**9):09d}"
    uuid = submit(gateway, node, CASES[case].format(t=tag) + "sleep 1000\n")
    if not poll_until(lambda: len(with_argument(tag)) >= CHILDREN[case], 30):
        raise SystemExit(f"{case} on {node}: the children did not start")
    began = time.perf_counter()
    call("DELETE", f"http://{gateway}/slave/{node}/killtask/{uuid}")
    gone = poll_until(lambda: not with_argument(tag), grace + 5)
    took = time.perf_counter() - began
    for pid in with_argument(tag):  # what the slave could not find
        os.kill(pid, signal.SIGKILL)
    poll_until(lambda: status(gateway, uuid) == "killed", 30, step=0.02)
    return took if gone else None


def start_cost(gateway: str, node: str, runs: int) -> float:
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        done = functools.partial(succeeded, gateway, submit(gateway, node, "true"))
        poll_until(done, 30)
        took.append(time.perf_counter() - began)
    return statistics.median(took)


def start(tmp: Path, grace: float) -> tuple[list[Daemon], str]:
    ready = tmp / "m.ready"
    args = ["--listen", "127.0.0.1:0", "--data-dir", str(tmp), "--ready-file", str(ready)]
    daemons = [spawn("master", "master", args, tmp)]
    master = wait_ready(daemons[0], ready)
    for node, mode in (("cg", "auto"), ("pg", "off")):
        flags = ["--master", master, "--name", node, "--kill-grace", str(grace)]
        daemons.append(spawn(f"slave-{node}", "slave", [*flags, "--cgroups", mode], tmp))
    gw_args = ["--master", master, "--listen", "127.0.0.1:0", "--ready-file", str(tmp / "g")]
    daemons.append(spawn("gateway", "gateway", gw_args, tmp))
    gateway = wait_ready(daemons[-1], tmp / "g")
    with token_channel(master) as channel:
        wait_for_slave(channel, "cg")
        wait_for_slave(channel, "pg")
    return daemons, gateway


def race(runs: int) -> None:
    root = CgroupRoot.open()
    try:
        for gate in (False, True):
            outside, moves = 0, []
            for _ in range(runs):
                out, move = race_once(root, gate)
                outside += out
                moves.append(move)
            how = "behind the gate" if gate else "moved after start"
            print(f"{how}: {outside}/{runs} escaped children outside the cgroup; "
                  f"move median {statistics.median(moves) * 1000:.1f} ms")  # fmt: skip
    finally:
        asyncio.run(root.close())


def race_once(root: CgroupRoot, gate: bool) -> tuple[int, float]:
    tag = f"300.{secrets.randbelow(10**9):09d}"
    cgroup = root.create("race")
    argv = ["bash", "-c", f"env -i setsid sh -c 'sleep {tag}' & sleep {tag}"]
    stdin = subprocess.PIPE if gate else subprocess.DEVNULL
    command = gated(argv, os.environ) if gate else argv
    proc = subprocess.Popen(command, stdin=stdin, stderr=subprocess.DEVNULL)
    began = time.perf_counter()
    cgroup.adopt(proc.pid)
    move = time.perf_counter() - began
    if proc.stdin is not None:
        proc.stdin.write(b"go\n")
        proc.stdin.close()
    poll_until(lambda: len(with_argument(tag)) >= 4, 10)  # bash, its sleep, sh, its sleep
    outside = set(with_argument(tag)) - set(cgroup.pids())
    for pid in outside:
        os.kill(pid, signal.SIGKILL)
    cgroup.kill()
    proc.wait()
    asyncio.run(cgroup.wait_empty(5))
    root.release(cgroup)
    return int(bool(outside)), move


def main() -> int:
    local_admin_token()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--grace", type=float, default=0.5, help="the slaves' --kill-grace")
    p.add_argument("--race", action="store_true", help="the start race instead (see above)")
    args = p.parse_args()
    if args.race:
        race(args.runs)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        daemons, gateway = start(Path(tmp), args.grace)
        try:
            for daemon in daemons[1:3]:
                said = [line for line in daemon.log.read_text().splitlines() if "contained" in line]
                print(f"{daemon.name}: {said[0].split(': ', 1)[1] if said else '?'}")
            for node in ("cg", "pg"):
                print(f"{node}: start cost (POST `true` -> success), median "
                      f"{start_cost(gateway, node, args.runs * 3) * 1000:.1f} ms")  # fmt: skip
            for case in CASES:
                for node in ("cg", "pg"):
                    took = [kill_once(gateway, node, case, args.grace) for _ in range(args.runs)]
                    done = [t for t in took if t is not None]
                    mid = f"median {statistics.median(done) * 1000:.0f} ms" if done else "-"
                    print(f"{case:6} {node}: {len(done)}/{len(took)} runs left nothing; {mid}"
                          f" (grace {args.grace:g} s)")  # fmt: skip
        finally:
            for daemon in reversed(daemons):
                daemon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
